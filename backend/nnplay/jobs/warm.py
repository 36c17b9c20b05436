"""Imported once by the worker fork server: torch, the training code and torch's lazy imports are
paid there, so every forked worker starts warm (``nnplay.jobs.processes``)."""

from nnplay.jobs.worker import preload

preload()
