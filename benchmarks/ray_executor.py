"""The Ray executor vs the worker-process executor on this machine, side by side in one run:

- a LeNet job on digits: epochs per second, from its ``running`` to its ``completed`` status as the
  stream delivers them (median of REPEATS jobs each, one job at a time, 1 CPU / torch thread each);
- POST /api/jobs -> the job's first metrics message: the first job (cold: Ray places and starts an
  actor, which imports torch) and the median of the next ones (a warm actor / a warm worker);
- the server's start-up (a local Ray started inside it, ``ray.init``), printed separately.

    .venv/bin/python benchmarks/ray_executor.py     # needs the `ray` extra
"""

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "backend"))
from fastapi.testclient import TestClient  # noqa: E402

from nnplay.api.app import create_app  # noqa: E402
from nnplay.settings import Settings  # noqa: E402
from nnplay.spec.presets import LENET  # noqa: E402

REPEATS = 3
EPOCHS = 4
LENET_SPEC = {"dataset": {"name": "digits"}, "network": {"layers": LENET},
              "training": {"optimizer": "adam", "lr": 0.01, "epochs": EPOCHS, "batch_size": 32, "probe_every": 50}}
SMALL = {"dataset": {"name": "spiral", "n_samples": 200}, "network": {"layers": [
    {"type": "linear", "out_features": 8}, {"type": "tanh"}, {"type": "linear", "out_features": 2}]},
         "training": {"optimizer": "adam", "lr": 0.01, "epochs": 2, "batch_size": 10}}


def follow(client, spec: dict) -> dict[str, float]:
    """Seconds from POST to the first metrics message, to ``running`` and to ``completed``."""
    started = time.perf_counter()
    job_id = client.post("/api/jobs", json=spec).json()["id"]
    marks: dict[str, float] = {}
    with client.websocket_connect(f"/api/jobs/{job_id}/stream") as ws:
        while True:
            message = json.loads(ws.receive_text())
            now = time.perf_counter() - started
            if message["type"] == "metrics":
                marks.setdefault("first_metrics", now)
            elif message["type"] == "status":
                marks[message["status"]] = now
                if message["status"] in ("completed", "failed", "stopped", "diverged"):
                    assert message["status"] == "completed", message
                    return marks


def measure(executor: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), device="cpu", executor=executor, max_concurrent_jobs=1,
                            torch_threads=1, job_cpus=1, ray_object_store_mb=200, ray_warm_actors=1,
                            allowed_hosts=["testserver"])
        began = time.perf_counter()
        with TestClient(create_app(settings)) as client:
            startup = time.perf_counter() - began
            firsts = [follow(client, SMALL)["first_metrics"] for _ in range(REPEATS + 1)]
            runs = [follow(client, LENET_SPEC) for _ in range(REPEATS)]
    rates = [EPOCHS / (r["completed"] - r["running"]) for r in runs]
    return {"startup": startup, "cold": firsts[0], "warm": statistics.median(firsts[1:]),
            "epochs_per_s": statistics.median(rates)}


def main() -> None:
    results = {executor: measure(executor) for executor in ("process", "ray")}
    for executor, r in results.items():
        print(f"{executor:8s} server start {r['startup']:6.1f} s | POST -> first metrics: first job "
              f"{r['cold'] * 1000:8.0f} ms, later jobs (median) {r['warm'] * 1000:6.0f} ms | LeNet "
              f"{r['epochs_per_s']:.2f} epochs/s (median of {REPEATS})")
    ratio = results["ray"]["epochs_per_s"] / results["process"]["epochs_per_s"]
    print(f"ray / process epochs/s: {ratio:.2f}")


if __name__ == "__main__":
    main()
