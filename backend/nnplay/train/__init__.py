"""The training loops: pure, synchronous, seeded; they report through an ``emit`` callback.

``train`` runs a job spec with the loop of its network kind: ``nnplay.train.loop`` for layer lists,
``nnplay.train.word2vec`` for word2vec models; a layer list with ``training.active`` trains round by round
on a growing labelled pool (``nnplay.train.active``). All emit the same event vocabulary and take the same
stop flag, checkpoint sink and resume state.
"""

from collections.abc import Callable

from nnplay.spec.network import JobSpec, network_kind
from nnplay.train.active import train_active
from nnplay.train.loop import TrainResult
from nnplay.train.loop import train as train_layers
from nnplay.train.word2vec import train_word2vec

TRAINERS: dict[str, Callable[..., TrainResult]] = {"layers": train_layers, "word2vec": train_word2vec}


def train(spec: JobSpec, emit: Callable[[dict], None], should_stop: Callable[[], bool] = lambda: False,
          **options) -> TrainResult:
    """Train ``spec`` with its kind's loop (``TRAINERS``; ``train_active`` when ``training.active`` is set);
    ``options`` as ``nnplay.train.loop.train``."""
    if spec.training.active is not None:
        return train_active(spec, emit, should_stop, **options)
    return TRAINERS[network_kind(spec.network)](spec, emit, should_stop, **options)


__all__ = ["TRAINERS", "TrainResult", "train", "train_active", "train_layers", "train_word2vec"]
