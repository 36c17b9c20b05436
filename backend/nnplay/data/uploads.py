"""Uploaded data sets on disk: ``<data_dir>/datasets/<name>/`` holds ``meta.json`` (a DatasetInfo) and

- for a CSV (kind ``tabular``): ``x.npy`` (float64 ``(N, F)``, NaN where a cell was empty) and ``y.npy``
  (int64 class ids or float64 targets ``(N,)``), read with ``allow_pickle=False``;
- for a plain-text corpus (kind ``corpus``, task ``word embedding``): ``corpus.txt``, the decoded text
  as UTF-8 with ``\n`` line endings; ``n_samples`` is its number of tokens.

Nothing stored is ever executed. A set is written to a temporary folder and renamed into place, so a
crash never leaves half a set.
"""

import json
import re
import shutil
import uuid
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import numpy as np

from nnplay.data.csv_import import parse_csv
from nnplay.data.info import DatasetInfo
from nnplay.data.text_import import parse_text
from nnplay.data.words import tokenize

CORPUS_FILE = "corpus.txt"
TEXT_SUFFIXES = (".txt",)


def root(data_dir: Path | str) -> Path:
    return Path(data_dir) / "datasets"


def read_info(data_dir: Path | str | None, name: str) -> DatasetInfo | None:
    """The stored set's info, or None when there is none by that name (or no data dir)."""
    if data_dir is None:
        return None
    meta = root(data_dir) / name / "meta.json"
    if not meta.is_file():
        return None
    raw = json.loads(meta.read_text(encoding="utf-8"))
    tuples = {k: tuple(v) for k, v in raw.items() if isinstance(v, list)}
    return DatasetInfo(**{**raw, **tuples})


def read_arrays(data_dir: Path | str, name: str) -> tuple[np.ndarray, np.ndarray]:
    """``x`` float64 ``(N, F)`` and ``y`` ``(N,)`` of a stored set."""
    folder = root(data_dir) / name
    return (np.load(folder / "x.npy", allow_pickle=False), np.load(folder / "y.npy", allow_pickle=False))


def list_infos(data_dir: Path | str) -> list[DatasetInfo]:
    """Every stored set, by name."""
    folder = root(data_dir)
    if not folder.is_dir():
        return []
    infos = (read_info(data_dir, p.name) for p in sorted(folder.iterdir()) if not p.name.startswith("."))
    return [i for i in infos if i is not None]


def save(data_dir: Path | str, info: DatasetInfo, x: np.ndarray, y: np.ndarray) -> None:
    """Store a table set atomically. Raises FileExistsError when the name is taken."""
    def write(folder: Path) -> None:
        np.save(folder / "x.npy", np.asarray(x, dtype=np.float64), allow_pickle=False)
        np.save(folder / "y.npy", y, allow_pickle=False)
    _store(data_dir, info, write)


def _store(data_dir: Path | str, info: DatasetInfo, write: Callable[[Path], None]) -> None:
    """``write(folder)`` the set's files and ``meta.json`` into a temporary folder, then rename it into
    place. Raises FileExistsError when the name is taken."""
    base = root(data_dir)
    base.mkdir(parents=True, exist_ok=True)
    tmp = base / f".{info.name}.{uuid.uuid4().hex}.tmp"
    tmp.mkdir()
    try:
        write(tmp)
        (tmp / "meta.json").write_text(json.dumps(asdict(info)), encoding="utf-8")
        tmp.rename(base / info.name)  # fails if the name appeared meanwhile
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if (base / info.name).exists():
            raise FileExistsError(info.name) from None
        raise


def exists(data_dir: Path | str, name: str) -> bool:
    """An uploaded set of this name is stored."""
    return (root(data_dir) / name / "meta.json").is_file()


def delete(data_dir: Path | str, name: str) -> bool:
    """Remove a stored set; False when there was none."""
    folder = root(data_dir) / name
    if not (folder / "meta.json").is_file():
        return False
    shutil.rmtree(folder)
    return True


class DatasetExists(FileExistsError):
    """The name is taken by a built-in or an uploaded set (HTTP 409)."""


