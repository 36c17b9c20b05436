"""One job's live run: numbering, persisting and publishing its messages.

A client that has caught up with the history and then falls ``COALESCE_BACKLOG`` messages behind the
live ones gets coalesced visual frames: superseded
frames (the probe registry's ``FRAME_TYPES``: ``feature_maps``, ``decision_boundary``, ``gates``...) are
skipped for it (their ``seq`` is missing from its stream), while every other message (``status``,
``metrics``, ``gradients``, ``text_sample``...) is sent.

Messages are numbered (``seq``) under a lock, written to the store in batches from the worker thread,
and handed to the event loop in numbering order through an outbox drained by one
``loop.call_soon_threadsafe`` callback at a time, where they are appended to ``texts`` and waiting
clients are woken. The producer never waits for a client.
"""

import asyncio
import threading
import time

from nnplay.jobs.store import Store
from nnplay.probes.registry import FRAME_TYPES
from nnplay.protocol import encode
from nnplay.train.control import RunControl

FLUSH_SECONDS = 0.5
PUBLISH_DELAY_SECONDS = 0.03  # messages emitted within this window reach clients in one wake-up


class JobRun:
    """Live state of a queued or running job; ``texts[i]`` is the message with ``seq = first_seq + i``."""

    def __init__(self, job_id: str, first_seq: int, store: Store, loop: asyncio.AbstractEventLoop):
        self.job_id, self.first_seq, self.next_seq = job_id, first_seq, first_seq
        self.store, self.loop = store, loop
        self.texts: list[str] = []
        self.types: list[str] = []  # types[i] is the message type of texts[i]
        self.done = False
        self.changed = asyncio.Event()
        self.control = RunControl()  # stop, pause, single step, live settings
        self.state = "queued"  # queued, running, paused, stopping, then the final status
        self.state_lock = threading.Lock()
        self.future = None
        self.step = 0
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._pending: list[tuple[int, str, int, str]] = []
        self._outbox: list[tuple[str, str]] = []
        self._drain_scheduled = False
        self._last_flush = time.monotonic()

    def emit(self, event: dict, **job_values) -> None:
        """Number, queue for storage and publish one event; flush now if ``job_values`` are given."""
        with self._lock:
            seq = self.next_seq
            text = encode(self.job_id, seq, event)
            self.next_seq += 1
            self.step = event["step"]
            self._pending.append((seq, event["type"], event["step"], text))
            self._outbox.append((event["type"], text))
            if not self._drain_scheduled:
                self._drain_scheduled = True
                self.loop.call_soon_threadsafe(self.loop.call_later, PUBLISH_DELAY_SECONDS, self._drain)
        if job_values or time.monotonic() - self._last_flush > FLUSH_SECONDS:
            self.flush(**job_values)

    def flush(self, **job_values) -> None:
        """Write pending messages (and job column values) in one transaction."""
        with self._flush_lock:
            with self._lock:
                rows, self._pending = self._pending, []
            self.store.append_messages(self.job_id, rows, **job_values)
            self._last_flush = time.monotonic()

    def _drain(self) -> None:
        """On the loop thread: move everything emitted since the last drain to ``texts``, wake once."""
        with self._lock:
            self.types.extend(kind for kind, _ in self._outbox)
            self.texts.extend(text for _, text in self._outbox)
            self._outbox.clear()
            self._drain_scheduled = False
        self._wake()

    def publish_now(self) -> None:
        """From any thread: publish what was emitted so far at once and wake waiting clients and
        commands (a paused loop emits nothing more that would wake them)."""
        self.loop.call_soon_threadsafe(self._drain)

    def finish(self) -> None:
        """Called on the loop thread after the last message: clients drain ``texts`` and close."""
        self._drain()  # a delayed drain may still be pending: publish everything first
        self.done = True
        self._wake()

    def _wake(self) -> None:
        self.changed.set()
        self.changed = asyncio.Event()


VISUAL_TYPES = FRAME_TYPES  # the probe registry's frames: a later one replaces an earlier one
COALESCE_BACKLOG = 256


def superseded(types: list[str], start: int) -> set[int]:
    """Indices in ``types[start:]`` of visual frames with a later frame of the same type: a client that
    is ``COALESCE_BACKLOG`` or more messages behind skips them (every other message is still sent)."""
    if len(types) - start < COALESCE_BACKLOG:
        return set()
    latest: dict[str, int] = {}
    for i in range(start, len(types)):
        if types[i] in VISUAL_TYPES:
            latest[types[i]] = i
    return {i for i in range(start, len(types)) if types[i] in VISUAL_TYPES and latest[types[i]] != i}
