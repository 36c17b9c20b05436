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

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.stats import norm
from threadpoolctl import threadpool_limits

from nnplay.data.registry import find_info, load
from nnplay.data.toy import GENERATORS, PLANE_COEF, PLANE_INTERCEPT
from nnplay.spec.data import DatasetSpec
from nnplay.spec.errors import SpecError
from nnplay.spec.foundations import MAX_TRAIN_POINTS, BayesRegressionSpec

N_TEST = 200
Z95 = float(norm.ppf(0.975))  # 1.959964...
SINE_RANGE = (-3.0, 3.0)  # where sine's x are drawn
GRID_1D = (-3.5, 3.5, 141)  # drawn a little past the data, so the band's widening shows
GRID_2D = (-1.5, 1.5, 31)
N_LADDER = (1, 2, 3, 5, 10, 20, 50, 100, 200, 500)
MAX_UPLOAD_FEATURES = 50
MAX_UPLOAD_TEST = 1000
BUILTIN = ("sine", "plane")


@dataclass
class Problem:
    """A regression problem: a pool of training inputs ``x`` ``(P, F)`` and targets ``y`` ``(P,)`` whose
    first ``n`` are used, held-out ``x_test`` ``(M, F)``, ``y_test`` ``(M,)``; the input columns' names;
    the true weights of ``[1, x]`` where known (the plane); ``y_scaled`` when the targets were
    standardised (uploaded sets: training mean 0, standard deviation 1)."""

    name: str
    x: np.ndarray
    y: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    inputs: tuple[str, ...]
    true_weights: list[float] | None = None
    y_scaled: bool = False


def builtin_problem(spec: BayesRegressionSpec) -> Problem:
    """``sine`` or ``plane``: ``MAX_TRAIN_POINTS`` seeded points (a larger ``n`` with the same seed only
    adds points) and ``N_TEST`` held-out points from the same draw."""
    x, y = GENERATORS[spec.dataset](MAX_TRAIN_POINTS + N_TEST, spec.noise, spec.seed)
    plane = spec.dataset == "plane"
    return Problem(spec.dataset, x[:MAX_TRAIN_POINTS], y[:MAX_TRAIN_POINTS], x[MAX_TRAIN_POINTS:], y[MAX_TRAIN_POINTS:],
                   ("x1", "x2") if plane else ("x",), [PLANE_INTERCEPT, *PLANE_COEF] if plane else None)


def uploaded_problem(spec: BayesRegressionSpec, data_dir: Path | str | None) -> Problem:
    """An uploaded regression set, split and standardised as for training (``nnplay.data.registry.load``
    with the spec's seed; missing values imputed by the training mean), the targets standardised too, at
    most ``MAX_TRAIN_POINTS`` training and ``MAX_UPLOAD_TEST`` held-out rows.

    Raises SpecError at ``dataset`` for an unknown name, a set that is not an uploaded regression table,
    or more than ``MAX_UPLOAD_FEATURES`` feature columns."""
    try:
        info = find_info(spec.dataset, data_dir)
    except SpecError as exc:
        raise SpecError(("dataset",), f"{exc.message}; the Bayesian lab takes sine, plane or an uploaded regression CSV") from exc
    if not (info.uploaded and info.task == "regression" and info.kind == "tabular"):
        raise SpecError(("dataset",), f"'{spec.dataset}' is not an uploaded regression table; the Bayesian lab takes "
                        "sine, plane or an uploaded regression CSV")
    if info.input_shape[0] > MAX_UPLOAD_FEATURES:
        raise SpecError(("dataset",), f"'{spec.dataset}' has {info.input_shape[0]} feature columns; the Bayesian lab "
                        f"takes at most {MAX_UPLOAD_FEATURES}")
    split = load(DatasetSpec(name=spec.dataset, seed=spec.seed), data_dir)
    x, y = split.x_train.double().numpy(), split.y_train.double().numpy()[:, 0]  # (N, F), (N,)
    mu, sd = y.mean(), (y.std() or 1.0)
    names = info.features if len(info.features) == x.shape[1] else tuple(f"x{i + 1}" for i in range(x.shape[1]))
    return Problem(spec.dataset, x[:MAX_TRAIN_POINTS], (y[:MAX_TRAIN_POINTS] - mu) / sd,
                   split.x_test.double().numpy()[:MAX_UPLOAD_TEST],
                   (split.y_test.double().numpy()[:MAX_UPLOAD_TEST, 0] - mu) / sd, tuple(names), y_scaled=True)


