"""Unlabelled 2-D point sets for clustering and density estimation.

``blobs`` and ``moons`` come from scikit-learn (``make_blobs``, ``make_moons``); the rest are the toy
classification sets of ``nnplay.data.toy`` with their labels kept only as the generating groups (never
shown to a clustering method). Coordinates are in data units, float64 ``(n, 2)``.
"""

import numpy as np
from sklearn.datasets import make_blobs, make_moons

from nnplay.data.toy import GENERATORS

BLOB_CENTRES = ((-2.0, -1.0), (2.0, -1.5), (0.0, 2.0), (2.5, 2.5))
BLOB_STDS = (0.6, 0.4, 0.8, 0.3)


def blobs(n_points: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Four Gaussian blobs (``BLOB_CENTRES``) of unequal standard deviations ``BLOB_STDS`` + ``noise``."""
    return make_blobs(n_samples=n_points, centers=np.array(BLOB_CENTRES), random_state=seed,
                      cluster_std=[s + noise for s in BLOB_STDS])


def moons(n_points: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles (``make_moons``), Gaussian ``noise`` on each coordinate."""
    return make_moons(n_samples=n_points, noise=noise, random_state=seed)


def point_set(name: str, n_points: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``(X, groups)``: points float64 ``(n_points, 2)`` and the generating group of each, int ``(n_points,)``.

    ``name`` is ``blobs``, ``moons`` or a 2-D toy set (``circle``, ``xor``, ``gaussian``, ``spiral``);
    the spec layer has already refused any other (KeyError here otherwise).
    """
    maker = {"blobs": blobs, "moons": moons}.get(name) or GENERATORS[name]
    x, groups = maker(n_points, noise, seed)
    return np.asarray(x, dtype=np.float64), np.asarray(groups, dtype=np.int64)
