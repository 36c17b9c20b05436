"""Time from POST /api/jobs to the job's first metrics message, thread executor vs warm worker
processes, side by side in one run (median of REPEATS jobs each, a small spiral MLP).

    .venv/bin/python benchmarks/first_metrics.py
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

REPEATS = 7
SPEC = {"dataset": {"name": "spiral", "n_samples": 200}, "network": {"layers": [
    {"type": "linear", "out_features": 8}, {"type": "tanh"}, {"type": "linear", "out_features": 2}]},
        "training": {"optimizer": "adam", "lr": 0.01, "epochs": 2, "batch_size": 10}}


def first_metrics_seconds(client) -> float:
    started = time.perf_counter()
    job_id = client.post("/api/jobs", json=SPEC).json()["id"]
    with client.websocket_connect(f"/api/jobs/{job_id}/stream") as ws:
        while json.loads(ws.receive_text())["type"] != "metrics":
            pass
    seconds = time.perf_counter() - started
    while client.get(f"/api/jobs/{job_id}").json()["status"] not in ("completed", "failed"):
        time.sleep(0.05)
    return seconds


def main() -> None:
    for executor in ("thread", "process"):
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(data_dir=Path(tmp), device="cpu", executor=executor, max_concurrent_jobs=2,
                                allowed_hosts=["testserver"])  # (TestClient's Host header)
            with TestClient(create_app(settings)) as client:
                client.app.state.service.executor.ready(timeout=300) if executor == "process" else None
                times = [first_metrics_seconds(client) for _ in range(REPEATS)]
        print(f"{executor:8s} POST -> first metrics: median {statistics.median(times) * 1000:7.1f} ms, "
              f"min {min(times) * 1000:7.1f} ms, max {max(times) * 1000:7.1f} ms ({REPEATS} jobs)")


if __name__ == "__main__":
    main()
