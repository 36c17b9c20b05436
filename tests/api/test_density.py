"""POST /api/density: the kernel density estimate is 1/n sum N(x; x_i, h^2 I) (computed here with scipy),
the mixture's density is sum_k w_k N(x; mu_k, Sigma_k) with the parameters it reports, both integrate to
about 1 over the grid, held-out scores are in nats per point and show under- and over-smoothing; bad
inputs answer 422 naming the field."""

import numpy as np
import pytest
from scipy.special import logsumexp
from scipy.stats import multivariate_normal
from sklearn.model_selection import train_test_split

from nnplay.data.points import point_set


def kde_logpdf(points, train, h):
    """The oracle: log of the mean of isotropic Gaussian kernels, by hand."""
    d2 = ((points[:, None, :] - train[None, :, :]) ** 2).sum(axis=2)  # (M, n)
    return logsumexp(-d2 / (2 * h * h), axis=1) - np.log(len(train)) - np.log(2 * np.pi * h * h)


def mixture_logpdf(points, g):
    parts = [np.log(w) + multivariate_normal(m, c).logpdf(points) for w, m, c in zip(g["weights"], g["means"], g["covariances"])]
    return logsumexp(np.column_stack(parts), axis=1)


def integral(density, grid):
    dx, dy = np.diff(grid["x"])[0], np.diff(grid["y"])[0]
    return float(np.sum(density) * dx * dy)


@pytest.mark.parametrize("dataset,seed", [("moons", 0), ("blobs", 1)])
def test_densities_match_their_formulas_and_integrate_to_one(client, dataset, seed):
    res = client.post("/api/density", json={"dataset": dataset, "seed": seed, "n_points": 300, "bandwidth": 0.25,
                                            "components": 3, "grid": 80})
    assert res.status_code == 200, res.text
    out = res.json()
    x, _ = point_set(dataset, 300, 0.1, seed)
    train, test = train_test_split(x, test_size=0.3, random_state=seed)
    assert np.allclose(out["train"], train) and np.allclose(out["test"], test) and len(test) == 90
    assert out["kde"]["test_ll"] == pytest.approx(kde_logpdf(test, train, 0.25).mean(), rel=1e-9)
    assert out["kde"]["train_ll"] == pytest.approx(kde_logpdf(train, train, 0.25).mean(), rel=1e-9)
    g = out["gmm"]
    assert len(g["weights"]) == 3 and sum(g["weights"]) == pytest.approx(1.0)
    assert g["test_ll"] == pytest.approx(mixture_logpdf(test, g).mean(), rel=1e-9)
    gx, gy = np.meshgrid(out["grid"]["x"], out["grid"]["y"])  # row i = y[i]
    pts = np.column_stack([gx.ravel(), gy.ravel()])
    np.testing.assert_allclose(np.array(out["kde"]["density"]).ravel(), np.exp(kde_logpdf(pts, train, 0.25)), rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(np.array(g["density"]).ravel(), np.exp(mixture_logpdf(pts, g)), rtol=1e-6, atol=1e-15)
    assert integral(out["kde"]["density"], out["grid"]) == pytest.approx(1.0, abs=0.06)
    assert integral(g["density"], out["grid"]) == pytest.approx(1.0, abs=0.06)


def test_the_held_out_score_punishes_under_and_over_smoothing(client):
    for seed in range(3):
        out = client.post("/api/density", json={"dataset": "moons", "seed": seed, "n_points": 400}).json()
        sweep = out["bandwidths"]
        h, held, fit = np.array(sweep["h"]), np.array(sweep["test_ll"]), np.array(sweep["train_ll"])
        best = int(np.argmax(held))
        assert h[best] == pytest.approx(sweep["best"]) and 0 < best < len(h) - 1  # an interior optimum
        assert held[0] < held[best] - 1 and held[-1] < held[best] - 1  # too spiky, too smooth: both worse
        assert np.all(np.diff(fit) < 0)  # the training score only rises as h shrinks: it cannot choose h
        assert fit[0] > held[0] + 5
        comps = out["components"]
        assert comps["k"] == list(range(1, 9)) and max(comps["test_ll"]) > comps["test_ll"][0]
        assert sweep["scott"] > 0


def test_bad_bodies_answer_422_naming_the_field(client):
    for body, field in [({"bandwidth": 0}, "bandwidth"), ({"bandwidth": 50}, "bandwidth"), ({"components": 9}, "components"),
                        ({"n_points": 5000}, "n_points"), ({"grid": 500}, "grid"), ({"test_fraction": 0.9}, "test_fraction"),
                        ({"dataset": "sine"}, "dataset")]:
        res = client.post("/api/density", json=body)
        assert res.status_code == 422, (body, res.text)
        assert field in [d["field"] for d in res.json()["detail"]], (body, res.json())
