"""McNemar's exact test on two finished jobs' test predictions (GET /api/compare)."""

import numpy as np
import pytest
import torch
from scipy.stats import binomtest

from nnplay.jobs.compare import conclusion, mcnemar
from tests.api.helpers import wait_done
from tests.conftest import job_spec


def test_mcnemar_matches_scipy_on_a_constructed_pair():
    # 100 examples: both right on 70, only a on 15, only b on 5, both wrong on 10
    a = np.array([True] * 70 + [True] * 15 + [False] * 5 + [False] * 10)
    b = np.array([True] * 70 + [False] * 15 + [True] * 5 + [False] * 10)
    out = mcnemar(a, b)
    assert (out["b_count"], out["c_count"], out["both_correct"], out["both_wrong"]) == (15, 5, 70, 10)
    assert out["p_value"] == pytest.approx(binomtest(15, 20, 0.5).pvalue, rel=1e-12)
    assert out["p_value"] == pytest.approx(0.041389, abs=1e-6)  # 2 * P(X >= 15), X ~ Bin(20, 1/2)
    assert "significant at the 5% level" in conclusion("A", "B", 15, 5, out["p_value"])
    same = mcnemar(a, a)
    assert same["p_value"] == 1.0 and "nothing" in conclusion("A", "B", 0, 0, 1.0)
    assert "No significant difference" in conclusion("A", "B", 6, 4, binomtest(6, 10).pvalue)


LOGREG = [{"type": "linear", "out_features": 2}]
MLP = [{"type": "linear", "out_features": 16}, {"type": "tanh"}, {"type": "linear", "out_features": 16},
       {"type": "tanh"}, {"type": "linear", "out_features": 2}]


def run(client, layers, dataset, **training):
    job = client.post("/api/jobs", json=job_spec(layers, dataset, **training)).json()
    done = wait_done(client, job["id"])
    assert done["status"] == "completed"
    return done


def test_compare_two_real_jobs(client):
    data = {"name": "circle", "n_samples": 400, "noise": 0.1}
    linear = run(client, LOGREG, data, epochs=5, lr=0.05)
    mlp = run(client, MLP, data, epochs=40, lr=0.02)
    r = client.get("/api/compare", params={"a": linear["id"], "b": mlp["id"]})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["n_test"] == 80
    assert out["a"]["accuracy"] == pytest.approx(linear["final"]["test_accuracy"])
    assert out["b"]["accuracy"] == pytest.approx(mlp["final"]["test_accuracy"])
    assert out["b"]["correct"] - out["a"]["correct"] == out["c_count"] - out["b_count"]
    assert out["both_correct"] + out["both_wrong"] + out["b_count"] + out["c_count"] == 80
    assert out["p_value"] == pytest.approx(binomtest(out["b_count"], out["b_count"] + out["c_count"]).pvalue)
    assert out["c_count"] > out["b_count"] and out["p_value"] < 0.05  # a line cannot separate a circle
    assert "significant" in out["conclusion"]


def test_compare_refuses_what_it_cannot_pair(client):
    a = run(client, LOGREG, {"name": "gaussian", "n_samples": 100}, epochs=1)
    other_seed = run(client, LOGREG, {"name": "gaussian", "n_samples": 100, "seed": 1}, epochs=1)
    r = client.get("/api/compare", params={"a": a["id"], "b": other_seed["id"]})
    assert r.status_code == 409 and "different test sets" in r.json()["detail"] and "seed: 0 vs 1" in r.json()["detail"]
    sine = [run(client, [{"type": "linear", "out_features": 1}], {"name": "sine", "n_samples": 50}, loss="mse", epochs=1)
            for _ in range(2)]
    r = client.get("/api/compare", params={"a": sine[0]["id"], "b": sine[1]["id"]})
    assert r.status_code == 409 and "regression" in r.json()["detail"]
    long = client.post("/api/jobs", json=job_spec(LOGREG, {"name": "gaussian", "n_samples": 100}, epochs=300)).json()
    r = client.get("/api/compare", params={"a": a["id"], "b": long["id"]})
    assert r.status_code == 409 and "finished" in r.json()["detail"]
    client.post(f"/api/jobs/{long['id']}/stop")
    assert client.get("/api/compare", params={"a": a["id"], "b": "nope"}).status_code == 404
    r = client.get("/api/compare", params={"a": a["id"]})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "b"
