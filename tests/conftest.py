"""Shared fixtures: settings on a temporary data folder, an app client, ready-made specs."""

import copy

import pytest
import torch
from fastapi.testclient import TestClient

from nnplay.api.app import create_app
from nnplay.settings import Settings
from nnplay.spec.presets import LENET

@pytest.fixture
def one_torch_thread():
    """One torch thread for the test: small models train fastest so, and two threads contend on the
    shared 2-core test machines. Use with ``pytestmark = pytest.mark.usefixtures("one_torch_thread")``."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


LOGREG = [{"type": "flatten"}, {"type": "linear", "out_features": 10}]


def job_spec(layers=None, dataset=None, **training) -> dict:
    """A JobSpec body; defaults: logistic regression on digits, 2 epochs."""
    return {
        "dataset": dataset or {"name": "digits"},
        "network": {"layers": copy.deepcopy(layers or LOGREG)},
        "training": {"optimizer": "adam", "lr": 0.01, "epochs": 2, "batch_size": 32, **training},
    }


@pytest.fixture
def settings(tmp_path) -> Settings:
    # "testserver": the Host header of Starlette's TestClient (the Host check refuses names not allowed)
    return Settings(data_dir=tmp_path, device="cpu", max_concurrent_jobs=2, max_params=200_000, max_epochs=300,
                    allowed_hosts=["localhost", "127.0.0.1", "::1", "testserver"])


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture
def lenet():
    return copy.deepcopy(LENET)


RAY_CPUS = 2  # the local Ray of the test session: 2 CPUs (a job reserves 1), a small object store
RAY_OBJECT_STORE_BYTES = 200 * 2**20


@pytest.fixture(scope="session")
def local_ray():
    """One real local Ray for the whole test session (skips where the `ray` extra is not installed).
    Executors find it running and use it; it is shut down once, at the end.

    Its workers keep the test process's niceness (``worker_niceness`` 0). Ray lowers its workers to nice
    15 by default, so beside other busy processes at nice 0 an actor barely runs: at load 9 (a CPU burner
    on this 2-core machine) a job's actor got 2 s of CPU in 158 s and had not finished importing torch
    after 240 s, and the Ray executor tests timed out on Ray's scheduling, not on nnplay's."""
    ray = pytest.importorskip("ray")
    if not ray.is_initialized():
        ray.init(address="local", num_cpus=RAY_CPUS, object_store_memory=RAY_OBJECT_STORE_BYTES, include_dashboard=False,
                 log_to_driver=False, configure_logging=False, _system_config={"worker_niceness": 0})
    yield ray
    ray.shutdown()


@pytest.fixture(params=["process", "ray"])
def executor_settings(request, settings) -> Settings:
    """The settings, once per executor: worker processes, and Ray actors on the session's local Ray."""
    settings.executor = request.param
    if request.param == "ray":
        request.getfixturevalue("local_ray")
    return settings


@pytest.fixture
def any_client(executor_settings):
    """An app client on each executor in turn (``executor_settings``)."""
    with TestClient(create_app(executor_settings)) as c:
        yield c
