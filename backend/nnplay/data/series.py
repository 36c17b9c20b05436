"""Real time series for windowed forecasting: yearly sunspot numbers and monthly Mauna Loa CO2.

Sources (both public domain, shipped with statsmodels):

- ``sunspots``: yearly mean sunspot numbers 1700-2008 (309 values), NOAA National Geophysical Data
  Center (statsmodels.datasets.sunspots).
- ``co2``: atmospheric CO2 at Mauna Loa in ppm, weekly flask samples March 1958 - December 2001
  (Keeling & Whorf 2004, CDIAC; statsmodels.datasets.co2), averaged per calendar month (526 months)
  and the 5 months without a sample linearly interpolated.

Windowing: example ``i`` is ``x = s[i : i+window]`` ``(window, 1)`` and ``y = s[i+window : i+window+horizon]``
``(horizon,)``. Chronological split: the series is cut at ``round(L * (1 - test_fraction))``; training
examples have every target before the cut, test examples every target after it (their inputs may
reach back before the cut, as a forecaster's would). Values are standardised with the mean and
standard deviation of the part before the cut.
"""

from dataclasses import dataclass
from functools import cache

import numpy as np

from nnplay.spec.errors import SpecError


@dataclass(frozen=True)
class Series:
    """One series: ``values`` ``(L,)`` in ``unit``, ``time`` ``(L,)`` (decimal years)."""

    values: np.ndarray
    time: np.ndarray
    unit: str


@cache
def series(name: str) -> Series:
    """The raw series ``name`` (``sunspots`` or ``co2``)."""
    from statsmodels import datasets as smd  # a second to import: only when a series is used

    if name == "sunspots":
        frame = smd.sunspots.load_pandas().data
        return Series(frame["SUNACTIVITY"].to_numpy(np.float64), frame["YEAR"].to_numpy(np.float64),
                      "sunspot number")
    weekly = smd.co2.load_pandas().data["co2"]
    monthly = weekly.resample("MS").mean().interpolate("linear")  # (526,), 5 gaps filled
    time = monthly.index.year + (monthly.index.month - 1) / 12.0
    return Series(monthly.to_numpy(np.float64), np.asarray(time, dtype=np.float64), "ppm CO2")


SERIES_LENGTHS = {"sunspots": 309, "co2": 526}


def cut_index(length: int, test_fraction: float) -> int:
    """First index of the test part of a series of ``length`` values."""
    return int(round(length * (1 - test_fraction)))


def check_window(name: str, window: int, horizon: int, test_fraction: float) -> tuple[int, int]:
    """Numbers of training and test windows; raises SpecError at ``dataset.window`` when the window
    (plus horizon) does not fit in the series, or leaves a part without examples."""
    length = SERIES_LENGTHS[name]
    cut = cut_index(length, test_fraction)
    n_train = cut - window - horizon + 1
    n_test = length - max(cut, window) - horizon + 1
    if window + horizon > length:
        raise SpecError(("dataset", "window"), f"window {window} plus horizon {horizon} is longer than the "
                        f"series '{name}' ({length} values); use a window of at most {length - horizon}")
    if n_train < 1 or n_test < 1:
        raise SpecError(("dataset", "window"), f"window {window} with horizon {horizon} leaves no "
                        f"{'training' if n_train < 1 else 'test'} example in '{name}' ({length} values, the "
                        f"last {length - cut} held out for testing); use a shorter window")
    return n_train, n_test


def windows(values: np.ndarray, starts: range, window: int, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """``x`` ``(n, window, 1)`` and ``y`` ``(n, horizon)`` for the windows starting at ``starts``."""
    x = np.stack([values[i:i + window] for i in starts])[:, :, None]  # (n, window, 1)
    y = np.stack([values[i + window:i + window + horizon] for i in starts])  # (n, horizon)
    return x, y


def split_series(name: str, window: int, horizon: int, test_fraction: float) -> dict:
    """Standardised train/test windows and what the forecast plot needs: ``x_train`` ``(n, window, 1)``,
    ``y_train`` ``(n, horizon)``, the same for test, ``mean``/``std`` (training part, in the series'
    unit), ``test_time`` ``(n_test,)`` (time of each test example's first target) and ``unit``."""
    check_window(name, window, horizon, test_fraction)
    s = series(name)
    cut = cut_index(len(s.values), test_fraction)
    mean, std = float(s.values[:cut].mean()), float(s.values[:cut].std()) or 1.0
    z = (s.values - mean) / std
    train = range(0, cut - window - horizon + 1)
    test = range(max(cut, window) - window, len(z) - window - horizon + 1)
    x_tr, y_tr = windows(z, train, window, horizon)
    x_te, y_te = windows(z, test, window, horizon)
    return {"x_train": x_tr, "y_train": y_tr, "x_test": x_te, "y_test": y_te, "mean": mean, "std": std,
            "test_time": s.time[[i + window for i in test]], "unit": s.unit}
