"""Uploaded data sets on disk: ``<data_dir>/datasets/<name>/`` holds ``meta.json`` (a DatasetInfo) and

- for a CSV (kind ``tabular``): ``x.npy`` (float32 ``(N, F)``, NaN where a cell was empty) and ``y.npy``
  (int64 class ids or float32 targets ``(N,)``), read with ``allow_pickle=False``;
- for a plain-text corpus (kind ``corpus``, task ``word embedding``): ``corpus.txt``, the decoded text
  as UTF-8 with ``\n`` line endings; ``n_samples`` is its number of tokens.

Nothing stored is ever executed. A set is written to a temporary folder (``.<name>.<hex>.tmp``) and
renamed into place, so a crash never leaves half a set; :func:`clean_temp` removes the temporary
folders a killed upload left, at server start. Every stored set together stays under a quota
(``max_datasets_mb``, setting ``NNPLAY_MAX_DATASETS_MB``): an upload's size is known before its
matrix is built (rows x encoded features x 4 bytes) and checked against the space left
(:class:`QuotaExceeded`).
"""

import json
import re
import shutil
import threading
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
    try:
        text = meta.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):  # none, or deleted while we looked
        return None
    raw = json.loads(text)
    tuples = {k: tuple(v) for k, v in raw.items() if isinstance(v, list)}
    return DatasetInfo(**{**raw, **tuples})


def read_arrays(data_dir: Path | str, name: str) -> tuple[np.ndarray, np.ndarray]:
    """``x`` ``(N, F)`` (float32; float64 for sets stored before float32) and ``y`` ``(N,)`` of a stored set."""
    folder = root(data_dir) / name
    return (np.load(folder / "x.npy", allow_pickle=False), np.load(folder / "y.npy", allow_pickle=False))


def list_infos(data_dir: Path | str) -> list[DatasetInfo]:
    """Every stored set, by name."""
    folder = root(data_dir)
    if not folder.is_dir():
        return []
    infos = (read_info(data_dir, p.name) for p in sorted(folder.iterdir()) if not p.name.startswith("."))
    return [i for i in infos if i is not None]


def save(data_dir: Path | str, info: DatasetInfo, x: np.ndarray, y: np.ndarray, quota_bytes: int | None = None) -> None:
    """Store a table set atomically, ``x`` as float32 (``y`` float targets too). Raises FileExistsError when
    the name is taken, QuotaExceeded when it does not fit ``quota_bytes`` (None: no quota)."""
    x = np.asarray(x, dtype=np.float32)
    y = y.astype(np.float32) if y.dtype.kind == "f" else y

    def write(folder: Path) -> None:
        np.save(folder / "x.npy", x, allow_pickle=False)
        np.save(folder / "y.npy", y, allow_pickle=False)
    _store(data_dir, info, write, x.nbytes + y.nbytes, quota_bytes)


class QuotaExceeded(Exception):
    """The stored sets with this one would pass ``max_datasets_mb`` (HTTP 413); the message names the
    setting, the space used and what the upload needs."""


_STORE_LOCK = threading.Lock()  # quota check and write as one step: parallel uploads cannot both fit


def used_bytes(data_dir: Path | str) -> int:
    """Bytes of every file under the data sets folder (stored sets and any temporary folder)."""
    base = root(data_dir)
    return sum(p.stat().st_size for p in base.rglob("*") if p.is_file()) if base.is_dir() else 0


def check_quota(data_dir: Path | str, needed: int, quota_bytes: int | None) -> None:
    """Raises QuotaExceeded when ``needed`` more bytes would take the stored sets past ``quota_bytes``."""
    if quota_bytes is None:
        return
    used = used_bytes(data_dir)
    if used + needed > quota_bytes:
        mb = lambda n: f"{n / 2**20:,.1f} MB"  # noqa: E731
        raise QuotaExceeded(f"this data set needs about {mb(needed)} stored (float32); the uploaded sets use "
                            f"{mb(used)} of the quota max_datasets_mb {quota_bytes / 2**20:,.0f} MB (setting "
                            "NNPLAY_MAX_DATASETS_MB): delete an uploaded set or upload a smaller file")


