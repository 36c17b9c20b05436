"""POST /api/bayes/regression: the MLE is numpy.linalg.lstsq's, the MAP is sklearn's Ridge with
alpha = noise_std^2 / prior_std^2, the posterior is sklearn's BayesianRidge with its precisions held
fixed (a Gamma hyperprior of vanishing variance) and the function-space (Gaussian-process) closed form;
the band narrows as n grows; bad inputs answer 422 naming the field."""

import numpy as np
import pytest
from scipy.stats import multivariate_normal
from sklearn.linear_model import BayesianRidge, Ridge

from nnplay.data.toy import GENERATORS

POOL = 500  # MAX_TRAIN_POINTS: the training points are the first n of this many


def data(dataset: str, n: int, noise: float, seed: int):
    x, y = GENERATORS[dataset](POOL + 200, noise, seed)
    return x[:n], y[:n]


def poly(x, degree):
    return np.vander(x[:, 0] / 3.0, degree + 1, increasing=True)


def fixed_bayesian_ridge(phi, y, noise_std, prior_std):
    """sklearn's BayesianRidge with alpha (noise precision) and lambda (weight precision) pinned: each
    Gamma hyperprior has mean = the wanted precision and a variance of ~1e-12 of it, so its updates stay put."""
    c = 1e12
    a, lam = 1 / noise_std ** 2, 1 / prior_std ** 2
    model = BayesianRidge(fit_intercept=False, alpha_init=a, lambda_init=lam, alpha_1=c * a, alpha_2=c,
                          lambda_1=c * lam, lambda_2=c, max_iter=300, tol=1e-12)
    model.fit(phi, y)
    assert model.alpha_ == pytest.approx(a, rel=1e-6) and model.lambda_ == pytest.approx(lam, rel=1e-6)
    return model


