"""Bayesian vs frequentist linear regression: the MLE, the MAP and the full Gaussian posterior of one
linear model ``y = w . phi(x) + eps`` with ``eps ~ N(0, s^2)`` and the prior ``w ~ N(0, p^2 I)``.

Closed forms (Bishop, *Pattern Recognition and Machine Learning*, 2006, sections 3.1 and 3.3):

- MLE (least squares): ``w = argmin |y - Phi w|^2`` (``numpy.linalg.lstsq``; the minimum-norm solution
  when there are fewer points than features).
- MAP (ridge): ``w = (Phi^T Phi + alpha I)^-1 Phi^T y`` with ``alpha = s^2 / p^2``.
- Posterior: ``S = (Phi^T Phi / s^2 + I / p^2)^-1``, ``m = S Phi^T y / s^2`` (eq. 3.53-3.54; ``m`` is the MAP).
- Predictive at ``x``: ``N(m . phi(x), s^2 + phi(x)^T S phi(x))`` (eq. 3.58-3.59); the 95% band is
  ``+-1.959964`` predictive standard deviations.
- Evidence: ``log N(y; 0, p^2 Phi Phi^T + s^2 I)`` (eq. 3.86, computed in weight space), nats.

x and y are in data units; every array is float64.
"""

import numpy as np
from scipy.stats import norm
from threadpoolctl import threadpool_limits

from nnplay.data.toy import GENERATORS, PLANE_COEF, PLANE_INTERCEPT
from nnplay.spec.foundations import MAX_TRAIN_POINTS, BayesRegressionSpec

N_TEST = 200
Z95 = float(norm.ppf(0.975))  # 1.959964...
SINE_RANGE = (-3.0, 3.0)  # where sine's x are drawn
GRID_1D = (-3.5, 3.5, 141)  # drawn a little past the data, so the band's widening shows
GRID_2D = (-1.5, 1.5, 31)
N_LADDER = (1, 2, 3, 5, 10, 20, 50, 100, 200, 500)


def features(x: np.ndarray, spec: BayesRegressionSpec) -> np.ndarray:
    """The design matrix ``Phi`` ``(N, D)`` for inputs ``x`` ``(N, 1)`` (sine) or ``(N, 2)`` (plane).

    Plane: ``[1, x1, x2]``. Sine, polynomial: ``u^0 .. u^degree`` with ``u = x / 3`` (keeps high powers
    near [-1, 1]). Sine, RBF: ``1`` and ``exp(-(x - c)^2 / (2 width^2))`` for ``centres`` evenly spaced
    ``c`` over [-3, 3].
    """
    if spec.dataset == "plane":
        return np.column_stack([np.ones(len(x)), x])  # (N, 3)
    u = x[:, 0]
    if spec.basis == "polynomial":
        return np.vander(u / 3.0, spec.degree + 1, increasing=True)  # (N, degree + 1)
    centres = np.linspace(*SINE_RANGE, spec.centres)  # (C,)
    bumps = np.exp(-((u[:, None] - centres[None, :]) ** 2) / (2 * spec.width ** 2))  # (N, C)
    return np.column_stack([np.ones(len(u)), bumps])  # (N, C + 1)


def feature_names(spec: BayesRegressionSpec) -> list[str]:
    """One label per column of :func:`features`."""
    if spec.dataset == "plane":
        return ["bias", "x1", "x2"]
    if spec.basis == "polynomial":
        return ["1"] + [f"(x/3)^{d}" if d > 1 else "x/3" for d in range(1, spec.degree + 1)]
    return ["bias"] + [f"rbf@{c:.2f}" for c in np.linspace(*SINE_RANGE, spec.centres)]


def pool(spec: BayesRegressionSpec) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(x_train, y_train, x_test, y_test)``: the first ``n`` of ``MAX_TRAIN_POINTS`` seeded points (so a
    larger ``n`` only adds points) and ``N_TEST`` held-out points from the same draw."""
    x, y = GENERATORS[spec.dataset](MAX_TRAIN_POINTS + N_TEST, spec.noise, spec.seed)
    return x[:spec.n], y[:spec.n], x[MAX_TRAIN_POINTS:], y[MAX_TRAIN_POINTS:]


def mle(phi: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, int]:
    """Least squares ``(w (D,), rank of Phi)``: numpy's lstsq, minimum norm when under-determined."""
    w, _, rank, _ = np.linalg.lstsq(phi, y, rcond=None)
    return w, int(rank)


