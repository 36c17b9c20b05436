"""Jobs and their whole metric history survive the app being created anew on the same database."""

from fastapi.testclient import TestClient

from nnplay.api.app import create_app
from nnplay.jobs.store import JobRow, Store, now_iso
from tests.api.helpers import wait_done
from tests.conftest import job_spec


def test_finished_jobs_and_metrics_survive_a_restart(settings):
    with TestClient(create_app(settings)) as client:
        job = client.post("/api/jobs", json=job_spec(epochs=2)).json()
        before = wait_done(client, job["id"])
        metrics_before = client.get(f"/api/jobs/{job['id']}/metrics").json()
    with TestClient(create_app(settings)) as client:
        after = client.get(f"/api/jobs/{job['id']}").json()
        assert after == before
        assert client.get(f"/api/jobs/{job['id']}/metrics").json() == metrics_before
        with client.websocket_connect(f"/api/jobs/{job['id']}/stream") as ws:
            seqs = []
            while not seqs or seqs[-1] < after["last_seq"]:
                seqs.append(ws.receive_json()["seq"])
        assert seqs == list(range(1, after["last_seq"] + 1))


def test_job_left_running_by_a_dead_server_becomes_interrupted(settings):
    store = Store(settings.resolved_database_url())
    spec = {**job_spec(), "name": None}
    store.add_job(JobRow(id="deadbeef", name="x", spec=spec, status="running", created_at=now_iso(), last_seq=0))
    with TestClient(create_app(settings)) as client:
        job = client.get("/api/jobs/deadbeef").json()
        assert job["status"] == "interrupted" and "server stopped" in job["detail"]
        assert client.post("/api/jobs/deadbeef/stop").status_code == 409


def test_queued_jobs_start_after_a_restart(settings):
    store = Store(settings.resolved_database_url())
    store.add_job(JobRow(id="q1", name="q", spec={**job_spec(epochs=1), "name": None}, status="queued",
                         created_at=now_iso(), last_seq=0))
    with TestClient(create_app(settings)) as client:
        assert wait_done(client, "q1")["status"] == "completed"
