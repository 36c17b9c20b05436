"""Checkpoint files: one per job, ``<data_dir>/checkpoints/<job_id>.pt``, the latest state only.

Written atomically (a temporary file renamed over the old one) so a crash never leaves a torn file;
read with ``torch.load(weights_only=True)``: no pickled code is ever executed. A file that cannot be
read, or whose state is not one a run wrote, raises CheckpointError (HTTP 409) before anything is changed.
"""

import os
from pathlib import Path

import torch

MAX_SEQ = 2**53  # no message number reaches this (the stream's own bound)


class CheckpointError(RuntimeError):
    """A checkpoint file that is truncated, empty, not a torch file, or holds an impossible state
    (HTTP 409, the job's history and status untouched)."""


def check_state(state, where: str) -> dict:
    """``state`` when it has the fields every run writes, with ``step`` and ``seq`` integers from 0 to
    2^53, ``model`` a mapping and ``final`` a mapping or None; CheckpointError naming the field otherwise."""
    if not isinstance(state, dict):
        raise CheckpointError(f"the checkpoint {where} holds a {type(state).__name__}, not a training state")
    for key in ("step", "seq"):
        value = state.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SEQ:
            raise CheckpointError(f"the checkpoint {where} has {key} {value!r}: expected an integer from 0 to {MAX_SEQ}")
    if not isinstance(state.get("model"), dict):
        raise CheckpointError(f"the checkpoint {where} has no model weights")
    if not isinstance(state.get("final"), (dict, type(None))):
        raise CheckpointError(f"the checkpoint {where} has final {type(state['final']).__name__}, not a mapping")
    return state


class Checkpoints:
    """Save, load and delete the latest training state of each job."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def path(self, job_id: str) -> Path:
        return self.folder / f"{job_id}.pt"

    def save(self, job_id: str, state: dict) -> None:
        tmp = self.folder / f".{job_id}.pt.tmp"
        torch.save(state, tmp)
        os.replace(tmp, self.path(job_id))

    def load(self, job_id: str) -> dict | None:
        """The latest state, or None when the job never reached a checkpoint; CheckpointError when the
        file cannot be read (truncated, empty, random bytes) or its state is impossible (see check_state)."""
        path = self.path(job_id)
        if not path.exists():
            return None
        where = f"of job {job_id}"
        try:
            state = torch.load(path, weights_only=True, map_location="cpu")
        except Exception as exc:  # torch raises RuntimeError, EOFError, UnpicklingError, ... by file damage
            raise CheckpointError(f"the checkpoint {where} cannot be read ({type(exc).__name__}: "
                                  f"{str(exc).splitlines()[0][:120] if str(exc) else 'damaged file'}); "
                                  "delete the job or start it again with reset") from exc
        return check_state(state, where)

    def delete(self, job_id: str) -> None:
        self.path(job_id).unlink(missing_ok=True)
