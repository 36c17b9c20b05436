"""Sequence tasks with a known right answer, and author attribution of single lines of verse.

- ``reverse`` and ``sort``: ``seq_len`` digits drawn uniformly from 0-9 (token id = digit); the target
  at every step is the reversed sequence, or the sorted one (ascending). The ideal attention of
  ``reverse`` is the anti-diagonal: the output at position i copies the input at position T-1-i. For
  ``sort`` the output at position i copies the i-th smallest digit, wherever it sits.
- ``authors``: one line of verse in, its author out, Shakespeare (8 plays) or Milton (Paradise Lost and
  Paradise Regained), from the vendored Project Gutenberg texts (``nnplay.data.corpora``, public domain).
  A line is kept when, stripped, it has at least ``MIN_CHARS`` characters and ``MIN_WORDS`` words, is
  not mostly capitals (headings, speaker names) and does not start with ``[`` (stage directions);
  duplicates are dropped. ``n_samples`` lines are drawn, half from each author (seeded), and split
  stratified by ``test_fraction``. Tokens are characters: ``<cls>`` then the line's first
  ``seq_len - 1`` characters, right-padded with ``<pad>``. The vocabulary is fixed: ``<pad>`` (id 0),
  ``<unk>``, ``<cls>`` and the printable ASCII characters (the texts are ASCII; others map to ``<unk>``).
"""

from functools import cache

import numpy as np
from sklearn.model_selection import train_test_split

from nnplay.data.corpora import read_corpus

DIGITS: tuple[str, ...] = tuple(str(d) for d in range(10))
PAD, UNK, CLS = "<pad>", "<unk>", "<cls>"
AUTHORS: tuple[str, ...] = ("Shakespeare", "Milton")
MIN_CHARS, MIN_WORDS = 20, 4
AUTHORS_VOCAB: tuple[str, ...] = (PAD, UNK, CLS, *(chr(c) for c in range(32, 127)))


def digit_task(name: str, n: int, seq_len: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``x``, ``y`` ``(n, seq_len)`` int64 digit ids for ``reverse`` or ``sort``."""
    x = np.random.default_rng(seed).integers(0, 10, size=(n, seq_len), dtype=np.int64)
    y = x[:, ::-1].copy() if name == "reverse" else np.sort(x, axis=1)
    return x, y


def _keep(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    return (len(line) >= MIN_CHARS and len(line.split()) >= MIN_WORDS and not line.startswith("[")
            and upper <= len(letters) / 2)


@cache
def author_lines(author: str) -> tuple[str, ...]:
    """The distinct kept lines of ``"Shakespeare"`` or ``"Milton"``, in text order."""
    text = read_corpus(author.lower())
    lines = (line.strip() for line in text.split("\n"))
    return tuple(dict.fromkeys(line for line in lines if _keep(line)))


def _draw(n: int, seed: int) -> tuple[list[str], np.ndarray]:
    """``n`` lines, half by each author, and their author ids ``(n,)``."""
    rng = np.random.default_rng(seed)
    lines, labels = [], []
    for label, author in enumerate(AUTHORS):
        pool = author_lines(author)
        count = n // 2 + (n % 2 if label == 0 else 0)
        picked = rng.choice(len(pool), size=min(count, len(pool)), replace=False)
        lines += [pool[i] for i in sorted(picked)]
        labels += [label] * len(picked)
    return lines, np.asarray(labels, dtype=np.int64)


def encode_lines(lines: list[str], vocab: tuple[str, ...], seq_len: int) -> np.ndarray:
    """``(len(lines), seq_len)`` int64: ``<cls>``, the characters (``<unk>`` if unknown), ``<pad>``."""
    index = {tok: i for i, tok in enumerate(vocab)}
    out = np.full((len(lines), seq_len), index[PAD], dtype=np.int64)
    for row, line in enumerate(lines):
        ids = [index[CLS]] + [index.get(ch, index[UNK]) for ch in line[: seq_len - 1]]
        out[row, : len(ids)] = ids
    return out


def authors_split(n: int, seq_len: int, test_fraction: float, seed: int) -> dict:
    """``x_train``/``x_test`` ``(n, seq_len)`` token ids, ``y_*`` ``(n,)`` author ids and ``vocab``."""
    lines, labels = _draw(n, seed)
    tr_lines, te_lines, y_tr, y_te = train_test_split(lines, labels, test_size=test_fraction,
                                                      random_state=seed, stratify=labels)
    vocab = AUTHORS_VOCAB
    return {"x_train": encode_lines(tr_lines, vocab, seq_len), "y_train": y_tr,
            "x_test": encode_lines(te_lines, vocab, seq_len), "y_test": y_te, "vocab": vocab}


def pad_id(vocab: tuple[str, ...]) -> int | None:
    """The id of ``<pad>`` in a vocabulary, or None when the data set does not pad."""
    return vocab.index(PAD) if PAD in vocab else None
