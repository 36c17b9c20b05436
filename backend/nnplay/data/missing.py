"""Missing feature values: removal completely at random (MCAR) and imputation from the training part.

Arrays are float64 ``(N, F)`` (images flattened to ``F = C*H*W``); a missing value is ``NaN``.
"""

import numpy as np

MISSING_SEED_TAG = 0x4D495353  # "MISS": keeps the mask's stream apart from the other seeded draws


def remove_at_random(x: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, int]:
    """A copy of ``x`` ``(N, F)`` with each value set to NaN independently with probability ``fraction``
    (missing completely at random, Rubin 1976), and how many values were removed. Seeded by ``seed``."""
    out = np.array(x, dtype=np.float64, copy=True)
    if fraction <= 0:
        return out, 0
    mask = np.random.default_rng([seed, MISSING_SEED_TAG]).random(out.shape) < fraction  # (N, F)
    removed = int((mask & ~np.isnan(out)).sum())
    out[mask] = np.nan
    return out, removed


def fill_values(x_train: np.ndarray, how: str) -> np.ndarray:
    """What fills a missing value of each feature, ``(F,)``: the mean of the training part's observed
    values (``mean``, ``mean_with_indicator``; 0 for a feature never observed), or 0 (``zero``)."""
    if how == "zero":
        return np.zeros(x_train.shape[1])
    observed = ~np.isnan(x_train)  # (N, F)
    sums = np.where(observed, x_train, 0.0).sum(axis=0)  # (F,)
    counts = observed.sum(axis=0)  # (F,)
    return np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)


def impute(x_train: np.ndarray, x_test: np.ndarray, how: str) -> tuple[np.ndarray, ...]:
    """Fill NaNs in both parts with ``fill_values(x_train, how)``; returns ``(x_train, x_test,
    mask_train, mask_test)`` where the masks ``(N, F)`` are 1.0 where a value was missing."""
    fill = fill_values(x_train, how)  # (F,)
    out = []
    for part in (x_train, x_test):
        missing = np.isnan(part)
        out.append(np.where(missing, fill, part))
    return out[0], out[1], np.isnan(x_train).astype(np.float64), np.isnan(x_test).astype(np.float64)
