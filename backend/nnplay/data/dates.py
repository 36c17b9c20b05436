"""``dates``: a date written out in words, translated to ISO 8601, an encoder-decoder task whose right
alignment is known.

The source is one of four written forms of a date drawn uniformly from 1950-01-01 to 2049-12-31
(seeded): ``"6 december 2026"``, ``"december 6, 2026"``, ``"6 dec 2026"``, ``"dec 6, 2026"``; the target
is ``"2026-12-06"``. Tokens are characters. Each example is one sequence of ``SOURCE_LEN + TARGET_LEN``
(18 + 10) token ids: the source, right-padded with ``<pad>`` to ``SOURCE_LEN``, then the decoder input,
the target shifted right by one (``<bos>`` and its first 9 characters: teacher forcing); the label at
each of the 10 target positions is the target's character there.

The alignment (:func:`alignment`) is known from the format: target positions 0-3 copy the year's
digits, 5-6 read the month's name, 8-9 the day's digits (a one-digit day gives ``0`` then its digit),
and the dashes 4 and 7 depend on no source token. A translation model's cross attention should find
this: the year and day digits in either word order, the month wherever its name stands.
"""

import datetime as dt
import re

import numpy as np

from nnplay.data.info import PAD

BOS = "<bos>"
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
FORMATS = ("{d} {month} {y}", "{month} {d}, {y}", "{d} {mon} {y}", "{mon} {d}, {y}")
SOURCE_LEN = 18  # the longest source: "september 30, 2026"
TARGET_LEN = 10  # "2026-12-06"
VOCAB: tuple[str, ...] = (PAD, BOS, " ", ",", "-", *"0123456789", *"abcdefghijklmnopqrstuvwxyz")
FIRST, LAST = dt.date(1950, 1, 1).toordinal(), dt.date(2049, 12, 31).toordinal()


def written(date: dt.date, form: int) -> str:
    """``date`` in written form ``FORMATS[form]``: ``"6 december 2026"``, ``"dec 6, 2026"`` ..."""
    month = MONTHS[date.month - 1]
    return FORMATS[form].format(d=date.day, month=month, mon=month[:3], y=date.year)


def draw(n: int, seed: int) -> list[tuple[str, str]]:
    """``n`` (source, target) pairs: uniform dates and forms from ``seed``."""
    rng = np.random.default_rng(seed)
    days = rng.integers(FIRST, LAST + 1, size=n)
    forms = rng.integers(0, len(FORMATS), size=n)
    dates = [dt.date.fromordinal(int(d)) for d in days]
    return [(written(d, int(f)), d.isoformat()) for d, f in zip(dates, forms)]


def encode(pairs: list[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
    """``x`` ``(n, SOURCE_LEN + TARGET_LEN)`` (source, padding, ``<bos>`` and the target but its last
    character) and ``y`` ``(n, TARGET_LEN)`` (the target), int64 ids into ``VOCAB``."""
    index = {tok: i for i, tok in enumerate(VOCAB)}
    x = np.full((len(pairs), SOURCE_LEN + TARGET_LEN), index[PAD], dtype=np.int64)
    y = np.empty((len(pairs), TARGET_LEN), dtype=np.int64)
    for row, (source, target) in enumerate(pairs):
        x[row, :len(source)] = [index[c] for c in source]
        x[row, SOURCE_LEN:] = [index[BOS], *(index[c] for c in target[:-1])]
        y[row] = [index[c] for c in target]
    return x, y


def alignment(source: str) -> list[list[int]]:
    """For each of the 10 target positions, the source positions it is read from: the year's 4 digits
    for 0-3, every letter of the month's name for 5-6, the day's digit(s) for 8-9 (a one-digit day: the
    target's leading ``0`` has no source, so position 8 reads that digit too), none for the dashes."""
    spans = {}
    for m in re.finditer(r"[a-z]+|[0-9]+", source):
        word = m.group()
        kind = "month" if word.isalpha() else "year" if len(word) == 4 else "day"
        spans[kind] = list(range(m.start(), m.end()))
    year, month, day = spans["year"], spans["month"], spans["day"]
    return [*([y] for y in year), [], month, month, [], day[:1] if len(day) == 2 else day, day[-1:]]


def dates_parts(n: int, test_fraction: float, seed: int) -> dict:
    """``x_train``/``x_test`` ``(n, 28)``, ``y_*`` ``(n, 10)`` (see :func:`encode`): one seeded draw of
    ``n`` examples, the last ``ceil(n * test_fraction)`` of them for testing."""
    x, y = encode(draw(n, seed))
    cut = n - int(np.ceil(n * test_fraction))
    return {"x_train": x[:cut], "y_train": y[:cut], "x_test": x[cut:], "y_test": y[cut:]}