def problem(spec: BayesRegressionSpec, data_dir: Path | str | None = None) -> Problem:
    """The built-in set or the uploaded one the spec names."""
    return builtin_problem(spec) if spec.dataset in BUILTIN else uploaded_problem(spec, data_dir)


def features(x: np.ndarray, spec: BayesRegressionSpec) -> np.ndarray:
    """The design matrix ``Phi`` ``(N, D)`` for inputs ``x`` ``(N, F)``.

    Two or more inputs (the plane, uploaded tables): ``[1, x1, .., xF]``. One input (sine, a standardised
    uploaded column), polynomial: ``u^0 .. u^degree`` with ``u = x / 3`` (keeps high powers near [-1, 1]);
    RBF: ``1`` and ``exp(-(x - c)^2 / (2 width^2))`` for ``centres`` evenly spaced ``c`` over [-3, 3].
    """
    if x.shape[1] > 1:
        return np.column_stack([np.ones(len(x)), x])  # (N, F + 1)
    u = x[:, 0]
    if spec.basis == "polynomial":
        return np.vander(u / 3.0, spec.degree + 1, increasing=True)  # (N, degree + 1)
    centres = np.linspace(*SINE_RANGE, spec.centres)  # (C,)
    bumps = np.exp(-((u[:, None] - centres[None, :]) ** 2) / (2 * spec.width ** 2))  # (N, C)
    return np.column_stack([np.ones(len(u)), bumps])  # (N, C + 1)


def feature_names(spec: BayesRegressionSpec, inputs: tuple[str, ...]) -> list[str]:
    """One label per column of :func:`features`, for inputs named ``inputs``."""
    if len(inputs) > 1:
        return ["bias", *inputs]
    if spec.basis == "polynomial":
        return ["1"] + [f"(x/3)^{d}" if d > 1 else "x/3" for d in range(1, spec.degree + 1)]
    return ["bias"] + [f"rbf@{c:.2f}" for c in np.linspace(*SINE_RANGE, spec.centres)]


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


def grid_inputs(p: Problem) -> tuple[np.ndarray, dict]:
    """Inputs where curves are drawn, ``(G, 1)`` for one input, ``(G*G, 2)`` for the plane (row-major,
    x2 = row), ``(0, F)`` for wider tables (nothing to draw over); and their axes."""
    if p.x.shape[1] == 1:
        x = np.linspace(*GRID_1D)
        return x[:, None], {"x": x.tolist()}
    if p.name != "plane":
        return np.zeros((0, p.x.shape[1])), {}
    axis = np.linspace(*GRID_2D)
    g2, g1 = np.meshgrid(axis, axis, indexing="ij")  # (G, G) each, row i = x2[i]
    return np.column_stack([g1.ravel(), g2.ravel()]), {"x1": axis.tolist(), "x2": axis.tolist()}


def truth(name: str, x: np.ndarray) -> list[float] | None:
    """The noise-free target at ``x``: sin(x) or the plane ``2 x1 - 3 x2 + 0.5``; None for uploaded sets."""
    if name == "sine":
        return np.sin(x[:, 0]).tolist()
    return (x @ np.array(PLANE_COEF) + PLANE_INTERCEPT).tolist() if name == "plane" else None


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


