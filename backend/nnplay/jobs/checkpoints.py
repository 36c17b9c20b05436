"""Checkpoint files: one per job, the latest state only: ``<data_dir>/checkpoints/<job_id>.pt`` (the
``torch.save`` bytes a worker sent) and ``<job_id>.json`` beside it (``{"step", "final", "seq"}``: where
the state stands and the last message ``seq`` it covers), so the server resumes a job without loading
the state.

Written atomically (a temporary file renamed over the old one; the state before its sidecar) so a
crash never leaves a torn file; states are read with ``torch.load(weights_only=True)``: no pickled code
is ever executed.
"""

import json
import os
from pathlib import Path


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
        written before the sidecar existed hold these inside the state."""
        if not self.path(job_id).exists():
            return None
        if self.meta_path(job_id).exists():
            return json.loads(self.meta_path(job_id).read_text())
        state = self.load(job_id)
        return {"step": int(state["step"]), "final": state["final"] or None, "seq": int(state["seq"])}

    def data(self, job_id: str) -> bytes | None:
        path = self.path(job_id)
        return path.read_bytes() if path.exists() else None

    def load(self, job_id: str) -> dict | None:
        """The latest state as tensors (for exports), or None when the job never reached a checkpoint."""
        import torch  # only the routes that read weights pay for it

        path = self.path(job_id)
        return torch.load(path, weights_only=True, map_location="cpu") if path.exists() else None

    def delete(self, job_id: str) -> None:
        self.path(job_id).unlink(missing_ok=True)
        self.meta_path(job_id).unlink(missing_ok=True)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
