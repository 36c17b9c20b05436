"""Pause, single step, resume, reset and live settings of a running job through the REST API."""

import json
import time

import pytest
from fastapi.testclient import TestClient

from nnplay.api.app import create_app
from tests.api.helpers import wait_done, wait_for

SPIRAL = {"name": "spiral", "n_samples": 200, "noise": 0.1, "seed": 0}
MLP = [{"type": "linear", "out_features": 8}, {"type": "tanh"},
       {"type": "linear", "out_features": 8}, {"type": "tanh"}, {"type": "linear", "out_features": 2}]


def spiral_spec(**training) -> dict:
    return {"dataset": SPIRAL, "network": {"layers": MLP},
            "training": {"optimizer": "sgd", "lr": 0.05, "epochs": 300, "batch_size": 10, "probe_every": 25,
                         **training}}


def stored(client, job_id: str, kind: str | None = None) -> list[dict]:
    svc = client.app.state.service
    if job_id in svc.runs:
        svc.runs[job_id].flush()
    return [json.loads(t) for t in svc.store.messages(job_id) if kind is None or json.loads(t)["type"] == kind]


def step_metrics(client, job_id: str) -> list[dict]:
    return [m for m in client.get(f"/api/jobs/{job_id}/metrics").json()["metrics"] if m["scope"] == "step"]


def start_paused_run(client) -> tuple[str, int]:
    """A running job, then paused: (its id, the step it waits at)."""
    job = client.post("/api/jobs", json=spiral_spec()).json()
    wait_for(client, job["id"], lambda j: j["last_seq"] > 40)
    paused = client.post(f"/api/jobs/{job['id']}/pause")
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    return job["id"], step_metrics(client, job["id"])[-1]["step"]


def test_pause_blocks_step_advances_by_one_resume_continues(client):
    job_id, at = start_paused_run(client)
    n = len(step_metrics(client, job_id))
    time.sleep(0.5)  # the loop would take many steps in this time if it were not paused
    assert len(step_metrics(client, job_id)) == n
    statuses = [m["status"] for m in stored(client, job_id, "status")]
    assert statuses[-1] == "paused" and client.get(f"/api/jobs/{job_id}").json()["status"] == "paused"

    for expected in (at + 1, at + 2):
        stepped = client.post(f"/api/jobs/{job_id}/step")
        assert stepped.status_code == 200 and stepped.json()["status"] == "paused"
        metrics = step_metrics(client, job_id)
        assert [m["step"] for m in metrics[n:]] == list(range(at + 1, expected + 1))
        assert any(g["step"] == expected for g in stored(client, job_id, "gradients"))
        assert any(b["step"] == expected for b in stored(client, job_id, "decision_boundary"))

    resumed = client.post(f"/api/jobs/{job_id}/resume")
    assert resumed.status_code == 200 and resumed.json()["status"] == "running"
    wait_for(client, job_id, lambda j: len(step_metrics(client, job_id)) > n + 20)
    steps = [m["step"] for m in step_metrics(client, job_id)]
    assert steps == sorted(set(steps))  # no step repeated
    assert client.post(f"/api/jobs/{job_id}/stop").json()["status"] == "stopped"


def test_live_lr_change_applies_at_the_next_step_and_is_stored(client):
    job_id, at = start_paused_run(client)
    assert client.patch(f"/api/jobs/{job_id}/settings", json={"lr": 0.5}).status_code == 200
    client.post(f"/api/jobs/{job_id}/step")
    last = step_metrics(client, job_id)[-1]
    assert last["step"] == at + 1 and last["lr"] == 0.5
    changes = stored(client, job_id, "settings")
    assert [(c["step"], c["changes"]) for c in changes] == [(at, {"lr": 0.5})]
    client.post(f"/api/jobs/{job_id}/resume")
    wait_for(client, job_id, lambda j: step_metrics(client, job_id)[-1]["step"] > at + 10)
    assert {m["lr"] for m in step_metrics(client, job_id) if m["step"] > at} == {0.5}
    client.post(f"/api/jobs/{job_id}/stop")


def test_stop_while_paused_then_resume_from_checkpoint(client):
    job_id, at = start_paused_run(client)
    stopped = client.post(f"/api/jobs/{job_id}/stop")
    assert stopped.json()["status"] == "stopped"
    assert client.post(f"/api/jobs/{job_id}/step").status_code == 409
    resumed = client.post(f"/api/jobs/{job_id}/resume")
    assert resumed.status_code == 200
    wait_for(client, job_id, lambda j: step_metrics(client, job_id)[-1]["step"] > at + 5)
    client.post(f"/api/jobs/{job_id}/stop")
    steps = [m["step"] for m in step_metrics(client, job_id)]
    assert steps == list(range(1, steps[-1] + 1))  # 20 steps per epoch: one point per step, no gap


