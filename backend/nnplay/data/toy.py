"""Seeded synthetic sets in the spirit of TensorFlow Playground.

Classification (circle, xor, gaussian, spiral): ``(X, y)`` with ``X`` float64 ``(n_samples, 2)`` in data
units and ``y`` int ``(n_samples,)``; ``noise`` is the standard deviation of Gaussian noise added to each
coordinate. Regression (sine, plane): ``X`` float64 ``(n_samples, 1)`` or ``(n_samples, 2)`` and ``y``
float64 ``(n_samples,)``; ``noise`` is the standard deviation of Gaussian noise added to the target.
"""

import numpy as np
from sklearn.datasets import make_blobs, make_circles


def circle(n_samples: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A disc inside a ring (class 1 inside); scikit-learn's ``make_circles`` with factor 0.5."""
    x, y = make_circles(n_samples=n_samples, noise=noise, factor=0.5, random_state=seed)
    return x, y


def xor(n_samples: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Points uniform in [-1, 1]^2, class 1 where x0 * x1 > 0 (labels set before the noise)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size=(n_samples, 2))
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)
    return x + rng.normal(0.0, noise, size=x.shape), y


def gaussian(n_samples: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian blobs centred at (-1, -1) and (1, 1), standard deviation 0.4 + noise."""
    x, y = make_blobs(n_samples=n_samples, centers=[[-1.0, -1.0], [1.0, 1.0]],
                      cluster_std=0.4 + noise, random_state=seed)
    return x, y


def spiral(n_samples: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved arms of an Archimedean spiral (radius grows with angle), one per class."""
    rng = np.random.default_rng(seed)
    y = np.arange(n_samples) % 2
    t = rng.uniform(0.0, 1.0, size=n_samples)
    angle = 1.75 * t * 2 * np.pi + np.pi * y  # (N,)
    x = np.stack([t * np.cos(angle), t * np.sin(angle)], axis=1)  # (N, 2)
    return x + rng.normal(0.0, noise / 2, size=x.shape), y.astype(np.int64)


PLANE_COEF = (2.0, -3.0)  # y = 2 x1 - 3 x2 + 0.5 + noise
PLANE_INTERCEPT = 0.5


def sine(n_samples: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """x uniform in [-3, 3] (about one period), y = sin(x) + N(0, noise^2)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3.0, 3.0, size=(n_samples, 1))
    return x, np.sin(x[:, 0]) + rng.normal(0.0, noise, size=n_samples)


def plane(n_samples: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """x uniform in [-1, 1]^2, y = 2 x1 - 3 x2 + 0.5 + N(0, noise^2) (``PLANE_COEF``, ``PLANE_INTERCEPT``)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size=(n_samples, 2))
    y = x @ np.array(PLANE_COEF) + PLANE_INTERCEPT
    return x, y + rng.normal(0.0, noise, size=n_samples)


GENERATORS = {"circle": circle, "xor": xor, "gaussian": gaussian, "spiral": spiral, "sine": sine, "plane": plane}