def band_by_n(spec: BayesRegressionSpec, p: Problem) -> list[dict]:
    """For each n of ``N_LADDER`` the pool holds (and the whole pool): the mean half-width of the 95%
    predictive band and of the weights' part alone at the held-out inputs, and the held-out RMSE of the
    MLE and of the posterior mean."""
    phi_test, out = features(p.x_test, spec), []
    for n in sorted({*(m for m in N_LADDER if m <= len(p.x)), len(p.x)}):
        f = fit(spec, p.x[:n], p.y[:n])
        _, epi, pred = predictive(phi_test, f["mean"], f["cov"], model_noise(spec))
        out.append({"n": n, "band": Z95 * float(pred.mean()), "epistemic_band": Z95 * float(epi.mean()),
                    "rmse_mle": rmse(phi_test @ f["mle"], p.y_test), "rmse_posterior": rmse(phi_test @ f["mean"], p.y_test)})
    return out


def samples(mean: np.ndarray, cov: np.ndarray, count: int, seed: int) -> np.ndarray:
    """``count`` weight vectors ``(count, D)`` drawn from ``N(mean, cov)`` (numpy's seeded generator)."""
    return np.random.default_rng(seed).multivariate_normal(mean, cov, size=count, method="eigh")


def run_bayes_regression(spec: BayesRegressionSpec, data_dir: Path | str | None = None) -> dict:
    """What ``POST /api/bayes/regression`` answers: the data, the three fits' weights, their curves over
    the grid, the posterior's band and samples, held-out scores, the evidence and the band against n.
    One BLAS thread: the matrices are small and thread pools only contend on a busy machine. Raises
    SpecError at ``dataset`` for a name that is not sine, plane or an uploaded regression table."""
    with threadpool_limits(1):
        return _bayes_regression(spec, problem(spec, data_dir))


def _bayes_regression(spec: BayesRegressionSpec, p: Problem) -> dict:
    n = min(spec.n, len(p.x))
    x, y = p.x[:n], p.y[:n]
    f, s = fit(spec, x, y), model_noise(spec)
    x_grid, axes = grid_inputs(p)
    phi_grid, phi_test = features(x_grid, spec), features(p.x_test, spec)
    mean, epi, pred = predictive(phi_grid, f["mean"], f["cov"], s)
    draws = samples(f["mean"], f["cov"], spec.samples, spec.seed)
    test_mean, _, test_std = predictive(phi_test, f["mean"], f["cov"], s)
    return {
        "dataset": p.name, "basis": spec.basis if x.shape[1] == 1 else None, "inputs": list(p.inputs),
        "features": feature_names(spec, p.inputs), "n": n, "n_available": len(p.x), "noise": spec.noise,
        "noise_std": s, "prior_std": spec.prior_std, "alpha": alpha(spec), "y_scaled": p.y_scaled,
        "train": {"x": x.tolist(), "y": y.tolist()}, "grid": axes, "truth": truth(p.name, x_grid),
        "true_weights": p.true_weights,
        "mle": {"weights": f["mle"].tolist(), "rank": f["rank"], "underdetermined": f["rank"] < phi_test.shape[1],
                "curve": (phi_grid @ f["mle"]).tolist(), "test_rmse": rmse(phi_test @ f["mle"], p.y_test)},
        "map": {"weights": f["map"].tolist(), "curve": (phi_grid @ f["map"]).tolist(),
                "test_rmse": rmse(phi_test @ f["map"], p.y_test)},
        "posterior": {"mean": f["mean"].tolist(), "cov": f["cov"].tolist(), "std": np.sqrt(np.diag(f["cov"])).tolist(),
                      "curve": mean.tolist(), "epistemic_std": epi.tolist(), "predictive_std": pred.tolist(),
                      "sample_weights": draws.tolist(), "samples": (draws @ phi_grid.T).tolist(),
                      "test_rmse": rmse(test_mean, p.y_test),
                      "test_nll": float(-norm.logpdf(p.y_test, test_mean, test_std).mean()),
                      "log_evidence": evidence(f["phi"], y, s, spec.prior_std)},
        "held_out": {"y": p.y_test.tolist(), "mean": test_mean.tolist(), "std": test_std.tolist()},
        "z95": Z95, "n_test": len(p.y_test), "band_by_n": band_by_n(spec, p),
    }