@pytest.mark.parametrize("noise_std,prior_std", [(None, 1.0), (0.5, 0.3)])
def test_sine_polynomial_matches_lstsq_ridge_and_bayesian_ridge(client, noise_std, prior_std):
    body = {"dataset": "sine", "n": 12, "noise": 0.2, "noise_std": noise_std, "prior_std": prior_std,
            "basis": "polynomial", "degree": 6, "samples": 4, "seed": 3}
    res = client.post("/api/bayes/regression", json=body)
    assert res.status_code == 200, res.text
    out = res.json()
    s = noise_std or 0.2
    x, y = data("sine", 12, 0.2, 3)
    assert np.allclose(out["train"]["x"], x) and np.allclose(out["train"]["y"], y)
    phi = poly(x, 6)
    np.testing.assert_allclose(out["mle"]["weights"], np.linalg.lstsq(phi, y, rcond=None)[0], rtol=1e-6, atol=1e-8)
    alpha = s ** 2 / prior_std ** 2
    assert out["alpha"] == pytest.approx(alpha)
    ridge = Ridge(alpha=alpha, fit_intercept=False, solver="cholesky").fit(phi, y)
    np.testing.assert_allclose(out["map"]["weights"], ridge.coef_, rtol=1e-6, atol=1e-9)
    br = fixed_bayesian_ridge(phi, y, s, prior_std)
    np.testing.assert_allclose(out["posterior"]["mean"], br.coef_, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(out["posterior"]["cov"], br.sigma_, rtol=1e-5, atol=1e-10)
    grid = np.array(out["grid"]["x"])[:, None]
    mean, std = br.predict(poly(grid, 6), return_std=True)  # std includes the noise: sqrt(phi S phi + 1/alpha)
    np.testing.assert_allclose(out["posterior"]["curve"], mean, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(out["posterior"]["predictive_std"], std, rtol=1e-5)
    assert np.array(out["posterior"]["samples"]).shape == (4, len(grid))


def test_plane_posterior_is_the_function_space_closed_form(client):
    """The weight-space posterior's predictive equals the Gaussian process with kernel p^2 phi(x).phi(x')
    (Rasmussen & Williams 2006, eq. 2.11-2.12), an independent computation."""
    out = client.post("/api/bayes/regression", json={"dataset": "plane", "n": 6, "noise": 0.3, "prior_std": 2.0,
                                                      "seed": 1}).json()
    x, y = data("plane", 6, 0.3, 1)
    phi = np.column_stack([np.ones(6), x])
    axis = np.array(out["grid"]["x1"])
    g2, g1 = np.meshgrid(axis, axis, indexing="ij")
    phis = np.column_stack([np.ones(g1.size), g1.ravel(), g2.ravel()])
    p2, s2 = 4.0, 0.09
    k = p2 * phi @ phi.T + s2 * np.eye(6)
    ks = p2 * phis @ phi.T
    mean = ks @ np.linalg.solve(k, y)
    var = p2 * np.sum(phis * phis, axis=1) - np.sum(ks * np.linalg.solve(k, ks.T).T, axis=1) + s2
    np.testing.assert_allclose(out["posterior"]["curve"], mean, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(out["posterior"]["predictive_std"], np.sqrt(var), rtol=1e-6)
    assert out["features"] == ["bias", "x1", "x2"] and out["true_weights"] == [0.5, 2.0, -3.0]
    assert out["posterior"]["log_evidence"] == pytest.approx(multivariate_normal(np.zeros(6), k).logpdf(y))
    big = client.post("/api/bayes/regression", json={"dataset": "sine", "n": 300, "basis": "rbf", "seed": 2}).json()
    x, y = data("sine", 300, 0.2, 2)  # the evidence in weight space equals the n-dimensional Gaussian's density
    centres = np.linspace(-3, 3, 9)
    phi = np.column_stack([np.ones(300), np.exp(-(x - centres[None]) ** 2 / (2 * 0.7 ** 2))])
    cov = phi @ phi.T + 0.04 * np.eye(300)
    assert big["posterior"]["log_evidence"] == pytest.approx(multivariate_normal(np.zeros(300), cov).logpdf(y), rel=1e-9)


def test_the_band_narrows_as_n_grows_and_the_prior_dominates_with_few_points(client):
    out = client.post("/api/bayes/regression", json={"dataset": "sine", "basis": "rbf", "centres": 9, "n": 3,
                                                      "noise": 0.2, "prior_std": 1.0}).json()
    ladder = out["band_by_n"]
    assert [b["n"] for b in ladder][:3] == [1, 2, 3]
    epistemic = [b["epistemic_band"] for b in ladder]
    assert all(a >= b - 1e-12 for a, b in zip(epistemic, epistemic[1:])), epistemic  # more data, never wider
    assert epistemic[-1] < 0.25 * epistemic[0]
    assert ladder[-1]["band"] == pytest.approx(out["z95"] * 0.2, rel=0.15)  # only the noise is left
    assert out["mle"]["underdetermined"] and out["mle"]["rank"] == 3  # 3 points, 10 features
    for seed in range(3):  # degree 9 from 12 points: least squares overfits, the prior tames it
        wild = client.post("/api/bayes/regression", json={"degree": 9, "n": 12, "noise": 0.2, "seed": seed}).json()
        assert 2 * wild["posterior"]["test_rmse"] < wild["mle"]["test_rmse"], seed


def test_bad_bodies_answer_422_naming_the_field(client):
    for body, field in [({"n": 0}, "n"), ({"n": 501}, "n"), ({"dataset": "circle"}, "dataset"),
                        ({"prior_std": 0}, "prior_std"), ({"degree": 40}, "degree"), ({"samples": 1000}, "samples"),
                        ({"noise": float("nan")}, "noise"), ({"bogus": 1}, "bogus")]:
        res = client.post("/api/bayes/regression", json=body) if field != "noise" else client.post(
            "/api/bayes/regression", content='{"noise": NaN}', headers={"content-type": "application/json"})
        assert res.status_code == 422, (body, res.text)
        assert field in [d["field"] for d in res.json()["detail"]], (body, res.json())


def csv_bytes(header, rows) -> bytes:
    return ("\n".join([",".join(header)] + [",".join(repr(float(v)) for v in r) for r in rows]) + "\n").encode()


def test_an_uploaded_regression_table_is_standardised_and_fitted(client):
    """y = 3 + 2a - b + N(0, 0.5^2), a ~ U(0, 10), b ~ N(5, 2^2): in standardised units the weights are
    2 sd(a) / sd(y) and -sd(b) / sd(y); the MLE is lstsq on the rows the answer reports."""
    rng = np.random.default_rng(7)
    a, b = rng.uniform(0, 10, 800), rng.normal(5, 2, 800)
    y = 3 + 2 * a - b + rng.normal(0, 0.5, 800)
    res = client.post("/api/datasets", files={"file": ("lin.csv", csv_bytes(["a", "b", "y"], zip(a, b, y)), "text/csv")},
                      data={"target": "y", "task": "regression", "name": "lin"})
    assert res.status_code == 201, res.text
    out = client.post("/api/bayes/regression", json={"dataset": "lin", "n": 500, "noise_std": 0.1, "prior_std": 10.0})
    assert out.status_code == 200, out.text
    out = out.json()
    assert out["inputs"] == ["a", "b"] and out["features"] == ["bias", "a", "b"] and out["y_scaled"] and out["basis"] is None
    assert out["n"] == 500 and out["grid"] == {} and out["truth"] is None and out["posterior"]["samples"] == [[]] * 5
    x, ys = np.array(out["train"]["x"]), np.array(out["train"]["y"])
    assert np.allclose(x.mean(axis=0), 0, atol=0.1) and np.allclose(x.std(axis=0), 1, atol=0.1)
    phi = np.column_stack([np.ones(500), x])
    np.testing.assert_allclose(out["mle"]["weights"], np.linalg.lstsq(phi, ys, rcond=None)[0], rtol=1e-6, atol=1e-9)
    sd_y = np.std(y)
    w = out["posterior"]["mean"]
    assert w[1] == pytest.approx(2 * 10 / np.sqrt(12) / sd_y, rel=0.05) and w[2] == pytest.approx(-2 / sd_y, rel=0.1)
    assert out["posterior"]["test_rmse"] == pytest.approx(0.5 / sd_y, rel=0.2)  # only the noise is left
    held = out["held_out"]
    assert len(held["y"]) == out["n_test"] == 160 and len(held["mean"]) == len(held["std"]) == 160


def test_an_uploaded_one_column_set_takes_the_basis_and_bad_names_are_refused(client):
    rng = np.random.default_rng(3)
    x = rng.uniform(-2, 2, 300)
    res = client.post("/api/datasets", files={"file": ("sq.csv", csv_bytes(["x", "y"], zip(x, x ** 2 + rng.normal(0, 0.1, 300))), "text/csv")},
                      data={"target": "y", "task": "regression", "name": "square"})
    assert res.status_code == 201, res.text
    out = client.post("/api/bayes/regression", json={"dataset": "square", "n": 500, "degree": 2}).json()
    assert out["n"] == out["n_available"] == 240 and out["features"] == ["1", "x/3", "(x/3)^2"]
    assert len(out["grid"]["x"]) == len(out["posterior"]["curve"]) and out["truth"] is None
    assert out["posterior"]["test_rmse"] < 0.2  # a parabola, in standardised units
    for name in ("nosuch", "digits", "circle"):
        res = client.post("/api/bayes/regression", json={"dataset": name})
        assert res.status_code == 422 and res.json()["detail"][0]["field"] == "dataset", res.text
