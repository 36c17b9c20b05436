"""Synthetic memory tasks that separate a vanilla RNN from an LSTM, with a configurable length.

- ``adding`` (Hochreiter & Schmidhuber 1997, experiment 4; the form of Le, Jaitly & Hinton 2015): each
  step carries ``(value, marker)``, values uniform in [0, 1], exactly two markers 1 (one in each half of
  the sequence); the target is the sum of the two marked values, ``(1,)``. Predicting 1 always gives an
  MSE of about 0.167; solving it needs memory across the whole sequence.
- ``copy`` (Arjovsky, Shah & Bengio 2016, with fewer symbols): ``COPY_SYMBOLS`` symbols from ``a``-``h``,
  blanks ``_``, a delimiter ``:`` ``COPY_SYMBOLS`` steps before the end, then blanks; the target is blank
  everywhere except the last ``COPY_SYMBOLS`` steps, which repeat the symbols. Total length ``seq_len``.
  Always answering blank, then guessing, gives a cross-entropy of about ``10 log 8 / seq_len`` nats.

Both are generated from ``seed``; train and test parts come from one draw of ``n_samples`` examples.
"""

import numpy as np

COPY_SYMBOLS = 5
COPY_VOCAB: tuple[str, ...] = ("_", "a", "b", "c", "d", "e", "f", "g", "h", ":")
BLANK, DELIMITER = 0, len(COPY_VOCAB) - 1


def adding(n: int, seq_len: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``x`` ``(n, seq_len, 2)`` float (value, marker), ``y`` ``(n, 1)`` the sum of the marked values."""
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 1.0, size=(n, seq_len))
    half = seq_len // 2
    first = rng.integers(0, half, size=n)
    second = rng.integers(half, seq_len, size=n)
    markers = np.zeros((n, seq_len))
    markers[np.arange(n), first] = 1.0
    markers[np.arange(n), second] = 1.0
    x = np.stack([values, markers], axis=2)  # (n, seq_len, 2)
    return x, (values * markers).sum(axis=1, keepdims=True)  # (n, 1)


def copy(n: int, seq_len: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``x`` and ``y`` ``(n, seq_len)`` token ids over ``COPY_VOCAB``; needs ``seq_len > 2*COPY_SYMBOLS``."""
    rng = np.random.default_rng(seed)
    k = COPY_SYMBOLS
    symbols = rng.integers(1, DELIMITER, size=(n, k))  # (n, k) ids of a..h
    x = np.full((n, seq_len), BLANK, dtype=np.int64)
    y = np.full((n, seq_len), BLANK, dtype=np.int64)
    x[:, :k] = symbols
    x[:, seq_len - k - 1] = DELIMITER
    y[:, seq_len - k:] = symbols
    return x, y
