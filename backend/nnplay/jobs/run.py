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

Memory stays bounded however long the run: ``texts`` keeps the last ``LIVE_WINDOW`` messages that are
already stored (``base`` is the seq of ``texts[0]``); a client behind the window reads the store in
pages. Stored visual frames are thinned as the run grows: when a type has more than
``2 * FRAMES_KEPT`` frames stored, every second one is deleted, the first and the latest kept, so each
type keeps between ``FRAMES_KEPT`` and ``2 * FRAMES_KEPT`` frames spread over the whole run (their
``seq`` numbers are missing from a replay; metrics, gradients and statuses are always kept).
"""

import asyncio
import threading
import time

from nnplay.jobs.store import Store
from nnplay.probes.registry import FRAME_TYPES
from nnplay.protocol import encode
from nnplay.train.control import RunControl

SEQ_PLACEHOLDER = 2**62  # a worker encodes with this seq; the server puts the real one in its place
FLUSH_SECONDS = 0.5
LIVE_WINDOW = 2048  # stored messages a live run keeps in memory for its clients
FRAMES_KEPT = 200  # each visual type keeps FRAMES_KEPT..2*FRAMES_KEPT stored frames
PUBLISH_DELAY_SECONDS = 0.03  # messages emitted within this window reach clients in one wake-up


class JobRun:
    """Live state of a queued or running job; ``texts[i]`` is the message with ``seq = first_seq + i``."""

    def __init__(self, job_id: str, first_seq: int, store: Store, loop: asyncio.AbstractEventLoop):
        self.job_id, self.first_seq, self.next_seq = job_id, first_seq, first_seq
        self.store, self.loop = store, loop
        self.texts: list[str] = []  # texts[i] is the message with seq = base + i
        self.types: list[str] = []  # types[i] is the message type of texts[i]
        self.base = first_seq
        self.flushed_seq = first_seq - 1  # every message up to this seq is in the store
        self._stored_frames: dict[str, int] = {}  # visual frames of each type in the store
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
        self._number(event["type"], event["step"], lambda seq: encode(self.job_id, seq, event), job_values)

    def emit_encoded(self, kind: str, step: int, text: str) -> None:
        """Number, store and publish a message a worker encoded with ``seq`` = ``SEQ_PLACEHOLDER``."""
        placeholder = f'"seq":{SEQ_PLACEHOLDER}'
        self._number(kind, step, lambda seq: text.replace(placeholder, f'"seq":{seq}', 1), {})

    def _number(self, kind: str, step: int, make_text, job_values: dict) -> None:
        with self._lock:
            seq = self.next_seq
            text = make_text(seq)
            self.next_seq += 1
            self.step = step
            self._pending.append((seq, kind, step, text))
            self._outbox.append((kind, text))
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
            if rows:
                self.flushed_seq = rows[-1][0]
                self._thin(rows)

    def _thin(self, rows: list[tuple[int, str, int, str]]) -> None:
        """Count the visual frames just stored; past ``2 * FRAMES_KEPT`` of a type, halve them."""
        for kind in {kind for _seq, kind, _step, _text in rows if kind in VISUAL_TYPES}:
            if kind not in self._stored_frames:  # a resumed job: count what earlier runs stored
                self._stored_frames[kind] = self.store.count_messages(self.job_id, kind)
            else:
                self._stored_frames[kind] += sum(1 for row in rows if row[1] == kind)
            while self._stored_frames[kind] > 2 * FRAMES_KEPT:  # a burst may need halving twice
                self._stored_frames[kind] = self.store.thin_messages(self.job_id, kind)

    def _drain(self) -> None:
        """On the loop thread: move everything emitted since the last drain to ``texts``, wake once."""
        with self._lock:
            self.types.extend(kind for kind, _ in self._outbox)
            self.texts.extend(text for _, text in self._outbox)
            self._outbox.clear()
            self._drain_scheduled = False
            drop = min(len(self.texts) - LIVE_WINDOW, self.flushed_seq + 1 - self.base)
            if drop > 0:  # only stored messages leave memory: a late client finds them in the store
                del self.texts[:drop], self.types[:drop]
                self.base += drop
        self._wake()

    def window(self, after: int) -> list[tuple[int, str, str]]:
        """On the loop thread: ``(seq, type, text)`` of the messages in memory with ``seq > after``."""
        start = max(0, after + 1 - self.base)
        return [(self.base + i, self.types[i], self.texts[i]) for i in range(start, len(self.texts))]

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


def superseded(types: list[str], start: int = 0) -> set[int]:
    """Indices in ``types[start:]`` of visual frames with a later frame of the same type: a client that
    is ``COALESCE_BACKLOG`` or more messages behind skips them (every other message is still sent)."""
    if len(types) - start < COALESCE_BACKLOG:
        return set()
    latest: dict[str, int] = {}
    for i in range(start, len(types)):
        if types[i] in VISUAL_TYPES:
            latest[types[i]] = i
    return {i for i in range(start, len(types)) if types[i] in VISUAL_TYPES and latest[types[i]] != i}
