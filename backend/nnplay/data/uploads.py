"""Uploaded data sets on disk: ``<data_dir>/datasets/<name>/`` holds ``meta.json`` (a DatasetInfo),
``x.npy`` (float64 ``(N, F)``, NaN where a cell was empty) and ``y.npy`` (int64 class ids or float64
targets ``(N,)``). Arrays are read with ``allow_pickle=False``: nothing stored is ever executed.
A set is written to a temporary folder and renamed into place, so a crash never leaves half a set.
"""

import json
import re
import shutil
import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from nnplay.data.csv_import import parse_csv
from nnplay.data.info import DatasetInfo


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
    """Store a set atomically. Raises FileExistsError when the name is taken."""
    base = root(data_dir)
    base.mkdir(parents=True, exist_ok=True)
    tmp = base / f".{info.name}.{uuid.uuid4().hex}.tmp"
    tmp.mkdir()
    try:
        np.save(tmp / "x.npy", np.asarray(x, dtype=np.float64), allow_pickle=False)
        np.save(tmp / "y.npy", y, allow_pickle=False)
        (tmp / "meta.json").write_text(json.dumps(asdict(info)), encoding="utf-8")
        tmp.rename(base / info.name)  # fails if the name appeared meanwhile
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if (base / info.name).exists():
            raise FileExistsError(info.name) from None
        raise


def delete(data_dir: Path | str, name: str) -> bool:
    """Remove a stored set; False when there was none."""
    folder = root(data_dir) / name
    if not (folder / "meta.json").is_file():
        return False
    shutil.rmtree(folder)
    return True


class DatasetExists(FileExistsError):
    """The name is taken by a built-in or an uploaded set (HTTP 409)."""


def name_from_filename(filename: str | None) -> str:
    """A data set name from an upload's file name: ``"My Data-2024.csv"`` -> ``"my_data_2024"``."""
    stem = re.sub(r"\.csv$", "", (filename or "").strip(), flags=re.IGNORECASE).lower()
    name = re.sub(r"[^a-z0-9_]+", "_", stem).strip("_")[:40] or "upload"
    return name if name[0].isalpha() else f"csv_{name}"[:40]


def import_csv(data_dir: Path | str, content: bytes, *, target: str, task: str, name: str,
               filename: str | None, builtin: tuple[str, ...]) -> DatasetInfo:
    """Parse an uploaded CSV (CsvError when malformed) and store it as data set ``name`` (DatasetExists
    when the name is a built-in or already uploaded one). Returns the stored set's info."""
    if name in builtin or read_info(data_dir, name) is not None:
        raise DatasetExists(f"a data set named '{name}' exists already; delete it first or choose another name")
    parsed = parse_csv(content, target, task)
    n_rows, n_features = parsed.x.shape
    info = DatasetInfo(
        name=name, title=f"{filename or name} (uploaded)", task=task, kind="tabular", input_shape=(n_features,),
        classes=tuple(parsed.classes), n_samples=n_rows, uploaded=True, features=tuple(parsed.features),
        scaled=tuple(range(parsed.n_numeric)), n_missing=parsed.n_missing,
        source=f"uploaded CSV '{filename or name}' on {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}: "
               f"{n_rows} rows, target column '{target}', {parsed.n_numeric} numeric features (standardised "
               f"with training statistics), {n_features - parsed.n_numeric} one-hot columns",
    )
    try:
        save(data_dir, info, parsed.x, parsed.y)
    except FileExistsError:
        raise DatasetExists(f"a data set named '{name}' exists already") from None
    return info
