"""Where training runs. The interface is small enough for a Ray executor to implement later:
submit a RunRequest (a job spec, an ``emit`` callback, a stop flag, a checkpoint sink, an optional
state to resume from and a RunControl), get a future of its TrainResult. Events and states are plain
data; a remote executor relays the control's commands (pause, step, settings) to its worker."""

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from nnplay.spec.network import JobSpec
from nnplay.train import TrainResult, train
from nnplay.train.control import RunControl


@dataclass
class RunRequest:
    """One job to train. ``before()`` runs first in the worker; returning False skips the job."""

    spec: JobSpec
    emit: Callable[[dict], None]
    should_stop: Callable[[], bool]
    before: Callable[[], bool]
    checkpoint: Callable[[dict], None] | None = None
    resume: dict | None = None
    control: RunControl | None = None


class Executor(Protocol):
    device: str

    def submit(self, request: RunRequest) -> Future: ...

    def shutdown(self) -> None: ...


class LocalExecutor:
    """Worker threads in the server process; at most ``max_workers`` jobs train at once, the rest wait
    in submission order."""

    def __init__(self, max_workers: int, device: str = "cpu", max_channels: int = 16, data_dir=None):
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="nnplay-job")
        self.device = device
        self.max_channels = max_channels
        self.data_dir = data_dir  # where uploaded data sets live

    def submit(self, request: RunRequest) -> Future:
        return self._pool.submit(self._run, request)

    def _run(self, r: RunRequest) -> TrainResult | None:
        if not r.before():
            return None
        return train(r.spec, r.emit, r.should_stop, device=self.device, max_channels=self.max_channels,
                     checkpoint=r.checkpoint, resume=r.resume, data_dir=self.data_dir, control=r.control)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)


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