def ridge(phi: np.ndarray, y: np.ndarray, alpha: float) -> np.ndarray:
    """The MAP weights ``(D,)``: ``(Phi^T Phi + alpha I)^-1 Phi^T y``, no unpenalised intercept."""
    return np.linalg.solve(phi.T @ phi + alpha * np.eye(phi.shape[1]), phi.T @ y)


def posterior(phi: np.ndarray, y: np.ndarray, noise_std: float, prior_std: float) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mean ``(D,)`` and covariance ``(D, D)`` of the weights (eq. 3.53-3.54). The precision is
    inverted through its eigen-decomposition with every eigenvalue held at or above ``1 / prior_std^2``
    (its exact lower bound), so an ill-conditioned basis still gives a symmetric positive-definite
    covariance."""
    precision = phi.T @ phi / noise_std ** 2 + np.eye(phi.shape[1]) / prior_std ** 2  # (D, D)
    values, vectors = np.linalg.eigh(precision)
    values = np.maximum(values, 1 / prior_std ** 2)
    cov = (vectors / values) @ vectors.T  # V diag(1/lambda) V^T
    return cov @ phi.T @ y / noise_std ** 2, (cov + cov.T) / 2


def predictive(phi: np.ndarray, mean: np.ndarray, cov: np.ndarray, noise_std: float) -> tuple[np.ndarray, ...]:
    """At the rows of ``phi`` ``(G, D)``: predictive mean ``(G,)``, the weights' part of the standard
    deviation ``sqrt(phi^T S phi)`` ``(G,)`` and the predictive standard deviation with the noise ``(G,)``."""
    epistemic = np.einsum("gd,de,ge->g", phi, cov, phi)  # (G,)
    return phi @ mean, np.sqrt(np.maximum(epistemic, 0.0)), np.sqrt(epistemic + noise_std ** 2)


def evidence(phi: np.ndarray, y: np.ndarray, noise_std: float, prior_std: float) -> float:
    """Log marginal likelihood ``log p(y | noise_std, prior_std) = log N(y; 0, p^2 Phi Phi^T + s^2 I)`` in
    nats, by the weight-space form (eq. 3.86: ``(D, D)`` matrices only, so n = 500 costs no more than n = 5)."""
    n, d = phi.shape
    a, b = 1 / prior_std ** 2, 1 / noise_std ** 2
    precision = a * np.eye(d) + b * phi.T @ phi  # (D, D), A in eq. 3.81
    m = b * np.linalg.solve(precision, phi.T @ y)  # (D,)
    fit = b / 2 * np.sum((y - phi @ m) ** 2) + a / 2 * m @ m  # E(m_N), eq. 3.82
    logdet = np.linalg.slogdet(precision)[1]
    return float(d / 2 * np.log(a) + n / 2 * np.log(b) - fit - logdet / 2 - n / 2 * np.log(2 * np.pi))


def grid_inputs(dataset: str) -> tuple[np.ndarray, dict]:
    """Inputs where curves are drawn, ``(G, 1)`` or ``(G*G, 2)`` (row-major, x2 = row), and their axes."""
    if dataset == "sine":
        x = np.linspace(*GRID_1D)
        return x[:, None], {"x": x.tolist()}
    axis = np.linspace(*GRID_2D)
    g2, g1 = np.meshgrid(axis, axis, indexing="ij")  # (G, G) each, row i = x2[i]
    return np.column_stack([g1.ravel(), g2.ravel()]), {"x1": axis.tolist(), "x2": axis.tolist()}


def truth(dataset: str, x: np.ndarray) -> np.ndarray:
    """The noise-free target at ``x``: sin(x) or the plane ``2 x1 - 3 x2 + 0.5``."""
    return np.sin(x[:, 0]) if dataset == "sine" else x @ np.array(PLANE_COEF) + PLANE_INTERCEPT


def rmse(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sqrt(np.mean((a - b) ** 2)))


def fit(spec: BayesRegressionSpec, x: np.ndarray, y: np.ndarray) -> dict:
    """The three fits on ``(x, y)``: ``{"mle", "rank", "map", "mean", "cov"}`` (weights ``(D,)``, cov ``(D, D)``)."""
    phi, s = features(x, spec), model_noise(spec)
    w_mle, rank = mle(phi, y)
    mean, cov = posterior(phi, y, s, spec.prior_std)
    return {"phi": phi, "mle": w_mle, "rank": rank, "map": ridge(phi, y, alpha(spec)), "mean": mean, "cov": cov}


def model_noise(spec: BayesRegressionSpec) -> float:
    """The noise standard deviation the model assumes (``noise_std``, else the true ``noise``)."""
    return spec.noise_std if spec.noise_std is not None else spec.noise


def alpha(spec: BayesRegressionSpec) -> float:
    """Ridge's penalty equal to the Gaussian prior: ``noise_std^2 / prior_std^2``."""
    return model_noise(spec) ** 2 / spec.prior_std ** 2