def name_from_filename(filename: str | None, kind: str = "csv") -> str:
    """A data set name from an upload's file name: ``"My Data-2024.csv"`` -> ``"my_data_2024"``,
    ``"Hamlet.txt"`` -> ``"hamlet"``; a name not starting with a letter gets ``kind`` and ``_`` before it."""
    stem = re.sub(r"\.(csv|txt)$", "", (filename or "").strip(), flags=re.IGNORECASE).lower()
    name = re.sub(r"[^a-z0-9_]+", "_", stem).strip("_")[:40] or "upload"
    return name if name[0].isalpha() else f"{kind}_{name}"[:40]


def kind_from_filename(filename: str | None) -> str:
    """The upload kind when the form does not say: ``"text"`` for a ``.txt`` file, else ``"csv"``."""
    return "text" if (filename or "").strip().lower().endswith(TEXT_SUFFIXES) else "csv"


def _check_free(data_dir: Path | str, name: str, builtin: tuple[str, ...]) -> None:
    if name in builtin or read_info(data_dir, name) is not None:
        raise DatasetExists(f"a data set named '{name}' exists already; delete it first or choose another name")


def _uploaded_at() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def import_csv(data_dir: Path | str, content: bytes, *, target: str, task: str, name: str,
               filename: str | None, builtin: tuple[str, ...]) -> DatasetInfo:
    """Parse an uploaded CSV (CsvError when malformed) and store it as data set ``name`` (DatasetExists
    when the name is a built-in or already uploaded one). Returns the stored set's info."""
    _check_free(data_dir, name, builtin)
    parsed = parse_csv(content, target, task)
    n_rows, n_features = parsed.x.shape
    info = DatasetInfo(
        name=name, title=f"{filename or name} (uploaded)", task=task, kind="tabular", input_shape=(n_features,),
        classes=tuple(parsed.classes), n_samples=n_rows, uploaded=True, features=tuple(parsed.features),
        scaled=tuple(range(parsed.n_numeric)), n_missing=parsed.n_missing,
        source=f"uploaded CSV '{filename or name}' on {_uploaded_at()}: "
               f"{n_rows} rows, target column '{target}', {parsed.n_numeric} numeric features (standardised "
               f"with training statistics), {n_features - parsed.n_numeric} one-hot columns",
    )
    try:
        save(data_dir, info, parsed.x, parsed.y)
    except FileExistsError:
        raise DatasetExists(f"a data set named '{name}' exists already") from None
    return info


def import_text(data_dir: Path | str, content: bytes, *, name: str, filename: str | None,
                builtin: tuple[str, ...]) -> DatasetInfo:
    """Check an uploaded plain-text corpus (TextError when it is empty, binary, not UTF-8 or too short;
    see ``nnplay.data.text_import``) and store it as word corpus ``name`` (DatasetExists when the name is
    taken). Its ``n_samples`` is its number of tokens. Returns the stored set's info."""
    _check_free(data_dir, name, builtin)
    parsed = parse_text(content)
    info = DatasetInfo(
        name=name, title=f"{filename or name} (uploaded text)", task="word embedding", kind="corpus",
        input_shape=(), classes=(), n_samples=len(parsed.tokens), uploaded=True,
        source=f"uploaded text '{filename or name}' on {_uploaded_at()}: {len(parsed.text):,} characters, "
               f"{len(parsed.tokens):,} words ({parsed.n_words:,} distinct), tokenised as the built-in corpora",
    )
    try:
        _store(data_dir, info, lambda folder: (folder / CORPUS_FILE).write_text(parsed.text, encoding="utf-8"))
    except FileExistsError:
        raise DatasetExists(f"a data set named '{name}' exists already") from None
    return info


def corpus_tokens(data_dir: Path | str, name: str) -> tuple[str, ...]:
    """The token stream of uploaded corpus ``name`` (the built-in corpora's tokeniser). Cached while the
    file is unchanged (a set deleted and uploaded again under the same name is read afresh).
    Raises FileNotFoundError when there is no such corpus."""
    path = root(data_dir) / name / CORPUS_FILE
    stat = path.stat()
    return _file_tokens(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _file_tokens(path: str, _mtime_ns: int, _size: int) -> tuple[str, ...]:
    """Tokens of a stored corpus; repeated words share one string object (a 20 MB text has millions)."""
    shared: dict[str, str] = {}
    text = Path(path).read_text(encoding="utf-8")
    return tuple(shared.setdefault(t, t) for t in tokenize(text))
