"""The training loops: pure, synchronous, seeded; they report through an ``emit`` callback.

``train`` runs a job spec through the one loop (``nnplay.train.engine``: control gate, live settings,
slow motion, metrics, probe cadence, checkpoints, resume, divergence) with the task of its network kind
(``TASKS``): ``nnplay.train.loop.LayerTask`` for layer lists, ``nnplay.train.word2vec.Word2VecTask`` for
word2vec models. A new kind of job is a ``TrainTask`` subclass and an entry here. A layer list with
``training.active`` trains round by round on a growing labelled pool (``nnplay.train.active``). All emit
the same event vocabulary and take the same stop flag, checkpoint sink and resume state.
"""

from collections.abc import Callable

from nnplay.spec.network import JobSpec, network_kind
from nnplay.train.active import train_active
from nnplay.train.engine import TrainResult, TrainTask, train_with
from nnplay.train.loop import LayerTask
from nnplay.train.loop import train as train_layers
from nnplay.train.word2vec import Word2VecTask, train_word2vec

TASKS: dict[str, type[TrainTask]] = {"layers": LayerTask, "word2vec": Word2VecTask}


def train(spec: JobSpec, emit: Callable[[dict], None], should_stop: Callable[[], bool] = lambda: False,
          **options) -> TrainResult:
    """Train ``spec`` with its kind's task (``TASKS``; ``train_active`` when ``training.active`` is set);
    ``options`` as ``nnplay.train.loop.train``."""
    if spec.training.active is not None:
        return train_active(spec, emit, should_stop, **options)
    return train_with(TASKS[network_kind(spec.network)], spec, emit, should_stop, **options)


__all__ = ["TASKS", "TrainResult", "TrainTask", "train", "train_active", "train_layers", "train_word2vec"]
