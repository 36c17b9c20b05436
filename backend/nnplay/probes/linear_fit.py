"""A linear regression's learned parameters beside the least-squares solution, in data units.

The network sees standardised features ``z = (x - mean) / std`` (training statistics, see
``nnplay.data.registry.train_features``), so its layer computes ``y = w_z . z + b_z``; in the data's
own units that is ``y = w . x + b`` with ``w = w_z / std`` and ``b = b_z - sum(w_z * mean / std)``.
The least-squares solution minimises the mean squared error over the same training points exactly
(``numpy.linalg.lstsq`` on ``[x, 1]``), the optimum that gradient descent on the mse loss approaches.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Line:
    """``y = weights . x + bias`` in data units: ``weights`` ``(F,)``, ``bias`` a float."""

    weights: list[float]
    bias: float


def least_squares(x: np.ndarray, y: np.ndarray) -> Line:
    """The ordinary least-squares fit with an intercept of ``y (N,)`` on ``x (N, F)``."""
    design = np.hstack([x, np.ones((len(x), 1))])  # (N, F + 1)
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    return Line([float(c) for c in coef[:-1]], float(coef[-1]))


def to_data_units(weight: np.ndarray, bias: float, mean: np.ndarray, std: np.ndarray) -> Line:
    """A layer's ``weight (1, F)`` and ``bias`` on standardised input, as weights and bias on raw ``x``."""
    w = np.asarray(weight, dtype=np.float64).reshape(-1) / std  # (F,)
    return Line([float(v) for v in w], float(bias - np.dot(w, mean)))


def mse(line: Line, x: np.ndarray, y: np.ndarray) -> float:
    """Mean squared error of ``line`` on ``x (N, F)``, ``y (N,)``."""
    return float(np.mean((x @ np.asarray(line.weights) + line.bias - y) ** 2))
