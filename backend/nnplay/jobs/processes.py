"""The default executor: every job trains in a worker process (``nnplay.jobs.worker``).

``max_workers`` slots each keep one warm worker, forked from a fork server that imported torch and the
training code once (a spawned process that has started no torch threads), so a job pays no process
start. Jobs wait in one queue in submission order; a slot's dispatcher thread takes the next one,
relays its control commands to the worker, and hands what comes back to the job's callbacks:
messages (encoded by the worker, numbered here), pause/resume/wait hooks, checkpoints (bytes) and
the outcome.

A worker that dies (a signal, ``kill -9``, its memory limit) fails its job with a
:class:`WorkerError` naming the cause; the slot forks a fresh worker for the next job, and the server
and the other jobs carry on. Memory is bounded twice: ``RLIMIT_DATA`` inside the worker (an allocation
past it fails) and the worker's resident size, read from ``/proc`` every ``WATCH_SECONDS`` while it
trains (past the limit it is killed).
"""

import logging
import multiprocessing
import os
import queue
import signal
import socket
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field

from nnplay.jobs.executor import RunRequest

log = logging.getLogger("nnplay.jobs")
WATCH_SECONDS = 0.2  # how often a training worker's resident memory is read
READY_SECONDS = 300.0  # longest wait for a new worker (the first one starts the fork server)
EXIT_SECONDS = 5.0
SHUTDOWN_SECONDS = 30.0  # longest wait for a running job to stop when the server shuts down
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


class WorkerError(RuntimeError):
    """The job's worker failed or died; ``str(error)`` says why, in words for the job's ``detail``."""


@dataclass
class RunOutcome:
    """How a job in a worker ended: ``status`` is ``completed``, ``stopped`` or ``diverged``."""

    status: str
    final: dict = field(default_factory=dict)
    reason: str | None = None  # why it diverged, when the loss does not say (a non-finite gradient)


def _context():
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["nnplay.jobs.warm"])
    return ctx


class WorkerHandle:
    """One worker process and the server's end of its pipe."""

    def __init__(self, ctx, options: dict):
        from nnplay.jobs import worker  # the worker's code, imported (not run) here to name its entry point

        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=worker.main, args=(child, options), name="nnplay-worker", daemon=True)
        self.process.start()
        child.close()
        self.send_lock = threading.Lock()
        self.memory_mb = options.get("memory_mb")
        self.over_memory: int | None = None  # resident MiB when the watchdog killed it
        try:
            if not self.conn.poll(READY_SECONDS):
                self.kill()
                raise WorkerError(f"a worker process did not start within {READY_SECONDS:.0f} s")
            self.conn.recv()  # ("ready", pid)
        except (EOFError, OSError):
            raise WorkerError(f"a worker process failed to start: {self.death()}") from None

    def send(self, message: tuple) -> None:
        with self.send_lock:
            self.conn.send(message)

    def receive(self) -> tuple | None:
        """The next message, None after ``WATCH_SECONDS`` without one; WorkerError if the worker died."""
        try:
            if self.conn.poll(WATCH_SECONDS):
                return self.conn.recv()
            return None
        except (EOFError, OSError):
            raise WorkerError(self.death()) from None

    def resident_mb(self) -> float:
        try:
            with open(f"/proc/{self.process.pid}/statm") as f:
                return int(f.read().split()[1]) * PAGE_BYTES / 2**20
        except (OSError, IndexError, ValueError):
            return 0.0

    def watch_memory(self) -> None:
        """Kill the worker when its resident memory passes the limit (its job then fails, naming it)."""
        if self.memory_mb and (rss := self.resident_mb()) > self.memory_mb:
            self.over_memory = round(rss)
            self.kill()

    def death(self) -> str:
        """Why the worker's pipe closed, in words."""
        self.process.join(EXIT_SECONDS)
        code = self.process.exitcode
        if self.over_memory is not None:
            return (f"the worker exceeded max_job_memory_mb {self.memory_mb} (setting NNPLAY_MAX_JOB_MEMORY_MB): "
                    f"{self.over_memory} MiB resident; it was stopped")
        if code is not None and code < 0:
            return f"the worker process was killed by signal {-code} ({signal.Signals(-code).name})"
        return f"the worker process exited unexpectedly (exit code {code})"

    def alive(self) -> bool:
        return self.process.is_alive() and not self.conn.closed

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()

    def close(self) -> None:
        """Ask the worker to leave; kill it if it does not within ``EXIT_SECONDS``."""
        try:
            self.send(("exit", None))
        except (OSError, ValueError):
            pass
        self.process.join(EXIT_SECONDS)
        self.kill()
        self.process.join(EXIT_SECONDS)
        self.conn.close()


