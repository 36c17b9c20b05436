"""Reading an uploaded CSV file into a feature matrix and a target, refusing malformed files.

The file is parsed as data only (Python's ``csv`` module, ``float()``): nothing in it is evaluated or
unpickled. The first row names the columns; one of them is the target. Feature columns whose every
non-empty value is a number are numeric (empty, ``NA``, ``NaN``, ``null`` and ``?`` cells are missing
values, imputed at load time); the others are categorical and one-hot encoded (scikit-learn's
``OneHotEncoder``). Errors are :class:`CsvError` with the 1-based row (line of the file; the header is
row 1) or the column at fault.
"""

import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn.preprocessing import OneHotEncoder

from nnplay.spec.errors import SpecError

MISSING_MARKERS = frozenset({"", "na", "nan", "null", "none", "?"})
MAX_CATEGORIES = 50
MAX_CLASSES = 100
MAX_FEATURES = 2000
FLOAT32_MAX = float(np.finfo(np.float32).max)


class CsvError(SpecError):
    """A malformed file (HTTP 422); ``row`` (1-based line, header = 1) and/or ``column`` name the spot."""

    kind = "csv_error"

    def __init__(self, message: str, row: int | None = None, column: str | None = None, field: str = "file"):
        super().__init__((field,), message)
        self.row, self.column = row, column


@dataclass
class ParsedCsv:
    """Features ``x`` float32 ``(N, F)`` (numeric columns first, then one-hot ones; NaN = missing),
    target ``y`` (int64 class ids into ``classes``, or float32), and the feature names."""

    x: np.ndarray
    y: np.ndarray
    features: list[str]
    n_numeric: int
    classes: list[str]
    n_missing: int


def decode(content: bytes) -> str:
    """UTF-8 text (a byte-order mark is dropped). Raises CsvError naming the row of a bad byte."""
    if not content.strip():
        raise CsvError("the file is empty")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        row = content[:err.start].count(b"\n") + 1
        raise CsvError(f"the file is not UTF-8 text: byte 0x{content[err.start]:02x} at offset {err.start} "
                       f"(row {row}) cannot be decoded; save it as UTF-8 CSV", row=row) from None


