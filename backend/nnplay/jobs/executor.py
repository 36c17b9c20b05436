"""Where training runs: the executor interface and the in-process (thread) executor.

An executor takes a :class:`RunRequest` (a job spec, callbacks for its messages, a stop flag, a
checkpoint sink, optional checkpoint bytes to resume from and a ``RunControl``) and returns a future of
how the run ended (an object with ``status`` and ``final``). Everything that crosses it is plain data:
messages as dicts (``emit``, in-process) or JSON text encoded where the job trains (``publish``),
checkpoints as ``torch.save`` bytes with ``{"step", "final"}``, control as commands a remote executor
relays (``RunControl.attach``). The default executor, worker processes, is
``nnplay.jobs.processes.ProcessExecutor``; a Ray executor implements the same ``submit``/``shutdown``.
"""

import io
import os
import socket

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

import torch

from nnplay.spec.network import JobSpec
from nnplay.train import TrainResult, train
from nnplay.train.control import RunControl


@dataclass
class RunRequest:
    """One job to train. ``before()`` runs first, when a worker is free; returning False skips the job.

    ``emit(event)`` takes an event dict (in-process executors); ``publish(type, step, text)`` a message
    already encoded with ``seq`` = ``nnplay.jobs.run.SEQ_PLACEHOLDER`` (executors whose jobs train
    elsewhere). ``checkpoint(meta, data)`` takes ``{"step", "final"}`` and the state's ``torch.save``
    bytes; ``resume`` is such bytes."""

    job_id: str
    spec: JobSpec
    emit: Callable[[dict], None]
    publish: Callable[[str, int, str], None]
    should_stop: Callable[[], bool]
    before: Callable[[], bool]
    checkpoint: Callable[[dict, bytes], None] | None = None
    resume: bytes | None = None
    control: RunControl = field(default_factory=RunControl)
    placed: Callable[[dict], None] | None = None  # where it trains: {"executor", "node", "host", "pid", ...}


class Executor(Protocol):
    device: str

    def start(self) -> None: ...

    def submit(self, request: RunRequest) -> Future: ...

    def describe(self) -> dict: ...  # /api/health's executor, free_cpus and nodes

    def shutdown(self) -> None: ...


class LocalExecutor:
    """Worker threads in the server process (``NNPLAY_EXECUTOR=thread``: no isolation, for debugging and
    single-user use); at most ``max_workers`` jobs train at once, the rest wait in submission order."""

    def __init__(self, max_workers: int, device: str = "cpu", max_channels: int = 16, data_dir=None,
                 max_units: int = 16, unit_resolution: int = 32, max_message_kb: float = 1024.0,
                 probe_fps: float = 10.0, probe_share: float = 0.04):
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="nnplay-job")
        self.device = device
        self.max_channels = max_channels
        self.data_dir = data_dir  # where uploaded data sets live
        self.probe_limits = {"max_units": max_units, "unit_resolution": unit_resolution,
                             "max_message_kb": max_message_kb, "probe_fps": probe_fps, "probe_share": probe_share}

    def start(self) -> None:
        pass

    def submit(self, request: RunRequest) -> Future:
        return self._pool.submit(self._run, request)

    def _run(self, r: RunRequest) -> TrainResult | None:
        if not r.before():
            return None
        if r.placed is not None:
            r.placed({"executor": "thread", "node": socket.gethostname(), "pid": os.getpid()})
        sink = (lambda state: r.checkpoint(*state_bytes(state))) if r.checkpoint else None
        return train(r.spec, r.emit, r.should_stop, device=self.device, max_channels=self.max_channels,
                     checkpoint=sink, resume=load_state(r.resume), data_dir=self.data_dir, control=r.control,
                     **self.probe_limits)

    def describe(self) -> dict:
        """For ``/api/health``: this machine, its CPUs; jobs are counted by the service."""
        return {"executor": "thread", "free_cpus": None,
                "nodes": [{"node": socket.gethostname(), "alive": True, "cpus": os.cpu_count() or 1, "jobs": None}]}

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)


def state_bytes(state: dict) -> tuple[dict, bytes]:
    """A training state as ``({"step", "final"}, torch.save bytes)``."""
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return {"step": int(state["step"]), "final": state["final"] or None}, buffer.getvalue()


def load_state(data: bytes | None) -> dict | None:
    """Checkpoint bytes as the state ``train(resume=...)`` takes (tensors and plain data only)."""
    return None if data is None else torch.load(io.BytesIO(data), weights_only=True, map_location="cpu")


def warm_up() -> None:
    """Pay torch's lazy imports (an optimizer's first construction imports torch._dynamo, about a
    second) before the first job, so that job's timing and the first curve points are not delayed."""
    import torch

    torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))])


def resolve_device(setting: str) -> str:
    """``auto`` -> ``cuda`` when torch sees a GPU, else ``cpu``."""
    import torch

    if setting == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return setting


