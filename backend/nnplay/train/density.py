"""Density estimation on a 2-D set: a Gaussian mixture (scikit-learn's ``GaussianMixture``, EM, full
covariances) and a Gaussian kernel density estimate (scikit-learn's ``KernelDensity``, isotropic
bandwidth ``h`` in data units: ``p(x) = 1/n sum_i N(x; x_i, h^2 I)``; Rosenblatt 1956, Parzen 1962),
both fitted on the training part and scored on the held-out part as the mean log-likelihood in nats per
point (higher is better). Densities are per squared data unit.

Over-smoothing (large ``h``, few components) blurs the shape; under-smoothing (small ``h``) puts a spike
on every training point: the training score rises without end while the held-out score falls. The
bandwidth and component sweeps show both.
"""

import numpy as np
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KernelDensity
from threadpoolctl import threadpool_limits

from nnplay.data.points import point_set
from nnplay.spec.foundations import MAX_K, DensitySpec

BANDWIDTHS = np.geomspace(0.01, 3.0, 16)  # the sweep, data units
MARGIN = 0.15  # the grid reaches this fraction of the data's span past it on every side


def split(spec: DensitySpec) -> tuple[np.ndarray, np.ndarray]:
    """Training and held-out points ``(n_train, 2)``, ``(n_test, 2)``: ``train_test_split`` with the seed."""
    x, _ = point_set(spec.dataset, spec.n_points, spec.noise, spec.seed)
    train, test = train_test_split(x, test_size=spec.test_fraction, random_state=spec.seed)
    return train, test


def grid(points: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Axes ``x`` ``(G,)``, ``y`` ``(G,)`` over the points' box plus ``MARGIN``, and the ``(G*G, 2)``
    grid points in row-major order (row i = ``y[i]``)."""
    lo, hi = points.min(axis=0), points.max(axis=0)
    pad = MARGIN * (hi - lo)
    x, y = np.linspace(lo[0] - pad[0], hi[0] + pad[0], size), np.linspace(lo[1] - pad[1], hi[1] + pad[1], size)
    gy, gx = np.meshgrid(y, x, indexing="ij")  # (G, G) each
    return x, y, np.column_stack([gx.ravel(), gy.ravel()])


def mixture(train: np.ndarray, k: int, seed: int, restarts: int = 3) -> GaussianMixture:
    """scikit-learn's GaussianMixture with ``k`` full-covariance components, k-means start, the best
    of ``restarts`` runs (by training likelihood)."""
    return GaussianMixture(k, covariance_type="full", n_init=restarts, random_state=seed).fit(train)


def kde(train: np.ndarray, bandwidth: float) -> KernelDensity:
    """scikit-learn's Gaussian KernelDensity with an isotropic ``bandwidth`` (data units)."""
    return KernelDensity(bandwidth=bandwidth, kernel="gaussian").fit(train)


def scott(train: np.ndarray) -> float:
    """Scott's rule (1992) for an isotropic kernel: ``n^(-1/(d+4))`` times the mean coordinate std."""
    n, d = train.shape
    return float(n ** (-1 / (d + 4)) * train.std(axis=0, ddof=1).mean())


def scores(model, train: np.ndarray, test: np.ndarray) -> tuple[float, float]:
    """Mean log-likelihood per point (nats) of the training and the held-out points."""
    return float(model.score_samples(train).mean()), float(model.score_samples(test).mean())


def bandwidth_sweep(train: np.ndarray, test: np.ndarray) -> dict:
    """KDE scores over ``BANDWIDTHS``; the best held-out bandwidth and Scott's."""
    pairs = [scores(kde(train, h), train, test) for h in BANDWIDTHS]
    held = [p[1] for p in pairs]
    return {"h": BANDWIDTHS.tolist(), "train_ll": [p[0] for p in pairs], "test_ll": held,
            "best": float(BANDWIDTHS[int(np.argmax(held))]), "scott": scott(train)}


def component_sweep(train: np.ndarray, test: np.ndarray, seed: int) -> dict:
    """Mixture scores for 1..``MAX_K`` components (one run each)."""
    ks = list(range(1, MAX_K + 1))
    pairs = [scores(mixture(train, k, seed, restarts=1), train, test) for k in ks]
    return {"k": ks, "train_ll": [p[0] for p in pairs], "test_ll": [p[1] for p in pairs]}


def run_density(spec: DensitySpec) -> dict:
    """What ``POST /api/density`` answers (one BLAS/OpenMP thread: small arrays, busy machines)."""
    with threadpool_limits(1):
        return _density(spec)


def _density(spec: DensitySpec) -> dict:
    train, test = split(spec)
    gx, gy, points = grid(np.vstack([train, test]), spec.grid)
    g = spec.grid
    gmm, kd = mixture(train, spec.components, spec.seed), kde(train, spec.bandwidth)
    gmm_train, gmm_test = scores(gmm, train, test)
    kde_train, kde_test = scores(kd, train, test)
    return {
        "dataset": spec.dataset, "train": train.tolist(), "test": test.tolist(), "grid": {"x": gx.tolist(), "y": gy.tolist()},
        "gmm": {"components": spec.components, "weights": gmm.weights_.tolist(), "means": gmm.means_.tolist(),
                "covariances": gmm.covariances_.tolist(), "train_ll": gmm_train, "test_ll": gmm_test,
                "density": np.exp(gmm.score_samples(points)).reshape(g, g).tolist()},
        "kde": {"bandwidth": spec.bandwidth, "train_ll": kde_train, "test_ll": kde_test,
                "density": np.exp(kd.score_samples(points)).reshape(g, g).tolist()},
        "bandwidths": bandwidth_sweep(train, test), "components": component_sweep(train, test, spec.seed),
    }
