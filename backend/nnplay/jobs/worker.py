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
        def emit(event: dict) -> None:
            self.send(("event", event["type"], event["step"], encode(job_id, SEQ_PLACEHOLDER, event)))
        return emit

    def checkpoint(self, state: dict) -> None:
        self.send(("checkpoint", *state_bytes(state)))


class BatchedPipe:
    """The worker's end of its pipe, sending ``event`` messages in batches (``("events", [...])``)
    instead of a pickle and a write each: an event after a quiet spell of ``BATCH_SECONDS`` goes at
    once (a slow step's metrics, the first of a job, are not held back); the events that follow within
    it wait for the next tick of a timer every ``BATCH_SECONDS`` (or until ``BATCH_EVENTS`` wait). A
    LeNet step on digits emits two events (metrics, gradients) and takes about 1.4 ms; sending each
    alone cost the worker about 5% of its time (py-spy). Every other message first sends the events
    before it, so the order on the pipe is the order of the calls."""

    def __init__(self, conn, seconds: float = BATCH_SECONDS, most: int = BATCH_EVENTS):
        self.conn, self.seconds, self.most = conn, seconds, most
        self.lock = threading.Lock()
        self.events: list[tuple] = []
        self.sent_at = -float("inf")  # time.monotonic() of the last batch sent
        threading.Thread(target=self._flush_every, name="nnplay-worker-batches", daemon=True).start()

    def send(self, message: tuple) -> None:
        with self.lock:
            if message[0] == "event":
                self.events.append(message[1:])
                quiet = len(self.events) == 1 and time.monotonic() - self.sent_at >= self.seconds
                if len(self.events) < self.most and not quiet:
                    return
            self._flush()
            if message[0] != "event":
                self.conn.send(message)

    def recv(self):
        return self.conn.recv()

    def _flush(self) -> None:
        """Under the lock: send the waiting events as one batch."""
        if self.events:
            events, self.events = self.events, []
            self.conn.send(("events", events))
            self.sent_at = time.monotonic()

    def _flush_every(self) -> None:
        """Send what waits every ``seconds``; ends when the pipe closes."""
        while True:
            time.sleep(self.seconds)
            try:
                with self.lock:
                    self._flush()
            except (OSError, ValueError):  # the server's end closed: the process is leaving
                return


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