def clean_temp(data_dir: Path | str) -> list[str]:
    """Remove the temporary folders (``.<name>.<hex>.tmp``) an upload killed midway left; for server
    start, before any upload runs. Returns their names."""
    base = root(data_dir)
    stale = [p for p in base.glob(".*.tmp") if p.is_dir()] if base.is_dir() else []
    for p in stale:
        shutil.rmtree(p, ignore_errors=True)
    return [p.name for p in stale]


def _store(data_dir: Path | str, info: DatasetInfo, write: Callable[[Path], None], needed: int = 0,
           quota_bytes: int | None = None) -> None:
    """``write(folder)`` the set's files (about ``needed`` bytes) and ``meta.json`` into a temporary
    folder, then rename it into place. Raises FileExistsError when the name is taken, QuotaExceeded
    past ``quota_bytes``."""
    base = root(data_dir)
    base.mkdir(parents=True, exist_ok=True)
    with _STORE_LOCK:
        check_quota(data_dir, needed, quota_bytes)
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
    """Remove a stored set; False when there was none. The folder is first renamed to a temporary
    name (one atomic step), so a reader sees the whole set or none of it, never a half-removed one."""
    folder = root(data_dir) / name
    if not (folder / "meta.json").is_file():
        return False
    doomed = folder.with_name(f".{name}.{uuid.uuid4().hex}.tmp")
    try:
        folder.rename(doomed)
    except FileNotFoundError:  # removed meanwhile by another request
        return False
    shutil.rmtree(doomed, ignore_errors=True)
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
               filename: str | None, builtin: tuple[str, ...], quota_bytes: int | None = None) -> DatasetInfo:
    """Parse an uploaded CSV (CsvError when malformed or wider than ``MAX_FEATURES`` encoded) and store it
    as data set ``name`` (DatasetExists when the name is a built-in or already uploaded one;
    QuotaExceeded, before the matrix is built, when rows x features x 4 bytes do not fit
    ``quota_bytes``). Returns the stored set's info."""
    _check_free(data_dir, name, builtin)
    check = lambda rows, width: check_quota(data_dir, rows * (width + 1) * 4, quota_bytes)  # noqa: E731 (x and y)
    parsed = parse_csv(content, target, task, check_size=check)
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
        save(data_dir, info, parsed.x, parsed.y, quota_bytes)
    except FileExistsError:
        raise DatasetExists(f"a data set named '{name}' exists already") from None
    return info


def import_text(data_dir: Path | str, content: bytes, *, name: str, filename: str | None,
                builtin: tuple[str, ...], quota_bytes: int | None = None) -> DatasetInfo:
    """Check an uploaded plain-text corpus (TextError when it is empty, binary, not UTF-8 or too short;
    see ``nnplay.data.text_import``) and store it as word corpus ``name`` (DatasetExists when the name is
    taken; QuotaExceeded past ``quota_bytes``). Its ``n_samples`` is its number of tokens. Returns the
    stored set's info."""
    _check_free(data_dir, name, builtin)
    check_quota(data_dir, len(content), quota_bytes)
    parsed = parse_text(content)
    info = DatasetInfo(
        name=name, title=f"{filename or name} (uploaded text)", task="word embedding", kind="corpus",
        input_shape=(), classes=(), n_samples=len(parsed.tokens), uploaded=True,
        source=f"uploaded text '{filename or name}' on {_uploaded_at()}: {len(parsed.text):,} characters, "
               f"{len(parsed.tokens):,} words ({parsed.n_words:,} distinct), tokenised as the built-in corpora",
    )
    try:
        _store(data_dir, info, lambda folder: (folder / CORPUS_FILE).write_text(parsed.text, encoding="utf-8"),
               len(parsed.text.encode()), quota_bytes)
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
