"""The complete pre-training check of a job: shapes on the data set, loss compatibility, limits."""

from nnplay.data import dataset_info
from nnplay.settings import Settings
from nnplay.spec.data import DatasetSpec
from nnplay.spec.errors import LimitError
from nnplay.spec.network import NetworkSpec, NetworkSummary, summarize
from nnplay.spec.training import TrainingSpec


def check_job(dataset: DatasetSpec, network: NetworkSpec, training: TrainingSpec | None,
              settings: Settings) -> NetworkSummary:
    """Summary table of ``network`` on ``dataset``.

    Raises ShapeError (at ``network.layers[i].field``) when the network cannot run on the data or its
    output does not fit the loss, and LimitError when it exceeds ``max_params`` or ``max_epochs``.
    """
    info = dataset_info(dataset)
    training = training or TrainingSpec()
    summary = summarize(network, info.input_shape, len(info.classes), training.loss)
    if summary.total_params > settings.max_params:
        raise LimitError(("network",), f"the network has {summary.total_params:,} parameters; the limit "
                         f"max_params is {settings.max_params:,} (setting NNPLAY_MAX_PARAMS)")
    if training.epochs > settings.max_epochs:
        raise LimitError(("training", "epochs"), f"epochs {training.epochs} exceeds the limit max_epochs "
                         f"{settings.max_epochs} (setting NNPLAY_MAX_EPOCHS)")
    return summary
