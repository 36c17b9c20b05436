"""POST /api/clustering: every k-means and EM iteration is kept; k-means' inertia never increases and
EM's log-likelihood never decreases; scikit-learn's KMeans and GaussianMixture started from the same
state reach the same result; bad inputs answer 422 naming the field."""

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.mixture import GaussianMixture

from nnplay.data.points import point_set
from nnplay.probes.arrays import payload_tensor


def post(client, **body):
    res = client.post("/api/clustering", json={"selection": False, **body})
    assert res.status_code == 200, res.text
    return res.json()


@pytest.mark.parametrize("dataset,k,seed", [("blobs", 4, 0), ("moons", 3, 1), ("gaussian", 2, 2), ("blobs", 6, 5)])
def test_kmeans_matches_sklearn_from_the_same_start_and_inertia_never_increases(client, dataset, k, seed):
    out = post(client, dataset=dataset, k=k, seed=seed, n_points=300, max_iter=100)
    x = np.array(out["points"])
    assert np.allclose(x, point_set(dataset, 300, 0.1, seed)[0])
    km = out["kmeans"]
    inertia = km["inertia"]
    assert len(inertia) == km["iterations"] + 1 == len(km["centres"])
    assert all(b <= a * (1 + 1e-12) for a, b in zip(inertia, inertia[1:])), inertia
    labels = payload_tensor(km["labels"]).round().long().numpy()
    assert labels.shape == (km["iterations"] + 1, 300)
    oracle = KMeans(k, init=np.array(out["start"]), n_init=1, max_iter=300, tol=0, algorithm="lloyd").fit(x)
    np.testing.assert_allclose(km["centres"][-1], oracle.cluster_centers_, atol=1e-9)
    assert np.array_equal(labels[-1], oracle.labels_)
    assert inertia[-1] == pytest.approx(oracle.inertia_, rel=1e-9)
    assert np.array_equal(labels[-1], labels[-2])  # stopped because no assignment changed
    d2 = ((x[:, None] - np.array(km["centres"][0])[None]) ** 2).sum(axis=2)  # frame 0: the start's assignment
    assert np.array_equal(labels[0], d2.argmin(axis=1)) and inertia[0] == pytest.approx(d2.min(axis=1).sum())


@pytest.mark.parametrize("dataset,k,seed,tol", [("blobs", 4, 0, 1e-4), ("moons", 4, 3, 1e-3), ("xor", 3, 1, 1e-4)])
def test_em_matches_sklearn_from_the_same_start_and_loglik_never_decreases(client, dataset, k, seed, tol):
    out = post(client, dataset=dataset, k=k, seed=seed, n_points=400, max_iter=100, tol=tol)
    x = np.array(out["points"])
    gmm = out["gmm"]
    ll = gmm["loglik"]
    assert len(ll) == gmm["iterations"] + 1 == len(gmm["means"]) == len(gmm["covariances"])
    assert all(b >= a - 1e-9 for a, b in zip(ll, ll[1:])), ll
    start = out["em_start"]
    assert np.allclose(start["means"], out["start"]) and np.allclose(gmm["means"][0], out["start"])
    oracle = GaussianMixture(k, covariance_type="full", tol=tol, max_iter=100, reg_covar=1e-6, n_init=1,
                             weights_init=np.array(start["weights"]), means_init=np.array(start["means"]),
                             precisions_init=np.linalg.inv(np.array(start["covariances"]))).fit(x)
    assert oracle.converged_ and oracle.n_iter_ == gmm["iterations"]
    np.testing.assert_allclose(gmm["means"][-1], oracle.means_, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(gmm["covariances"][-1], oracle.covariances_, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(gmm["weights"][-1], oracle.weights_, rtol=1e-6, atol=1e-9)
    assert ll[-2] == pytest.approx(oracle.lower_bound_, rel=1e-9)  # sklearn reports the last in-loop E-step
    assert ll[-1] == pytest.approx(oracle.score(x), rel=1e-9)
    resp = payload_tensor(gmm["responsibilities"]).numpy()
    assert resp.shape == (len(ll), 400, k)
    np.testing.assert_allclose(resp.sum(axis=2), 1.0, atol=1e-5)
    np.testing.assert_allclose(resp[-1], oracle.predict_proba(x), atol=1e-5)


def test_selection_over_k_and_what_the_sets_reveal(client):
    out = client.post("/api/clustering", json={"dataset": "blobs", "k": 4, "n_points": 400}).json()
    sel = out["selection"]
    assert sel["k"] == list(range(1, 9))
    assert all(b <= a for a, b in zip(sel["inertia"], sel["inertia"][1:]))  # more centres, less inertia
    assert int(np.argmin(sel["bic"])) + 1 == 4, sel["bic"]  # BIC finds the four blobs
    assert out["kmeans"]["ari"] > 0.8 and out["gmm"]["ari"] > 0.8
    moons = client.post("/api/clustering", json={"dataset": "moons", "k": 2, "n_points": 400, "selection": False}).json()
    assert moons["kmeans"]["ari"] < 0.6  # the moons are not round: k-means cuts across them


def test_max_iter_caps_the_frames(client):
    out = post(client, dataset="blobs", k=8, max_iter=2, seed=0)
    assert out["kmeans"]["iterations"] <= 2 and len(out["kmeans"]["inertia"]) <= 3
    assert out["gmm"]["iterations"] == 2 and len(out["gmm"]["loglik"]) == 3


def test_bad_bodies_answer_422_naming_the_field(client):
    for body, field in [({"k": 9}, "k"), ({"k": 0}, "k"), ({"n_points": 5000}, "n_points"),
                        ({"n_points": 10, "k": 8, "max_iter": 0}, "max_iter"), ({"n_points": 10, "k": 11}, "k"),
                        ({"max_iter": 101}, "max_iter"), ({"dataset": "mnist"}, "dataset"), ({"tol": -1}, "tol")]:
        res = client.post("/api/clustering", json=body)
        assert res.status_code == 422, (body, res.text)
        assert field in [d["field"] for d in res.json()["detail"]], (body, res.json())
    res = client.post("/api/clustering", json={"n_points": 20, "k": 8 + 1})
    assert "8" in res.text
