"""The worker process: trains one job at a time for a :class:`nnplay.jobs.processes.ProcessExecutor`.

Workers are forked from a fork server that has imported torch and the training code once (and has
started no torch threads), so a job pays no process start and no import. Everything crosses the pipe
as plain data (pickled tuples of str, int, dict, bytes):

server -> worker
    ``("job", {"job_id", "spec", "resume", "control"})``: train a job (``resume``: checkpoint bytes or
    None; ``control``: a ``RunControl.attach`` snapshot); ``("control", job_id, command, argument)``: a
    relayed command (``nnplay.train.control``) for that job; one that arrives before its job has started
    here is held and applied right after the job's control snapshot; ``("exit", None)``: leave.
worker -> server
    ``("ready", pid)`` once; ``("events", [(type, step, text), ...])``: messages encoded with the
    placeholder ``seq`` :data:`SEQ_PLACEHOLDER`, in order, sent in batches (:class:`BatchedPipe`; a
    worker on another transport may send each as ``("event", type, step, text)``);
    ``("hook", name, step)``: the loop paused, resumed or waits;
    ``("checkpoint", {"step", "final"}, bytes)``: a ``torch.save`` of the state; ``("done", {"status",
    "final"})``; ``("error", detail, memory)``: the job raised (``memory``: it ran out of its limit).

The memory limit is ``RLIMIT_DATA`` (the process's heap and private mappings, in bytes): an allocation
past it fails inside torch or numpy (``RuntimeError ... can't allocate memory`` / ``MemoryError``), the
job fails with the limit named and the worker exits so that a fresh one replaces it. The server also
watches the worker's resident size (``nnplay.jobs.processes``).
"""

import os
import queue
import resource
import threading
import time

import torch

from nnplay.jobs.executor import load_state, state_bytes, warm_up
from nnplay.jobs.run import SEQ_PLACEHOLDER
from nnplay.protocol import encode
from nnplay.spec.network import JobSpec
from nnplay.train import train
from nnplay.train.control import RunControl

BATCH_SECONDS = 0.02  # an event waits at most about this long in the worker before it is sent
BATCH_EVENTS = 256  # ... or until this many are waiting
ENCODED_BY_BATCH = frozenset({"metrics", "gradients"})  # a step's own small events: see BatchedPipe


class Worker:
    """The worker's side of the pipe: a reader thread routes control to the running job's
    ``RunControl`` and jobs to the training thread (the process's main thread)."""

    def __init__(self, conn, options: dict):
        self.conn, self.options = conn, options
        self.send_lock = threading.Lock()
        self.jobs: queue.Queue = queue.Queue()
        self.control: RunControl | None = None
        self.job_id: str | None = None  # the job ``control`` belongs to
        self.held: list[tuple[str, str, object]] = []  # commands that came before their job started
        self.control_lock = threading.Lock()

    def send(self, message: tuple) -> None:
        with self.send_lock:
            self.conn.send(message)

    def read(self) -> None:
        """Reader thread: until the pipe closes or ``exit``; then the main thread is told to leave."""
        try:
            while True:
                kind, *rest = self.conn.recv()
                if kind == "control":
                    self.route(*rest)
                elif kind in ("job", "exit"):
                    self.jobs.put((kind, rest[0]))
        except (EOFError, OSError):
            pass
        if self.control is not None:
            self.control.stop()
        self.jobs.put(("exit", None))

    def serve(self) -> None:
        threading.Thread(target=self.read, name="nnplay-worker-reader", daemon=True).start()
        self.send(("ready", os.getpid()))
        while True:
            kind, job = self.jobs.get()
            if kind == "exit" or not self.run(job):
                return

    def run(self, job: dict) -> bool:
        """Train one job and report how it ended; False when this worker must not take another."""
        control = self.attach_control(job["control"])
        with self.control_lock:
            self.control, self.job_id = control, job["job_id"]
            held, self.held = self.held, []
        for job_id, command, argument in held:
            if job_id == job["job_id"]:
                control.apply(command, argument)
        try:
            result = train(JobSpec.model_validate(job["spec"]), self.emitter(job["job_id"]), lambda: control.stopped,
                           checkpoint=self.checkpoint, resume=load_state(job["resume"]), control=control,
                           **self.train_options(job))
            self.send(("done", {"status": result.status, "final": result.final, "reason": result.reason}))
            return True
        except BaseException as exc:  # noqa: BLE001 - reported to the server, which fails the job
            memory = is_out_of_memory(exc)
            self.send(("error", f"{type(exc).__name__}: {exc}"[:2000], memory))
            return not memory  # a worker that ran out of memory is replaced by a fresh one
        finally:
            with self.control_lock:
                self.control, self.job_id = None, None

    def route(self, job_id: str, command: str, argument) -> None:
        """A relayed command to its job's control, or held until that job starts here."""
        with self.control_lock:
            control = self.control if self.job_id == job_id else None
            if control is None:
                self.held.append((job_id, command, argument))
        if control is not None:
            control.apply(command, argument)

    def attach_control(self, snapshot: dict) -> RunControl:
        """The job's ``RunControl``, its hooks reported to the server, in the state of ``snapshot``."""
        control = RunControl(on_pause=lambda s: self.send(("hook", "pause", s)),
                             on_resume=lambda s: self.send(("hook", "resume", s)),
                             on_wait=lambda s: self.send(("hook", "wait", s)))
        control.apply("state", snapshot)
        return control

    def train_options(self, job: dict) -> dict:
        """``nnplay.train.train``'s keyword arguments for this job (device, data_dir, probe limits)."""
        return self.options["train"]

    def emitter(self, job_id: str):
        """The run's ``emit``: the event encoded now, or (``metrics`` and ``gradients`` on a pipe that
        ``encodes_later``) as ``(job_id, event)`` for the pipe to encode with its batch."""
        later = getattr(self.conn, "encodes_later", False)

        def emit(event: dict) -> None:
            kind = event["type"]
            body = (job_id, event) if later and kind in ENCODED_BY_BATCH else encode(job_id, SEQ_PLACEHOLDER, event)
            self.send(("event", kind, event["step"], body))
        return emit

    def checkpoint(self, state: dict) -> None:
        self.send(("checkpoint", *state_bytes(state)))