def band_by_n(spec: BayesRegressionSpec) -> list[dict]:
    """For each n of ``N_LADDER``: the mean half-width of the 95% predictive band and of the weights'
    part alone over the data's input range, and the test RMSE of the MLE and of the posterior mean."""
    x_all, y_all, x_test, y_test = pool(spec.model_copy(update={"n": MAX_TRAIN_POINTS}))
    x_in = grid_inputs(spec.dataset)[0]
    x_in = x_in[np.all(np.abs(x_in) <= (3.0 if spec.dataset == "sine" else 1.0), axis=1)]  # inside the data range
    out = []
    for n in N_LADDER:
        f = fit(spec, x_all[:n], y_all[:n])
        _, epi, pred = predictive(features(x_in, spec), f["mean"], f["cov"], model_noise(spec))
        phi_test = features(x_test, spec)
        out.append({"n": n, "band": Z95 * float(pred.mean()), "epistemic_band": Z95 * float(epi.mean()),
                    "rmse_mle": rmse(phi_test @ f["mle"], y_test), "rmse_posterior": rmse(phi_test @ f["mean"], y_test)})
    return out


def samples(mean: np.ndarray, cov: np.ndarray, count: int, seed: int) -> np.ndarray:
    """``count`` weight vectors ``(count, D)`` drawn from ``N(mean, cov)`` (numpy's seeded generator)."""
    return np.random.default_rng(seed).multivariate_normal(mean, cov, size=count, method="eigh")


def run_bayes_regression(spec: BayesRegressionSpec) -> dict:
    """What ``POST /api/bayes/regression`` answers: the data, the three fits' weights, their curves over
    the grid, the posterior's band and samples, test scores, the evidence and the band against n.
    One BLAS thread: the matrices are small and thread pools only contend on a busy machine."""
    with threadpool_limits(1):
        return _bayes_regression(spec)


def _bayes_regression(spec: BayesRegressionSpec) -> dict:
    x, y, x_test, y_test = pool(spec)
    f = fit(spec, x, y)
    s = model_noise(spec)
    x_grid, axes = grid_inputs(spec.dataset)
    phi_grid, phi_test = features(x_grid, spec), features(x_test, spec)
    mean, epi, pred = predictive(phi_grid, f["mean"], f["cov"], s)
    draws = samples(f["mean"], f["cov"], spec.samples, spec.seed)
    test_mean, _, test_std = predictive(phi_test, f["mean"], f["cov"], s)
    return {
        "dataset": spec.dataset, "basis": None if spec.dataset == "plane" else spec.basis,
        "features": feature_names(spec), "n": spec.n, "noise": spec.noise, "noise_std": s,
        "prior_std": spec.prior_std, "alpha": alpha(spec),
        "train": {"x": x.tolist(), "y": y.tolist()}, "grid": axes, "truth": truth(spec.dataset, x_grid).tolist(),
        "true_weights": [PLANE_INTERCEPT, *PLANE_COEF] if spec.dataset == "plane" else None,
        "mle": {"weights": f["mle"].tolist(), "rank": f["rank"], "underdetermined": f["rank"] < phi_grid.shape[1],
                "curve": (phi_grid @ f["mle"]).tolist(), "test_rmse": rmse(phi_test @ f["mle"], y_test)},
        "map": {"weights": f["map"].tolist(), "curve": (phi_grid @ f["map"]).tolist(),
                "test_rmse": rmse(phi_test @ f["map"], y_test)},
        "posterior": {"mean": f["mean"].tolist(), "cov": f["cov"].tolist(), "std": np.sqrt(np.diag(f["cov"])).tolist(),
                      "curve": mean.tolist(), "epistemic_std": epi.tolist(), "predictive_std": pred.tolist(),
                      "sample_weights": draws.tolist(), "samples": (draws @ phi_grid.T).tolist(),
                      "test_rmse": rmse(test_mean, y_test),
                      "test_nll": float(-norm.logpdf(y_test, test_mean, test_std).mean()),
                      "log_evidence": evidence(f["phi"], y, s, spec.prior_std)},
        "z95": Z95, "n_test": N_TEST, "band_by_n": band_by_n(spec),
    }
