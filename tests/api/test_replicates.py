"""Replicate sets: one ordinary job per training seed (a race over training.seed), and two sets compared
seed by seed. Oracles: scipy.stats.ttest_rel, scipy.stats.wilcoxon and the t-interval by hand, on the
test accuracies each job reports itself (GET /api/jobs/{id}); no claim depends on one trajectory."""

import math

import numpy as np
import pytest
from scipy import stats

from tests.api.helpers import wait_done
from tests.conftest import job_spec

MLP = [{"type": "linear", "out_features": 8}, {"type": "tanh"}, {"type": "linear", "out_features": 2}]


def base(**training):
    return job_spec(layers=MLP, dataset={"name": "xor", "n_samples": 120},
                    **{"epochs": 1, "probe_every": 1000, "lr": 0.05, **training})


def start(client, n=3, **training) -> dict:
    res = client.post("/api/replicates", json={"name": training.get("optimizer", "adam"), "base": base(**training),
                                               "n": n, "first_seed": 3})
    assert res.status_code == 201, res.text
    return res.json()


def finals(client, replicate: dict, metric: str) -> list[float]:
    return [wait_done(client, r["job"]["id"])["final"][metric] for r in replicate["runs"]]


def test_two_sets_are_compared_seed_by_seed_as_scipy_does(client):
    a, b = start(client, optimizer="adam"), start(client, optimizer="sgd")
    assert a["field"] == "training.seed" and [r["value"] for r in a["runs"]] == [3, 4, 5]
    assert [r["job"]["spec"]["training"]["seed"] for r in b["runs"]] == [3, 4, 5]
    assert all(r["job"]["race_id"] == a["id"] and r["job"]["name"] == f"adam · training.seed = {r['value']}"
               for r in a["runs"])
    acc_a, acc_b = np.array(finals(client, a, "test_accuracy")), np.array(finals(client, b, "test_accuracy"))
    assert client.get(f"/api/races/{a['id']}").json()["runs"][0]["job"]["status"] == "completed"
    res = client.get("/api/replicates/compare", params={"a": a["id"], "b": b["id"]})
    assert res.status_code == 200, res.text
    out = res.json()
    assert out["seeds"] == [3, 4, 5] and out["n_pairs"] == 3 and out["left_out"] == []
    assert out["a"]["values"] == pytest.approx(acc_a.tolist()) and out["b"]["values"] == pytest.approx(acc_b.tolist())
    d = np.round(acc_b - acc_a, 12)
    assert out["mean_difference"] == pytest.approx(d.mean(), abs=1e-12)
    if np.std(d) > 0:
        ref = stats.ttest_rel(acc_b, acc_a)
        assert out["t_test"]["p_value"] == pytest.approx(ref.pvalue, rel=1e-9)
        half = stats.t.ppf(0.975, 2) * np.std(d, ddof=1) / math.sqrt(3)
        assert out["ci95"] == pytest.approx([d.mean() - half, d.mean() + half], abs=1e-12)
    if np.count_nonzero(d):
        assert out["wilcoxon"]["p_value"] == pytest.approx(stats.wilcoxon(d).pvalue, rel=1e-12)
    assert "is not the probability that the settings are equal" in out["meaning"]
    loss = client.get("/api/replicates/compare", params={"a": a["id"], "b": b["id"], "metric": "test_loss"}).json()
    loss_d = np.array(finals(client, b, "test_loss")) - np.array(finals(client, a, "test_loss"))
    assert loss["metric"] == "test_loss" and loss["mean_difference"] == pytest.approx(loss_d.mean(), abs=1e-9)
    same = client.get("/api/replicates/compare", params={"a": a["id"], "b": a["id"]}).json()
    assert same["differences"] == [0.0] * 3 and same["t_test"]["p_value"] is None and same["wilcoxon"]["p_value"] is None
    assert "every pair has the same test accuracy" in same["conclusion"]


@pytest.mark.parametrize("n, words", [(1, "greater than or equal to 2"), (21, "less than or equal to 20")])
def test_the_number_of_seeds_is_bounded(client, n, words):
    res = client.post("/api/replicates", json={"base": base(), "n": n})
    assert res.status_code == 422
    detail = res.json()["detail"][0]
    assert detail["field"] == "n" and words in detail["msg"], detail
    assert client.get("/api/races").json() == []  # nothing was started


