"""Kill -9 recovery: a real server killed mid-run comes back with the job interrupted and its history
intact; resume finishes it from the last checkpoint with contiguous steps."""

import time

import httpx
import pytest

from tests.conftest import job_spec
from tests.serverproc import ServerProcess


def poll(url: str, predicate, timeout: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = httpx.get(url, timeout=10).json()
        if predicate(job):
            return job
        time.sleep(0.05)
    raise AssertionError(f"timed out; last state {job['status']}")


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


def test_kill_9_then_resume(data_dir, lenet):
    server = ServerProcess(data_dir).start()
    try:
        job = httpx.post(f"{server.url}/api/jobs", json=job_spec(layers=lenet, epochs=40)).json()
        url = f"{server.url}/api/jobs/{job['id']}"
        poll(url, lambda j: (j["final"] or {}).get("epochs_done", 0) >= 2)
        server.kill9()
    finally:
        server.stop()
    assert (data_dir / "checkpoints" / f"{job['id']}.pt").exists()

    server = ServerProcess(data_dir).start()
    try:
        url = f"{server.url}/api/jobs/{job['id']}"
        after_crash = httpx.get(url).json()
        assert after_crash["status"] == "interrupted"
        history = httpx.get(f"{url}/metrics").json()["metrics"]
        epochs_before = [m["epoch"] for m in history if m["scope"] == "epoch"]
        assert epochs_before[:2] == [1, 2]
        assert httpx.post(f"{url}/resume").json()["status"] in ("queued", "running")
        done = poll(url, lambda j: j["status"] in ("completed", "failed"))
        assert done["status"] == "completed" and done["final"]["epochs_done"] == 40
        metrics = httpx.get(f"{url}/metrics").json()["metrics"]
    finally:
        server.stop()
    steps = [m["step"] for m in metrics if m["scope"] == "step"]
    assert steps == list(range(1, 40 * 45 + 1))  # no step missing or repeated
    assert [m["epoch"] for m in metrics if m["scope"] == "epoch"] == list(range(1, 41))
    assert done["final"]["test_accuracy"] >= 0.95


def test_stop_then_resume_continues_mid_epoch(tmp_path, lenet):
    server = ServerProcess(tmp_path / "d").start()
    try:
        job = httpx.post(f"{server.url}/api/jobs", json=job_spec(layers=lenet, epochs=30)).json()
        url = f"{server.url}/api/jobs/{job['id']}"
        poll(url, lambda j: j["last_seq"] > 30)
        stopped = httpx.post(f"{url}/stop", timeout=60).json()
        assert stopped["status"] == "stopped"
        assert httpx.post(f"{url}/resume").status_code == 200
        assert httpx.post(f"{url}/resume").status_code == 409  # already running again
        done = poll(url, lambda j: j["status"] in ("completed", "failed"))
        metrics = httpx.get(f"{url}/metrics").json()["metrics"]
        with httpx.Client() as c:
            assert c.post(f"{server.url}/api/jobs/nope/resume").status_code == 404
    finally:
        server.stop()
    assert done["status"] == "completed"
    assert [m["step"] for m in metrics if m["scope"] == "step"] == list(range(1, 30 * 45 + 1))
