"""Checkpoint files: one per job, ``<data_dir>/checkpoints/<job_id>.pt``, the latest state only.

Written atomically (a temporary file renamed over the old one) so a crash never leaves a torn file;
read with ``torch.load(weights_only=True)``: no pickled code is ever executed.
"""

import os
from pathlib import Path

import torch


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
        """The latest state, or None when the job never reached a checkpoint."""
        path = self.path(job_id)
        return torch.load(path, weights_only=True, map_location="cpu") if path.exists() else None

    def delete(self, job_id: str) -> None:
        self.path(job_id).unlink(missing_ok=True)