class Slot:
    """One worker and the dispatcher thread that feeds it jobs from the executor's queue."""

    def __init__(self, executor: "ProcessExecutor", index: int):
        self.executor = executor
        self.worker: WorkerHandle | None = None
        self.job_id: str | None = None  # the job its worker trains now
        self.ready = threading.Event()  # its first worker is up (or failed to start)
        self.thread = threading.Thread(target=self.serve, name=f"nnplay-slot-{index}", daemon=True)
        self.thread.start()

    def serve(self) -> None:
        try:
            self.start_worker()  # warm before the first job
        except (WorkerError, OSError) as exc:  # the next job tries again (and fails, naming this, if it must)
            log.error("%s", exc)
        finally:
            self.ready.set()
        while (item := self.executor.jobs.get()) is not None:
            request, future = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(self.run(request))
            except BaseException as exc:  # noqa: BLE001 - handed to the job's future
                future.set_exception(exc)
        if self.worker is not None:
            self.worker.close()

    def start_worker(self) -> WorkerHandle:
        if self.worker is None or not self.worker.alive():
            if self.worker is not None:
                self.worker.close()
            self.worker = None
            self.worker = WorkerHandle(self.executor.ctx, self.executor.options)
        return self.worker

    def run(self, r: RunRequest) -> RunOutcome | None:
        worker = self.start_worker()
        if not r.before():
            return None
        if r.placed is not None:
            r.placed({"executor": "process", "node": socket.gethostname(), "pid": worker.process.pid})
        snapshot = r.control.attach(lambda command, argument: _relay(worker, r.job_id, command, argument))
        self.job_id = r.job_id
        try:
            worker.send(("job", {"job_id": r.job_id, "spec": r.spec.model_dump(mode="json"), "resume": r.resume,
                                 "control": snapshot}))
            return self.relay(worker, r)
        except BaseException:  # its worker died, or a message of it could not be taken: it may still be
            self.worker = None  # sending this job's messages, so the next job gets a fresh worker
            worker.close()
            raise
        finally:
            self.job_id = None
            r.control.detach()

    def relay(self, worker: WorkerHandle, r: RunRequest) -> RunOutcome:
        """Hand the worker's messages to the job until it reports how it ended."""
        last_watch = time.monotonic()
        while True:
            message = worker.receive()
            if time.monotonic() - last_watch >= WATCH_SECONDS:
                worker.watch_memory()
                last_watch = time.monotonic()
            if message is None:
                continue
            kind, *rest = message
            if kind == "events":
                for event in rest[0]:
                    r.publish(*event)
            elif kind == "event":
                r.publish(*rest)
            elif kind == "hook":
                r.control.remote_hook(*rest)
            elif kind == "checkpoint" and r.checkpoint is not None:
                r.checkpoint(*rest)
            elif kind == "done":
                return RunOutcome(rest[0]["status"], rest[0]["final"] or {}, rest[0].get("reason"))
            elif kind == "error":
                detail, memory = rest
                if memory:
                    limit = self.executor.options.get("memory_mb")
                    detail = f"the worker exceeded max_job_memory_mb {limit} (setting NNPLAY_MAX_JOB_MEMORY_MB): {detail}"
                raise WorkerError(detail)


def _relay(worker: WorkerHandle, job_id: str, command: str, argument) -> None:
    """Forward a control command; a dead worker's job fails through its pipe, not here."""
    try:
        worker.send(("control", job_id, command, argument))
    except (OSError, ValueError):
        pass


class ProcessExecutor:
    """At most ``max_workers`` jobs train at once, each in its own worker process; the rest wait in
    submission order. ``train_options`` are ``nnplay.train.train``'s keyword arguments for every job
    (device, data_dir, probe limits); ``threads``: torch threads per worker; ``memory_mb``: each
    worker's memory limit in MiB (None: none); ``niceness``: added to each worker's nice value (0: none)."""

    def __init__(self, max_workers: int, device: str, train_options: dict, threads: int = 1,
                 memory_mb: int | None = None, niceness: int = 0):
        self.device = device
        self.ctx = _context()
        self.options = {"threads": threads, "memory_mb": memory_mb, "niceness": niceness,
                        "train": {"device": device, **train_options}}
        self.jobs: queue.Queue[tuple[RunRequest, Future] | None] = queue.Queue()
        self.max_workers = max_workers
        self.slots: list[Slot] = []

    def start(self) -> None:
        """Start the slots: each forks its warm worker at once, in the background (the first also starts
        the fork server, which imports torch), so jobs find warm workers; see ``ready``."""
        if not self.slots:
            self.slots = [Slot(self, i) for i in range(self.max_workers)]

    def ready(self, timeout: float | None = 0) -> bool:
        """Whether every slot's first worker is up (waiting at most ``timeout`` seconds)."""
        return all(slot.ready.wait(timeout) for slot in self.slots) and bool(self.slots)

    def submit(self, request: RunRequest) -> Future:
        future: Future = Future()
        self.jobs.put((request, future))
        return future

    def worker_pids(self) -> dict[int, str | None]:
        """Process id of each live worker -> the job it trains (None: idle); for operators and tests."""
        return {s.worker.process.pid: s.job_id for s in self.slots if s.worker is not None and s.worker.alive()}

    def describe(self) -> dict:
        """For ``/api/health``: this machine as the one node, its CPUs and the jobs training on it."""
        jobs = sum(job is not None for job in self.worker_pids().values())
        return local_description("process", jobs)

    def shutdown(self) -> None:
        """Let running jobs end (the service stops them first), then close every worker."""
        for _ in self.slots:
            self.jobs.put(None)
        for slot in self.slots:
            slot.thread.join(SHUTDOWN_SECONDS)
            if slot.thread.is_alive() and slot.worker is not None:  # a step that will not end: kill it
                log.warning("a worker did not stop within %s s; killing it", SHUTDOWN_SECONDS)
                slot.worker.kill()
                slot.thread.join(EXIT_SECONDS)


def local_description(executor: str, jobs: int) -> dict:
    """``/api/health``'s executor fields for executors that train on this machine only."""
    return {"executor": executor, "free_cpus": None,
            "nodes": [{"node": socket.gethostname(), "alive": True, "cpus": os.cpu_count() or 1, "jobs": jobs}]}