def test_bad_comparisons_are_refused_with_the_reason(client):
    a = start(client, n=2)
    other = client.post("/api/replicates", json={"base": {**base(), "dataset": {"name": "xor", "n_samples": 140}},
                                                 "n": 2}).json()
    race = client.post("/api/races", json={"base": base(), "field": "training.optimizer", "values": ["sgd", "adam"]}).json()
    res = client.get("/api/replicates/compare", params={"a": a["id"], "b": other["id"]})
    assert res.status_code == 409 and "different data" in res.json()["detail"]
    res = client.get("/api/replicates/compare", params={"a": a["id"], "b": race["id"]})
    assert res.status_code == 409 and "not a replicate set" in res.json()["detail"]
    assert client.get("/api/replicates/compare", params={"a": a["id"], "b": "nope"}).status_code == 404
    res = client.get("/api/replicates/compare", params={"a": a["id"], "b": a["id"], "metric": "train_loss"})
    assert res.status_code == 422 and res.json()["detail"][0]["field"] == "metric"
    for run in a["runs"] + other["runs"] + race["runs"]:
        wait_done(client, run["job"]["id"])


def test_a_set_read_as_an_ensemble_matches_its_members_rebuilt(client):
    """Oracles: each member rebuilt from its checkpoint (torch softmax over the same grid), numpy's mean and
    std over members, scipy.stats.entropy for H[mean] and mean H[p_m]; the mutual information is >= 0."""
    import torch
    from scipy.stats import entropy
    from nnplay.nn import build_network
    from nnplay.probes.arrays import payload_tensor
    from nnplay.probes.decision_boundary import grid_points
    from nnplay.spec.network import JobSpec

    s = start(client, n=3)
    for run in s["runs"]:
        wait_done(client, run["job"]["id"])
    res = client.get(f"/api/replicates/{s['id']}/ensemble", params={"resolution": 12})
    assert res.status_code == 200, res.text
    out = res.json()
    members = payload_tensor(out["members"]).numpy()
    assert members.shape == (3, 2, 12, 12) and out["seeds"] == [3, 4, 5]
    svc = client.app.state.service
    grid = grid_points(torch.tensor(out["x1"]), torch.tensor(out["x2"]))  # (144, 2), row-major: x2 slow
    for m, job_id in enumerate(out["job_ids"]):
        spec = JobSpec.model_validate(client.get(f"/api/jobs/{job_id}").json()["spec"])
        model = build_network(spec.network, (2,))
        model.load_state_dict(svc.checkpoints.load(job_id)["model"])
        model.eval()
        with torch.no_grad():
            p = torch.softmax(model(grid), dim=1).T.reshape(2, 12, 12).numpy()
        np.testing.assert_allclose(members[m], p, atol=1e-5)
    np.testing.assert_allclose(payload_tensor(out["mean"]).numpy(), members.mean(0), atol=1e-6)
    np.testing.assert_allclose(payload_tensor(out["std"]).numpy(), members.std(0), atol=1e-6)
    total = entropy(members.mean(0), axis=0)
    expected = np.mean([entropy(members[m], axis=0) for m in range(3)], axis=0)
    np.testing.assert_allclose(payload_tensor(out["entropy"]).numpy(), total, atol=1e-5)
    mi = payload_tensor(out["mutual_info"]).numpy()
    np.testing.assert_allclose(mi, np.clip(total - expected, 0, None), atol=1e-5)
    assert mi.min() >= 0 and len(out["member_accuracy"]) == 3 and 0 <= out["ensemble_accuracy"] <= 1


def test_ensembles_are_refused_with_the_reason(client):
    digits = client.post("/api/replicates", json={"base": job_spec(epochs=1), "n": 2}).json()
    race = client.post("/api/races", json={"base": base(), "field": "training.optimizer", "values": ["sgd", "adam"]}).json()
    for run in digits["runs"] + race["runs"]:
        wait_done(client, run["job"]["id"])
    res = client.get(f"/api/replicates/{digits['id']}/ensemble")
    assert res.status_code == 409 and "not a 2-D classification set" in res.json()["detail"]
    res = client.get(f"/api/replicates/{race['id']}/ensemble")
    assert res.status_code == 409 and "not a replicate set" in res.json()["detail"]
    assert client.get("/api/replicates/nope/ensemble").status_code == 404
    res = client.get(f"/api/replicates/{digits['id']}/ensemble", params={"resolution": 51})
    assert res.status_code == 422 and res.json()["detail"][0]["field"] == "resolution"
