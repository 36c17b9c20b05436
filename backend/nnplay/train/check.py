"""The complete pre-training check of a job: shapes on the data set, loss compatibility, limits."""

from math import ceil, prod

from nnplay.data import dataset_info
from nnplay.settings import Settings
from nnplay.spec.data import DatasetSpec
from nnplay.spec.errors import LimitError
from nnplay.spec.network import NetworkSpec, NetworkSummary, summarize
from nnplay.spec.training import TrainingSpec


def check_job(dataset: DatasetSpec, network: NetworkSpec, training: TrainingSpec | None,
              settings: Settings) -> NetworkSummary:
    """Summary table of ``network`` on ``dataset``.

    Raises SpecError at ``dataset.name`` for an unknown data set (built-in or uploaded under
    ``settings.data_dir``), ShapeError (at ``network.layers[i].field``) when the network cannot run on
    the data or its output does not fit the loss or task, SpecError at ``training.loss`` for a
    regression set with a classification loss, and LimitError when it exceeds ``max_params`` or
    ``max_epochs``.
    """
    info = dataset_info(dataset, settings.data_dir)
    training = training or TrainingSpec()
    summary = summarize(network, info.input_shape, len(info.classes), training.loss, info.task,
                        target_shape=info.target_shape, vocab_size=info.vocab_size)
    if summary.total_params > settings.max_params:
        raise LimitError(("network",), f"the network has {summary.total_params:,} parameters; the limit "
                         f"max_params is {settings.max_params:,} (setting NNPLAY_MAX_PARAMS)")
    mib = activation_mib(summary, _batch(training, info.n_samples, dataset.test_fraction))
    if mib > settings.max_activation_mb:
        raise LimitError(("training", "batch_size"), f"one training step would keep about {mib:,.0f} MiB of "
                         f"activations; the limit max_activation_mb is {settings.max_activation_mb:,.0f} "
                         "(setting NNPLAY_MAX_ACTIVATION_MB): use a smaller batch_size or network")
    if training.epochs > settings.max_epochs:
        raise LimitError(("training", "epochs"), f"epochs {training.epochs} exceeds the limit max_epochs "
                         f"{settings.max_epochs} (setting NNPLAY_MAX_EPOCHS)")
    return summary


def _batch(training: TrainingSpec, n_samples: int, test_fraction: float) -> int:
    """Examples per step; ``"full"`` is the whole training part."""
    n_train = n_samples - ceil(n_samples * test_fraction)
    return n_train if training.batch_size == "full" else min(training.batch_size, n_train)


def activation_mib(summary: NetworkSummary, batch_size: int) -> float:
    """Estimated float32 activations of one step, in MiB: the input and every layer's output for
    ``batch_size`` examples, which autograd keeps for the backward pass (gradients of the same size
    are transient)."""
    values = prod(summary.input_shape) + sum(prod(row.output_shape) for row in summary.layers)
    return batch_size * values * 4 / 2**20
