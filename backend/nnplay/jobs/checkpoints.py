"""Checkpoint files: one per job, the latest state only: ``<data_dir>/checkpoints/<job_id>.pt`` (the
``torch.save`` bytes a worker sent) and ``<job_id>.json`` beside it (``{"step", "final", "seq"}``: where
the state stands and the last message ``seq`` it covers), so the server resumes a job without loading
the state.

Written atomically (a temporary file renamed over the old one; the state before its sidecar) so a
crash never leaves a torn file; states are read with ``torch.load(weights_only=True)``: no pickled code
is ever executed. A file that cannot be read (truncated, empty, random bytes: a ``torch.save`` file is a
zip archive, checked member by member against its CRCs) or that holds an impossible position (a
negative ``step``, a ``seq`` past 2^53) raises CheckpointError (HTTP 409) before anything is changed.
"""

import io
import json
import os
import zipfile
from pathlib import Path

MAX_SEQ = 2**53  # no message number reaches this (the stream's own bound)


class CheckpointError(RuntimeError):
    """A checkpoint that is truncated, empty, not a torch file, or holds an impossible state
    (HTTP 409, the job's history and status untouched)."""


def _damaged(where: str, why: str) -> CheckpointError:
    return CheckpointError(f"the checkpoint {where} cannot be read ({why}); delete the job or start it "
                           "again with reset")


def check_meta(meta, where: str, keys=("step", "seq")) -> dict:
    """``meta`` when its ``keys`` are integers from 0 to 2^53 and ``final`` is a mapping or None;
    CheckpointError naming the field otherwise."""
    if not isinstance(meta, dict):
        raise _damaged(where, f"it holds a {type(meta).__name__}, not a training state")
    for key in keys:
        value = meta.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SEQ:
            raise CheckpointError(f"the checkpoint {where} has {key} {value!r}: expected an integer from 0 to {MAX_SEQ}")
    if not isinstance(meta.get("final"), (dict, type(None))):
        raise CheckpointError(f"the checkpoint {where} has final {type(meta['final']).__name__}, not a mapping")
    return meta


def check_archive(data: bytes, where: str) -> bytes:
    """``data`` when it is a whole ``torch.save`` zip archive (every member's CRC checks), without
    unpickling anything; CheckpointError otherwise."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            bad = archive.testzip()
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise _damaged(where, f"not a whole torch file: {exc}" if data else "the file is empty") from exc
    if bad is not None:
        raise _damaged(where, f"its member {bad} fails its CRC check")
    return data


class Checkpoints:
    """Save, load and delete the latest training state of each job."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def path(self, job_id: str) -> Path:
        return self.folder / f"{job_id}.pt"

    def meta_path(self, job_id: str) -> Path:
        return self.folder / f"{job_id}.json"

    def save(self, job_id: str, data: bytes, meta: dict) -> None:
        """Store a state's bytes and ``meta`` (``{"step", "final", "seq"}``)."""
        _write_atomic(self.path(job_id), data)
        _write_atomic(self.meta_path(job_id), json.dumps(meta).encode())

    def meta(self, job_id: str) -> dict | None:
        """``{"step", "final", "seq"}`` of the latest state, None when the job never reached one. Files
        written before the sidecar existed hold these inside the state. CheckpointError when it is
        damaged or impossible (see check_meta)."""
        if not self.path(job_id).exists():
            return None
        where = f"of job {job_id}"
        if self.meta_path(job_id).exists():
            try:
                meta = json.loads(self.meta_path(job_id).read_text())
            except (ValueError, UnicodeDecodeError) as exc:
                raise _damaged(where, f"its {self.meta_path(job_id).name} is not JSON: {exc}") from exc
            return check_meta(meta, where)
        state = self.load(job_id)
        return check_meta({"step": state.get("step"), "final": state.get("final") or None, "seq": state.get("seq")}, where)

    def data(self, job_id: str) -> bytes | None:
        """The state's bytes, checked whole (check_archive), or None."""
        path = self.path(job_id)
        return check_archive(path.read_bytes(), f"of job {job_id}") if path.exists() else None

    def load(self, job_id: str) -> dict | None:
        """The latest state as tensors (for exports), or None when the job never reached a checkpoint;
        CheckpointError when the file cannot be read or has no model weights."""
        import torch  # only the routes that read weights pay for it

        path = self.path(job_id)
        if not path.exists():
            return None
        where = f"of job {job_id}"
        try:
            state = torch.load(path, weights_only=True, map_location="cpu")
        except Exception as exc:  # torch raises RuntimeError, EOFError, UnpicklingError, ... by file damage
            raise _damaged(where, f"{type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else 'damaged'}") from exc
        if not isinstance(state, dict) or not isinstance(state.get("model"), dict):
            raise _damaged(where, "it holds no model weights")
        return check_meta(state, where, keys=("step",))

    def delete(self, job_id: str) -> None:
        self.path(job_id).unlink(missing_ok=True)
        self.meta_path(job_id).unlink(missing_ok=True)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