class BatchedPipe:
    """The worker's end of its pipe, sending ``event`` messages in batches (``("events", [...])``)
    instead of a pickle and a write each. An event after a quiet spell of ``BATCH_SECONDS`` goes at
    once (a slow step's metrics, the first of a job, are not held back); the events that follow wait
    until the oldest of them is ``BATCH_SECONDS`` old (or ``BATCH_EVENTS`` wait), and go with the next
    event's ``send``; a timer thread sends those that wait twice as long (a long step, a pause). Every
    other message first sends the events before it, so the order on the pipe is the order of the calls.

    An event's text may come as ``(job_id, event)``, encoded when its batch goes (``encodes_later``):
    a LeNet step on digits takes about 1.5 ms and has its own metrics event; validating and encoding
    that event right after the step cost about 95 us, 6% of the run, as the step's tensors leave the
    encoder's code and data out of the CPU's caches (about 6 us when warm). In a batch the events
    after the first encode warm. The thread that sends a batch encodes it: the training thread, but
    for the timer's (an encoding timer thread made the training thread wait for the GIL while the
    server had the other core). An event that fails to encode fails the job: the timer's failure is
    raised by the next ``send``."""

    encodes_later = True

    def __init__(self, conn, seconds: float = BATCH_SECONDS, most: int = BATCH_EVENTS):
        self.conn, self.seconds, self.most = conn, seconds, most
        self.lock = threading.Lock()  # held from taking a batch to writing it: the order on the pipe
        self.events: list[tuple] = []
        self.waiting_since = 0.0  # time.monotonic() of the oldest waiting event
        self.sent_at = -float("inf")  # ... of the last batch sent
        self.failure: BaseException | None = None  # an event the timer could not encode
        threading.Thread(target=self._flush_every, name="nnplay-worker-batches", daemon=True).start()

    def send(self, message: tuple) -> None:
        """Raises what an event's encoding raised (the timer's once, or this batch's); never for an
        ``error`` message, the job's last word whatever its events (they are dropped then)."""
        with self.lock:
            last_word = message[0] == "error"
            if self.failure is not None:
                failure, self.failure = self.failure, None
                if not last_word:
                    raise failure
            if message[0] == "event":
                now = time.monotonic()
                if not self.events:
                    self.waiting_since = now
                self.events.append(message[1:])
                if (len(self.events) < self.most and now - self.waiting_since < self.seconds
                        and (len(self.events) > 1 or now - self.sent_at < self.seconds)):
                    return
            try:
                self._flush()
            except Exception:
                if not last_word:
                    raise
            if message[0] != "event":
                self.conn.send(message)

    def recv(self):
        return self.conn.recv()

    def _flush(self) -> None:
        """Under the lock: encode the waiting events and send them as one batch (all dropped if one
        fails to encode)."""
        if self.events:
            events, self.events = self.events, []
            self.conn.send(("events", [(kind, step, body if isinstance(body, str) else
                                        encode(body[0], SEQ_PLACEHOLDER, body[1])) for kind, step, body in events]))
            self.sent_at = time.monotonic()

    def _flush_every(self) -> None:
        """Every ``seconds``, send events that have waited twice that; ends when the pipe closes."""
        while True:
            time.sleep(self.seconds)
            with self.lock:
                if not self.events or time.monotonic() - self.waiting_since < 2 * self.seconds:
                    continue
                try:
                    self._flush()
                except (OSError, EOFError):  # the server's end closed: the process is leaving
                    return
                except Exception as exc:  # noqa: BLE001 - an event broke the protocol: the job's next send raises it
                    self.failure = exc


def is_out_of_memory(exc: BaseException) -> bool:
    """True for an allocation refused by the memory limit (numpy's MemoryError, torch's allocator)."""
    return isinstance(exc, MemoryError) or (isinstance(exc, RuntimeError) and "can't allocate memory" in str(exc))


def limit_memory(megabytes: int | None) -> None:
    """Cap the process's data segment (heap and private mappings) at ``megabytes`` MiB."""
    if megabytes:
        limit = megabytes * 2**20
        try:
            _soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
            if hard != resource.RLIM_INFINITY:
                limit = min(limit, hard)
            resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))  # the soft limit; the hard one stays
        except (OSError, ValueError):  # a sandbox that refuses it: the server's resident-size watch still holds
            pass


def main(conn, options: dict) -> None:
    """Entry point of a worker process (``options``: ``threads``, ``memory_mb``, ``niceness``, ``train``:
    the keyword arguments of ``nnplay.train.train`` every job gets: device, data_dir, probe limits)."""
    if options.get("niceness"):
        os.nice(options["niceness"])  # the server (not niced) goes first when the cores are busy
    torch.set_num_threads(options["threads"])
    limit_memory(options.get("memory_mb"))
    Worker(BatchedPipe(conn), options).serve()


def preload() -> None:
    """Run once in the fork server: pay torch's lazy imports (no threads are started)."""
    warm_up()