def read_rows(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the data rows with their line numbers; blank lines are skipped.
    Raises CsvError for ragged rows, bad quoting, an empty or duplicate column name, or no data."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    try:
        for fields in reader:
            if fields and any(f.strip() for f in fields):
                rows.append((reader.line_num, [f.strip() for f in fields]))
    except csv.Error as err:
        raise CsvError(f"row {reader.line_num}: {err}", row=reader.line_num) from None
    if not rows:
        raise CsvError("the file has no rows")
    (_, header), data = rows[0], rows[1:]
    _check_header(header)
    for line, fields in data:
        if len(fields) != len(header):
            raise CsvError(f"row {line} has {len(fields)} fields but the header has {len(header)} "
                           "(a missing or extra comma?)", row=line)
    if not data:
        raise CsvError("the file has a header but no data rows")
    return header, data


def _check_header(header: list[str]) -> None:
    for i, name in enumerate(header):
        if not name:
            raise CsvError(f"column {i + 1} of the header (row 1) has no name", row=1, column=str(i + 1))
        if name in header[:i]:
            raise CsvError(f"column name '{name}' appears twice in the header (row 1)", row=1, column=name)
    if len(header) < 2:
        raise CsvError("the file needs at least two columns: one or more features and the target", row=1)


def _number(value: str) -> float | None:
    """The value as a float, None when it is not a number."""
    try:
        return float(value)
    except ValueError:
        return None


def numeric_column(name: str, cells: list[tuple[int, str]]) -> np.ndarray | None:
    """The column as float64 with NaN for missing cells, or None when a value is not a number.
    Raises CsvError for an infinite value or a column with no value at all."""
    out = np.full(len(cells), np.nan)
    seen = False
    for i, (line, cell) in enumerate(cells):
        if cell.lower() in MISSING_MARKERS:
            continue
        value = _number(cell)
        if value is None:
            return None
        if not math.isfinite(value) or abs(value) > FLOAT32_MAX:
            raise CsvError(f"row {line}, column '{name}': '{cell}' is not a finite number within float32's range "
                           f"(at most {FLOAT32_MAX:.4g} in size; data are stored as float32)", row=line, column=name)
        out[i], seen = value, True
    if not seen:
        raise CsvError(f"column '{name}' has no values", column=name)
    return out


def categorical_column(name: str, cells: list[tuple[int, str]]) -> list[str]:
    """The cells of a non-numeric column. Raises CsvError past ``MAX_CATEGORIES`` distinct values,
    naming the first non-numeric cell (often a typo in a numeric column)."""
    values = [cell for _, cell in cells]
    distinct = set(values)
    if len(distinct) > MAX_CATEGORIES:
        line, cell = next((ln, c) for ln, c in cells if c.lower() not in MISSING_MARKERS and _number(c) is None)
        raise CsvError(f"column '{name}' is not numeric (row {line}: '{cell}') and has {len(distinct)} distinct "
                       f"values; a categorical column may have at most {MAX_CATEGORIES}: fix or remove it",
                       row=line, column=name)
    return values


def parse_target(name: str, cells: list[tuple[int, str]], task: str) -> tuple[np.ndarray, list[str]]:
    """Class ids and class names (sorted, numerically when all are numbers), or float targets."""
    for line, cell in cells:
        if cell.lower() in MISSING_MARKERS:
            raise CsvError(f"row {line}: the target column '{name}' is empty", row=line, column=name)
    if task == "regression":
        y = numeric_column(name, cells)
        if y is None:
            line, cell = next((ln, c) for ln, c in cells if _number(c) is None)
            raise CsvError(f"row {line}: target '{cell}' in column '{name}' is not a number, as regression needs",
                           row=line, column=name)
        return y, []
    return _classes(name, cells)


def _classes(name: str, cells: list[tuple[int, str]]) -> tuple[np.ndarray, list[str]]:
    values = [cell for _, cell in cells]
    distinct = set(values)
    numeric = all(_number(v) is not None for v in distinct)
    classes = sorted(distinct, key=(lambda v: (float(v), v)) if numeric else None)
    if len(classes) < 2:
        raise CsvError(f"the target column '{name}' has a single class ('{classes[0]}'); classification needs "
                       "at least two", column=name)
    if len(classes) > MAX_CLASSES:
        raise CsvError(f"the target column '{name}' has {len(classes)} classes, more than {MAX_CLASSES}; "
                       "is it a regression target?", column=name)
    index = {c: k for k, c in enumerate(classes)}
    y = np.array([index[v] for v in values], dtype=np.int64)
    counts = np.bincount(y, minlength=len(classes))
    if counts.min() < 2:
        lonely = classes[int(counts.argmin())]
        line = next(ln for ln, c in cells if c == lonely)
        raise CsvError(f"class '{lonely}' of column '{name}' has a single row (row {line}); every class needs "
                       "at least two for a stratified train/test split", row=line, column=name)
    return y, classes


def encoded_width(numeric: dict[str, np.ndarray], categorical: dict[str, list[str]]) -> int:
    """Features after one-hot encoding: one per numeric column, one per distinct value of each
    categorical column (a missing marker is a value of its own, as ``OneHotEncoder`` sees it). Computed
    before any matrix is built; raises CsvError naming the first column (in file order among the
    categorical ones, after every numeric one) that takes the width past ``MAX_FEATURES``."""
    width = len(numeric)
    if width > MAX_FEATURES:
        raise CsvError(f"the file has {width} numeric feature columns, more than {MAX_FEATURES}",
                       column=list(numeric)[MAX_FEATURES])
    for name, values in categorical.items():
        distinct = len(set(values))
        if width + distinct > MAX_FEATURES:
            raise CsvError(f"column '{name}' ({distinct} distinct values) takes the one-hot encoded width to "
                           f"{width + distinct} features, more than {MAX_FEATURES}: remove it or merge its values",
                           column=name)
        width += distinct
    return width


def parse_csv(content: bytes, target: str, task: str,
              check_size: Callable[[int, int], None] | None = None) -> ParsedCsv:
    """Parse an uploaded CSV; see the module docstring. Raises CsvError. ``check_size(rows, features)``
    is called with the encoded shape before the feature matrix is built (it raises to refuse it)."""
    header, data = read_rows(decode(content))
    if target not in header:
        raise CsvError(f"unknown target column '{target}'; the columns are: {', '.join(header)}",
                       column=target, field="target")
    columns = {name: [(line, fields[j]) for line, fields in data] for j, name in enumerate(header)}
    y, classes = parse_target(target, columns.pop(target), task)
    numeric, categorical = {}, {}
    for name, cells in columns.items():
        col = numeric_column(name, cells)
        if col is not None:
            numeric[name] = col
        else:
            categorical[name] = categorical_column(name, cells)
    if not numeric:
        raise CsvError(f"the file has no numeric feature column (columns besides the target '{target}': "
                       f"{', '.join(columns)}); at least one is needed")
    width = encoded_width(numeric, categorical)
    if check_size is not None:
        check_size(len(y), width)
    x, features = _assemble(numeric, categorical)
    y = y.astype(np.float32) if y.dtype.kind == "f" else y
    return ParsedCsv(x, y, features, len(numeric), classes, int(np.isnan(x).sum()))


def _assemble(numeric: dict[str, np.ndarray], categorical: dict[str, list[str]]) -> tuple[np.ndarray, list[str]]:
    """Numeric columns then the one-hot encoding of the categorical ones, float32 ``(N, F)``, and their
    names (the width was checked by :func:`encoded_width`)."""
    parts, names = [np.stack(list(numeric.values()), axis=1).astype(np.float32)], list(numeric)
    if categorical:
        table = np.array(list(categorical.values()), dtype=object).T  # (N, C)
        encoder = OneHotEncoder(sparse_output=False, dtype=np.float32).fit(table)
        parts.append(encoder.transform(table))  # (N, sum of distinct values)
        names += [f"{col}={value}" for col, cats in zip(categorical, encoder.categories_) for value in cats]
    return np.concatenate(parts, axis=1), names
