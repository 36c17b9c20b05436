"""Races: one ordinary job per value of a setting, same seed; runs that differ only in the optimizer
start from identical weights (their first-step losses agree to 1e-6) and then part ways."""

import sqlite3

import pytest

from nnplay.jobs.store import Store
from tests.api.helpers import wait_done
from tests.conftest import job_spec

MLP = [{"type": "linear", "out_features": 16}, {"type": "tanh"}, {"type": "linear", "out_features": 2}]


def base(**training):
    return job_spec(layers=MLP, dataset={"name": "spiral", "n_samples": 200},
                    **{"epochs": 2, "probe_every": 1000, "lr": 0.05, "seed": 7, **training})


def first_step_loss(client, job_id: str) -> float:
    metrics = client.get(f"/api/jobs/{job_id}/metrics").json()["metrics"]
    return next(m["train_loss"] for m in metrics if m["scope"] == "step" and m["step"] == 1)


def test_optimizer_race_runs_start_from_identical_weights(client):
    body = {"name": "optimizers", "base": base(), "field": "training.optimizer", "values": ["sgd", "adam", "rmsprop"]}
    res = client.post("/api/races", json=body)
    assert res.status_code == 201, res.text
    race = res.json()
    assert race["field"] == "training.optimizer" and [r["value"] for r in race["runs"]] == ["sgd", "adam", "rmsprop"]
    ids = [r["job"]["id"] for r in race["runs"]]
    for run in race["runs"]:
        assert run["job"]["race_id"] == race["id"]
        assert run["job"]["name"] == f"optimizers · training.optimizer = {run['value']}"
        assert run["job"]["spec"]["training"]["optimizer"] == run["value"]
    finals = [wait_done(client, i) for i in ids]
    assert all(f["status"] == "completed" for f in finals)
    losses = [first_step_loss(client, i) for i in ids]
    assert max(losses) - min(losses) <= 1e-6, losses  # the same weights and the same first batch
    last = [f["final"]["train_loss"] for f in finals]
    assert len({round(v, 6) for v in last}) == 3, last  # then each optimizer goes its own way
    listed = {j["id"]: j["race_id"] for j in client.get("/api/jobs").json()}
    assert all(listed[i] == race["id"] for i in ids)  # ordinary jobs, listed with the rest
    again = client.get(f"/api/races/{race['id']}").json()
    assert [r["job"]["status"] for r in again["runs"]] == ["completed"] * 3
    assert client.get("/api/races").json()[0]["id"] == race["id"]


def test_activation_and_batch_size_races_build_their_runs(client):
    race = client.post("/api/races", json={"base": base(epochs=1), "field": "activation",
                                           "values": ["relu", "sigmoid"]}).json()
    assert [r["job"]["spec"]["network"]["layers"][1]["type"] for r in race["runs"]] == ["relu", "sigmoid"]
    race = client.post("/api/races", json={"base": base(epochs=1), "field": "training.batch_size",
                                           "values": [8, "full"]}).json()
    assert [r["job"]["spec"]["training"]["batch_size"] for r in race["runs"]] == [8, "full"]
    for run in race["runs"]:
        wait_done(client, run["job"]["id"])


@pytest.mark.parametrize("body, field, words", [
    ({"field": "training.optimizer", "values": ["sgd", "lbfgs"]}, "values[1]", "lbfgs"),
    ({"field": "training.optimizer", "values": ["sgd"]}, "values", "at least 2"),
    ({"field": "training.optimizer", "values": ["sgd", "sgd"]}, "values", "distinct"),
    ({"field": "training.lr", "values": [0.1, -1.0]}, "values[1]", "greater than 0"),
    ({"field": "training.seed", "values": [1, 2]}, "field", "training.optimizer"),
    ({"field": "activation", "values": ["relu", "softplus"]}, "values[1]", "expected one of"),
    ({"field": "training.loss", "values": ["cross_entropy", "bce_with_logits", "mse"], "bad_base": True},
     "base.network.layers[2].out_features", "3 classes"),
    ({"field": "training.batch_size", "values": [8, 0]}, "values[1]", "greater than or equal to 1"),
])
def test_bad_races_answer_422_naming_the_field(client, body, field, words):
    spec = base()
    if body.pop("bad_base", False):
        spec["dataset"] = {"name": "iris"}
    res = client.post("/api/races", json={"base": spec, **body})
    assert res.status_code == 422, res.text
    detail = res.json()["detail"][0]
    assert detail["field"] == field and words in detail["msg"], detail
    assert client.get("/api/races").json() == []  # nothing was started


def test_unknown_race_is_404(client):
    assert client.get("/api/races/nope").status_code == 404


def test_an_older_database_gets_the_race_column(tmp_path):
    db = tmp_path / "old.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE jobs (id VARCHAR(32) PRIMARY KEY, name VARCHAR(200), spec JSON, status VARCHAR(16), "
                "created_at VARCHAR(40), started_at VARCHAR(40), finished_at VARCHAR(40), detail TEXT, final JSON, last_seq INTEGER)")
    con.commit()
    con.close()
    Store(f"sqlite:///{db}")
    cols = [r[1] for r in sqlite3.connect(db).execute("PRAGMA table_info(jobs)")]
    assert "race_id" in cols


def test_deep_vs_fat_race_reshapes_the_mlp_at_stated_parameter_counts(client):
    """Spiral: 2 inputs, 2 classes. 1x179: 2*179+179 + 179*2+2 = 897 parameters; 4x16: (2*16+16)
    + 3*(16*16+16) + (16*2+2) = 898, about equal; each run reports its count."""
    body = {"name": "deep vs fat", "base": base(epochs=1), "field": "hidden", "values": ["1x179", "4x16"]}
    res = client.post("/api/races", json=body)
    assert res.status_code == 201, res.text
    runs = res.json()["runs"]
    assert [r["params"] for r in runs] == [897, 898]
    deep = runs[1]["job"]["spec"]["network"]["layers"]
    assert [(layer["type"], layer.get("out_features")) for layer in deep] == \
        [("linear", 16), ("tanh", None)] * 4 + [("linear", 2)]
    assert all(wait_done(client, r["job"]["id"])["status"] == "completed" for r in runs)
    bad = client.post("/api/races", json={**body, "values": ["1x179", "wide"]})
    assert bad.status_code == 422 and "'<depth>x<width>'" in bad.text
