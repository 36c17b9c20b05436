"""The jobs REST API: create, list, inspect, metrics, queueing under the concurrency limit."""

from fastapi.testclient import TestClient

from nnplay.api.app import create_app
from tests.api.helpers import wait_done, wait_for
from tests.conftest import job_spec


def test_job_lifecycle(client):
    r = client.post("/api/jobs", json={**job_spec(epochs=3), "name": "my run"})
    assert r.status_code == 201
    job = r.json()
    assert job["status"] in ("queued", "running") and job["name"] == "my run"
    done = wait_done(client, job["id"])
    assert done["status"] == "completed" and done["started_at"] and done["finished_at"]
    assert done["final"]["epochs_done"] == 3 and done["final"]["test_accuracy"] > 0.85
    assert done["spec"]["training"]["epochs"] == 3
    metrics = client.get(f"/api/jobs/{job['id']}/metrics").json()["metrics"]
    epochs = [m for m in metrics if m["scope"] == "epoch"]
    steps = [m for m in metrics if m["scope"] == "step"]
    assert [m["epoch"] for m in epochs] == [1, 2, 3]
    assert len(steps) == 3 * 45 and steps[-1]["step"] == 135  # 1437 / 32 -> 45 steps per epoch
    assert epochs[-1]["test_accuracy"] == done["final"]["test_accuracy"]
    assert [j["id"] for j in client.get("/api/jobs").json()][0] == job["id"]


def test_jobs_over_the_concurrency_limit_queue(tmp_path, settings):
    settings.max_concurrent_jobs = 1
    with TestClient(create_app(settings)) as client:
        first = client.post("/api/jobs", json=job_spec(epochs=300)).json()
        wait_for(client, first["id"], lambda j: j["status"] == "running")
        second = client.post("/api/jobs", json=job_spec(epochs=1)).json()
        third = client.post("/api/jobs", json=job_spec(epochs=1)).json()
        assert client.get(f"/api/jobs/{second['id']}").json()["queue_position"] == 1
        assert client.get(f"/api/jobs/{third['id']}").json()["queue_position"] == 2
        stopped = client.post(f"/api/jobs/{third['id']}/stop").json()
        assert stopped["status"] == "stopped" and stopped["queue_position"] is None
        client.post(f"/api/jobs/{first['id']}/stop")
        assert wait_done(client, second["id"])["status"] == "completed"
        assert client.get(f"/api/jobs/{third['id']}").json()["status"] == "stopped"


def test_diverged_job_says_so(client):
    body = job_spec(layers=[{"type": "linear", "out_features": 2}], dataset={"name": "breast_cancer"},
                    optimizer="sgd", lr=10.0, loss="mse", epochs=50, momentum=0.99)
    job = client.post("/api/jobs", json=body).json()
    done = wait_done(client, job["id"])
    assert done["status"] == "diverged"
    metrics = client.get(f"/api/jobs/{job['id']}/metrics").json()["metrics"]
    assert metrics[-1]["train_loss"] is None or metrics[-1]["test_loss"] is None


def test_the_job_record_carries_its_progress_step(client):
    """A curl user watches a job's progress from its record alone: ``step`` grows while it runs and,
    once it ended, is the step count of its last finished epoch (``final.steps``)."""
    job = client.post("/api/jobs", json=job_spec(epochs=3, max_steps_per_s=200)).json()
    assert job["step"] in (None, 0)
    first = wait_for(client, job["id"], lambda j: j["status"] == "running" and (j["step"] or 0) > 0)["step"]
    later = wait_for(client, job["id"], lambda j: (j["step"] or 0) > first)["step"]
    assert later > first
    done = wait_done(client, job["id"])
    assert done["status"] == "completed" and done["step"] == done["final"]["steps"] == 3 * 45  # digits: 1437 // 32 + 1 per epoch
    assert [j["step"] for j in client.get("/api/jobs").json() if j["id"] == job["id"]] == [done["step"]]