def test_commands_on_ended_or_running_jobs_answer_409(client):
    job = client.post("/api/jobs", json=spiral_spec(epochs=1)).json()
    wait_done(client, job["id"])
    for verb in ("pause", "step"):
        r = client.post(f"/api/jobs/{job['id']}/{verb}")
        assert r.status_code == 409 and "completed" in r.json()["detail"], r.text
    r = client.patch(f"/api/jobs/{job['id']}/settings", json={"lr": 0.1})
    assert r.status_code == 409 and "completed" in r.json()["detail"]
    assert client.post("/api/jobs/nope/pause").status_code == 404
    running = client.post("/api/jobs", json=spiral_spec()).json()
    wait_for(client, running["id"], lambda j: j["status"] == "running")
    r = client.post(f"/api/jobs/{running['id']}/step")
    assert r.status_code == 409 and "pause it first" in r.json()["detail"]
    r = client.post(f"/api/jobs/{running['id']}/resume")
    assert r.status_code == 409 and "'running'" in r.json()["detail"]
    client.post(f"/api/jobs/{running['id']}/stop")


@pytest.mark.parametrize("body, field", [
    ({"lr": -1}, "lr"), ({"lr": 0}, "lr"), ({"lr": 11}, "lr"), ({"lr": None}, "lr"), ({"lr": "0.1"}, "lr"),
    ({}, "body"), ({"momentum": 0.9}, "momentum"),
])
def test_bad_live_settings_answer_422_naming_the_field(client, body, field):
    job = client.post("/api/jobs", json=spiral_spec(epochs=1)).json()
    r = client.patch(f"/api/jobs/{job['id']}/settings", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["field"] == field


def test_reset_starts_a_new_job_from_step_0_and_keeps_the_old_one(client):
    job_id, _ = start_paused_run(client)
    first = step_metrics(client, job_id)[0]
    r = client.post(f"/api/jobs/{job_id}/reset")
    assert r.status_code == 201
    new = r.json()
    assert new["id"] != job_id and new["spec"] == client.get(f"/api/jobs/{job_id}").json()["spec"]
    old = client.get(f"/api/jobs/{job_id}").json()
    assert old["status"] == "stopped" and new["id"] in old["detail"]
    wait_for(client, new["id"], lambda j: j["status"] == "paused")  # it was paused: so is the new run
    client.post(f"/api/jobs/{new['id']}/step")
    again = step_metrics(client, new["id"])
    assert [m["step"] for m in again] == [1]
    assert again[0]["train_loss"] == pytest.approx(first["train_loss"], abs=1e-6)  # same seed, same first step
    client.post(f"/api/jobs/{new['id']}/stop")


def test_lr_schedule_is_streamed_and_penalties_are_separate_terms(client):
    spec = spiral_spec(epochs=4, batch_size="full", lr=0.5, weight_decay=0.01, l1=0.001,
                       lr_schedule={"type": "step", "step_size": 2, "gamma": 0.1})
    job = client.post("/api/jobs", json=spec).json()
    assert wait_done(client, job["id"])["status"] == "completed"
    epochs = [m for m in client.get(f"/api/jobs/{job['id']}/metrics").json()["metrics"] if m["scope"] == "epoch"]
    assert [m["lr"] for m in epochs] == pytest.approx([0.5, 0.5, 0.05, 0.05])
    assert all(m["l2_penalty"] > 0 and m["l1_penalty"] > 0 for m in epochs)


@pytest.mark.parametrize("training, field", [
    ({"l1": -0.1}, "training.l1"), ({"l1": float("nan")}, "training.l1"), ({"l1": 11}, "training.l1"),
    ({"lr_schedule": {"type": "step", "gamma": 0}}, "training.lr_schedule.gamma"),
    ({"lr_schedule": {"type": "step", "step_size": 0}}, "training.lr_schedule.step_size"),
    ({"lr_schedule": {"type": "cosine", "eta_min": -1}}, "training.lr_schedule.eta_min"),
    ({"lr_schedule": {"type": "none", "gamma": 0.5}}, "training.lr_schedule.gamma"),
    ({"lr_schedule": {"type": "exponential"}}, "training.lr_schedule"),
    ({"lr_schedule": "cosine"}, "training.lr_schedule"),
])
def test_bad_l1_and_schedules_answer_422_naming_the_field(client, training, field):
    r = client.post("/api/jobs", content=json.dumps(spiral_spec(**training)), headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["detail"]] == [field], r.json()


def test_a_job_paused_when_the_server_stops_comes_back_interrupted_and_resumes(settings):
    with TestClient(create_app(settings)) as c:
        job_id, at = start_paused_run(c)
    with TestClient(create_app(settings)) as c:  # a clean shutdown while paused
        job = c.get(f"/api/jobs/{job_id}").json()
        assert job["status"] == "interrupted"
        c.app.state.service.store.update_job(job_id, status="paused")  # as if killed while paused
    with TestClient(create_app(settings)) as c:
        assert c.get(f"/api/jobs/{job_id}").json()["status"] == "interrupted"
        assert c.post(f"/api/jobs/{job_id}/resume").status_code == 200
        wait_for(c, job_id, lambda j: step_metrics(c, job_id)[-1]["step"] > at + 5)
        c.post(f"/api/jobs/{job_id}/stop")
        steps = [m["step"] for m in step_metrics(c, job_id)]
    assert steps == list(range(1, steps[-1] + 1))
