"""When a run takes its next probe snapshot (decision boundary, feature maps, gates, attention ...).

A spec's ``training.probe_every`` in optimizer steps is honoured as written. Left out (``None``, the
default), the cadence is a time budget of two settings:

- ``probe_fps`` (``NNPLAY_PROBE_FPS``): at most this many snapshots a second of training, what a page
  can draw (a fast MLP on spiral makes ~900 steps a second: every 20 steps would be 45 frames a second);
- ``probe_share`` (``NNPLAY_PROBE_SHARE``): probes take at most this share of the run's wall time. A
  snapshot that took ``c`` seconds is followed by at least ``c * (1 - share) / share`` seconds of
  training, and no snapshot starts while the snapshots so far took more than ``share`` of the time since
  the run started, so ``probe time / total time <= share`` plus the last snapshot's cost.

The next snapshot is due at the first step that ends at least
``max(1 / probe_fps, c * (1 - share) / share)`` seconds after the last snapshot ended, once the
snapshots so far are within ``share`` of the time since the start. Which steps are
probed then depends on the machine's speed; what is trained does not (probes never touch the training
state or its random numbers).
"""

import time
from collections.abc import Callable


class ProbeCadence:
    """Decides, step by step, whether a probe snapshot is due.

    ``every``: steps between snapshots (a spec's explicit ``probe_every``), or None for the time budget
    of ``fps`` (snapshots a second, > 0) and ``share`` (of wall time, in (0, 1]). ``clock`` returns
    seconds (``time.perf_counter``; a test passes its own)."""

    def __init__(self, every: int | None, fps: float = 10.0, share: float = 0.04,
                 clock: Callable[[], float] = time.perf_counter):
        if every is None and not (fps > 0 and 0 < share <= 1):
            raise ValueError(f"probe_fps must be > 0 and probe_share in (0, 1], got {fps} and {share}")
        self.every, self.fps, self.share, self.clock = every, fps, share, clock
        self.started = self.ready_at = clock()  # the first step after the start may be probed at once if due
        self.seconds, self.snapshots = 0.0, 0  # what the snapshots taken so far cost, and how many

    def due(self, step: int) -> bool:
        """Whether the snapshot after optimizer step ``step`` (1, 2, ...) is due."""
        if self.every is not None:
            return step % self.every == 0
        now = self.clock()
        return now >= self.ready_at and self.seconds <= self.share * (now - self.started)

    def timed(self, snapshot: Callable[[], None]) -> None:
        """Take ``snapshot()`` now and set when the next one is due from what it cost."""
        started = self.clock()
        snapshot()
        ended = self.clock()
        cost = ended - started
        self.seconds, self.snapshots = self.seconds + cost, self.snapshots + 1
        self.ready_at = ended + max(1.0 / self.fps, cost * (1 - self.share) / self.share) if self.every is None else ended


def probe_cadence(every: int | None, fps: float | None = None, share: float | None = None) -> ProbeCadence:
    """The cadence of a spec's ``probe_every``, with the settings' ``probe_fps`` and ``probe_share``
    where ``fps`` or ``share`` is None."""
    from nnplay.settings import get_settings

    if every is None and (fps is None or share is None):
        settings = get_settings()
        fps = settings.probe_fps if fps is None else fps
        share = settings.probe_share if share is None else share
    return ProbeCadence(every, fps or 10.0, share or 0.04)
