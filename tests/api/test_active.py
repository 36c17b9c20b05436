"""Active learning through the API: a job with ``training.active`` is an ordinary job (its stream, pause,
single step, stop and resume); strategies are compared as replicate sets on the same seeds, read back by
GET /api/active/curves (oracle: each job's own stored rounds and final figures, numpy's mean); bad specs
answer 422 naming the field. No claim about which strategy learns faster."""

import json

import numpy as np
import pytest

from tests.api.helpers import wait_done, wait_for

MLP = [{"type": "linear", "out_features": 8}, {"type": "tanh"}, {"type": "linear", "out_features": 2}]


def active_spec(strategy="entropy", dataset=None, **active) -> dict:
    return {"dataset": dataset or {"name": "xor", "n_samples": 120, "seed": 1},
            "network": {"layers": MLP},
            "training": {"optimizer": "adam", "lr": 0.05, "batch_size": 8, "probe_every": 10,
                         "active": {"strategy": strategy, "initial_labels": 4, "query_size": 2, "rounds": 3,
                                    "steps_per_round": 10, **active}}}


def stored(client, job_id: str, kind: str) -> list[dict]:
    svc = client.app.state.service
    if job_id in svc.runs:
        svc.runs[job_id].flush()
    return [json.loads(t) for t in svc.store.messages(job_id, types=(kind,))]


def field_error(res) -> dict:
    assert res.status_code == 422, res.text
    return res.json()["detail"][0]


@pytest.mark.parametrize("active, dataset, field, words", [
    ({"strategy": "bald"}, None, "training.active.strategy", "entropy"),
    ({"rounds": 0}, None, "training.active.rounds", "greater than or equal to 1"),
    ({"query_size": 21}, None, "training.active.query_size", "20"),
    ({"initial_labels": 100, "rounds": 50, "query_size": 20}, None, "training.active.rounds", "pool"),
    ({}, {"name": "sine"}, "training.active", "regression"),
])
def test_bad_active_specs_are_refused_naming_the_field(client, active, dataset, field, words):
    err = field_error(client.post("/api/jobs", json=active_spec(dataset=dataset, **active)))
    assert err["field"] == field and words in err["msg"], err


def test_a_learning_rate_schedule_is_refused(client):
    body = active_spec()
    body["training"]["lr_schedule"] = {"type": "step", "step_size": 2, "gamma": 0.5}
    err = field_error(client.post("/api/jobs", json=body))
    assert err["field"] == "training.lr_schedule" and "rounds" in err["msg"]


def test_validation_declares_the_panel_and_the_message_size(client):
    body = active_spec()
    out = client.post("/api/networks/validate", json=body).json()
    assert "active_learning" in out["panels"] and "decision_boundary" in out["panels"]
    assert out["messages"]["active_round"] > 0


def start_sets(client, strategies=("entropy", "random"), n=2) -> list[dict]:
    sets = []
    for s in strategies:
        res = client.post("/api/replicates", json={"name": s, "base": active_spec(s), "n": n, "first_seed": 5})
        assert res.status_code == 201, res.text
        sets.append(res.json())
    return sets


def test_strategies_as_replicate_sets_give_curves_from_each_jobs_rounds(client):
    sets = start_sets(client)
    for s in sets:
        for r in s["runs"]:
            assert "active_learning" in r["job"]["panels"]
            wait_done(client, r["job"]["id"])
    res = client.get("/api/active/curves", params=[("race", s["id"]) for s in sets])
    assert res.status_code == 200, res.text
    out = res.json()["sets"]
    assert [o["strategy"] for o in out] == ["entropy", "random"]
    for o, s in zip(out, sets):
        assert [r["seed"] for r in o["runs"]] == [5, 6]
        for run in o["runs"]:
            rounds = stored(client, run["job_id"], "active_round")
            job = client.get(f"/api/jobs/{run['job_id']}").json()
            assert run["n_labels"] == [4, 6, 8, 10] == [m["n_labels"] for m in rounds]
            assert run["test_accuracy"] == [m["test_accuracy"] for m in rounds]
            assert job["final"]["test_accuracy"] == run["test_accuracy"][-1] and job["final"]["n_labels"] == 10
        acc = np.array([r["test_accuracy"] for r in o["runs"]])
        assert o["mean"]["n_labels"] == [4, 6, 8, 10]
        assert o["mean"]["test_accuracy"] == pytest.approx(acc.mean(axis=0).tolist(), abs=1e-12)
    # the same seeds start from the same labelled points
    firsts = [[stored(client, r["job_id"], "active_round")[0]["labelled"] for r in o["runs"]] for o in out]
    assert firsts[0] == firsts[1]
    paired = client.get("/api/replicates/compare", params={"a": sets[1]["id"], "b": sets[0]["id"]})
    assert paired.status_code == 200 and paired.json()["n_pairs"] == 2


def test_the_run_view_gives_the_pool_its_labels_and_boundary(client):
    job = client.post("/api/jobs", json=active_spec("margin")).json()
    wait_done(client, job["id"])
    res = client.get(f"/api/active/runs/{job['id']}")
    assert res.status_code == 200, res.text
    out = res.json()
    rounds = stored(client, job["id"], "active_round")
    assert out["active_round"] == rounds[-1] and out["active_round"]["round"] == 3
    assert len(out["data_points"]["train"]["x1"]) == rounds[-1]["pool_size"] == 96
    assert out["decision_boundary"]["step"] == 40
    plain = client.post("/api/jobs", json={**active_spec(), "training": {"epochs": 1}}).json()
    assert client.get(f"/api/active/runs/{plain['id']}").status_code == 409
    assert client.get("/api/active/runs/nope").status_code == 404
    assert client.get("/api/active/curves", params={"race": "nope"}).status_code == 404
    wait_done(client, plain["id"])


def step_metrics(client, job_id):
    return [m for m in client.get(f"/api/jobs/{job_id}/metrics").json()["metrics"] if m["scope"] == "step"]


def test_pause_step_stop_and_resume_an_active_job(client):
    job = client.post("/api/jobs", json=active_spec(rounds=40, steps_per_round=200, query_size=1)).json()
    wait_for(client, job["id"], lambda j: j["last_seq"] > 30)
    paused = client.post(f"/api/jobs/{job['id']}/pause")
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    at = step_metrics(client, job["id"])[-1]["step"]
    stepped = client.post(f"/api/jobs/{job['id']}/step")
    assert stepped.status_code == 200 and step_metrics(client, job["id"])[-1]["step"] == at + 1
    assert client.post(f"/api/jobs/{job['id']}/stop").json()["status"] == "stopped"
    assert client.post(f"/api/jobs/{job['id']}/resume").status_code == 200
    wait_for(client, job["id"], lambda j: step_metrics(client, job["id"])[-1]["step"] > at + 30)
    client.post(f"/api/jobs/{job['id']}/stop")
    steps = [m["step"] for m in step_metrics(client, job["id"])]
    assert steps == sorted(set(steps)) and steps[0] == 4  # steps_per_round 200: one point every 4 steps, no repeat
    rounds = stored(client, job["id"], "active_round")
    assert [r["round"] for r in rounds] == list(range(len(rounds)))
    assert [r["n_labels"] for r in rounds] == [4 + r for r in range(len(rounds))]
