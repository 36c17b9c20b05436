"""The training loop: pure, synchronous, seeded; reports through an ``emit`` callback."""

from nnplay.train.loop import TrainResult, train

__all__ = ["TrainResult", "train"]
