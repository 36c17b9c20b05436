"""Character-level language modelling on real English text: the vendored Shakespeare plays
(``nnplay.data.corpora``, Project Gutenberg, public domain).

The text is cut at ``round(len * (1 - test_fraction))`` characters: the first part trains, the rest
tests (chronological, so no line is in both). The vocabulary is ``<unk>`` (id 0) followed by the
distinct characters of the training part, sorted; a test character the training part lacks maps to
``<unk>``. Each part is split into non-overlapping chunks of ``seq_len + 1`` characters: ``x`` is a
chunk's first ``seq_len`` ids ``(seq_len,)``, ``y`` the next character at every step ``(seq_len,)``.
"""

from functools import cache

import numpy as np

from nnplay.data.corpora import read_corpus

UNK = "<unk>"
CORPUS = {"shakespeare_chars": "shakespeare"}


def cut_index(length: int, test_fraction: float) -> int:
    return int(round(length * (1 - test_fraction)))


@cache
def vocabulary(name: str, test_fraction: float) -> tuple[str, ...]:
    """``("<unk>", *sorted characters of the training part)``."""
    text = read_corpus(CORPUS[name])
    return (UNK, *sorted(set(text[:cut_index(len(text), test_fraction)])))


def encode(text: str, vocab: tuple[str, ...]) -> np.ndarray:
    """Token ids ``(len(text),)`` int64; characters outside ``vocab`` become 0 (``<unk>``)."""
    index = {ch: i for i, ch in enumerate(vocab)}
    return np.fromiter((index.get(ch, 0) for ch in text), dtype=np.int64, count=len(text))


def chunks(ids: np.ndarray, seq_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Non-overlapping ``(n, seq_len)`` inputs and next-character targets from ``ids`` ``(L,)``."""
    n = (len(ids) - 1) // seq_len
    x = ids[:n * seq_len].reshape(n, seq_len)  # (n, seq_len)
    y = ids[1:n * seq_len + 1].reshape(n, seq_len)  # (n, seq_len), shifted by one character
    return x, y


def counts(name: str, seq_len: int, test_fraction: float) -> tuple[int, int]:
    """Numbers of training and test sequences."""
    length = len(read_corpus(CORPUS[name]))
    cut = cut_index(length, test_fraction)
    return (cut - 1) // seq_len, (length - cut - 1) // seq_len


def split_text(name: str, seq_len: int, test_fraction: float) -> dict:
    """``x_train``/``y_train`` ``(n, seq_len)`` int64, the same for test, and ``vocab``."""
    text = read_corpus(CORPUS[name])
    cut = cut_index(len(text), test_fraction)
    vocab = vocabulary(name, test_fraction)
    x_tr, y_tr = chunks(encode(text[:cut], vocab), seq_len)
    x_te, y_te = chunks(encode(text[cut:], vocab), seq_len)
    return {"x_train": x_tr, "y_train": y_tr, "x_test": x_te, "y_test": y_te, "vocab": vocab}
