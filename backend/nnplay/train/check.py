"""The complete pre-training check of a job: shapes on the data set, loss compatibility, limits."""

from math import ceil, prod

from nnplay.data import dataset_info, is_word_corpus
from nnplay.probes.budget import active_round_bytes
from nnplay.probes.registry import job_facts, select
from nnplay.settings import Settings
from nnplay.spec.data import DatasetSpec
from nnplay.spec.errors import LimitError, SpecError
from nnplay.spec.network import LayerSummary, NetworkSpec, NetworkSummary, summarize
from nnplay.spec.training import TrainingSpec
from nnplay.spec.word2vec import Word2VecSpec
from nnplay.train.message_sizes import estimate_messages
from nnplay.train.word2vec import corpus_vocab

MIN_VOCAB = 10


def check_job(dataset: DatasetSpec, network: NetworkSpec | Word2VecSpec, training: TrainingSpec | None,
              settings: Settings) -> NetworkSummary:
    """Summary table of ``network`` on ``dataset``, with the ``panels`` its job will stream.

    Raises SpecError at ``dataset.name`` for an unknown data set (built-in or uploaded under
    ``settings.data_dir``) or one that does not suit the kind of network (a word corpus needs a word2vec
    network and vice versa), ShapeError (at ``network.layers[i].field``) when the network cannot run on
    the data or its output does not fit the loss, task or input (reconstruction), SpecError at
    ``training.loss`` for a regression set or a reconstruction with a classification loss, and LimitError
    when it exceeds ``max_params`` or ``max_epochs``, or when a probe message without a window would
    exceed ``max_message_kb`` (``nnplay.train.message_sizes``; the summary's ``messages`` gives each type's
    estimate and its ``warnings`` say which are windowed).
    """
    training = training or TrainingSpec()
    if training.augment is not None and isinstance(network, Word2VecSpec):
        raise SpecError(("training", "augment"), "augment shifts and rotates images; a word2vec network trains on "
                        "a word corpus: leave augment out (null)")
    if isinstance(network, Word2VecSpec):
        return check_word2vec(dataset, network, training, settings)
    if is_word_corpus(dataset.name, settings.data_dir):
        raise SpecError(("dataset", "name"), f"'{dataset.name}' is a word corpus: it trains word2vec networks "
                        '({"type": "word2vec", ...}); a layer network needs digits, a tabular or a 2-D data set')
    info = dataset_info(dataset, settings.data_dir)
    if training.active is not None:
        check_active(training, info, dataset)
    check_augment(training, info, dataset)
    if dataset.target == "input" and info.task != "classification":
        raise SpecError(("dataset", "target"), f"reconstructing the input needs a labelled data set to colour and "
                        f"score its codes; '{dataset.name}' is a {info.task} set: use target 'label'")
    if dataset.target == "input" and training.loss != "mse":
        raise SpecError(("training", "loss"), f"reconstructing the input (dataset.target 'input') needs loss "
                        f"'mse', the squared error against the input; '{training.loss}' compares with labels")
    summary = summarize(network, info.input_shape, len(info.classes), training.loss, info.task,
                        target_shape=info.target_shape, vocab_size=info.vocab_size, target=dataset.target)
    summary.panels = select(job_facts(network, dataset, info, active=training.active is not None))
    if summary.total_params > settings.max_params:
        raise LimitError(("network",), f"the network has {summary.total_params:,} parameters; the limit "
                         f"max_params is {settings.max_params:,} (setting NNPLAY_MAX_PARAMS)")
    batch = _batch(training, info.n_samples, dataset.test_fraction)
    check_batch_norm(summary, min(batch, training.active.initial_labels) if training.active else batch)
    mib = activation_mib(summary, batch)
    if mib > settings.max_activation_mb:
        raise LimitError(("training", "batch_size"), f"one training step would keep about {mib:,.0f} MiB of "
                         f"activations; the limit max_activation_mb is {settings.max_activation_mb:,.0f} "
                         "(setting NNPLAY_MAX_ACTIVATION_MB): use a smaller batch_size or network")
    if training.epochs > settings.max_epochs:
        raise LimitError(("training", "epochs"), f"epochs {training.epochs} exceeds the limit max_epochs "
                         f"{settings.max_epochs} (setting NNPLAY_MAX_EPOCHS)")
    sizes, notes = estimate_messages(dataset, network.layers, summary, info, settings.max_message_kb,
                                     settings.max_feature_map_channels, settings.max_neuron_units,
                                     settings.neuron_map_resolution)
    if training.active is not None:
        sizes["active_round"] = active_round_bytes(training.active.final_labels, training.active.query_size)
    return summary.model_copy(update={"messages": sizes, "warnings": [*summary.warnings, *notes]})


def check_active(training: TrainingSpec, info, dataset: DatasetSpec) -> None:
    """An active-learning run (``training.active``) needs a classification set with one class id per
    example (not a reconstruction), no ``lr_schedule`` (its epochs are rounds of ``steps_per_round``) and a
    pool (the training part) of at least ``initial_labels + rounds * query_size`` points. Raises SpecError
    at the field to change."""
    a = training.active
    if info.task != "classification" or info.target_shape or dataset.target == "input":
        raise SpecError(("training", "active"), f"active learning asks for class labels: '{dataset.name}' is a "
                        f"{info.task} set{' (reconstruction)' if dataset.target == 'input' else ''}; use a "
                        "classification set such as spiral, xor, circle or gaussian")
    if training.lr_schedule.type != "none":
        raise SpecError(("training", "lr_schedule"), "an active-learning run trains in rounds, not epochs: use "
                        "lr_schedule {\"type\": \"none\"}")
    pool = info.n_samples - ceil(info.n_samples * dataset.test_fraction)
    if a.final_labels > pool:
        raise SpecError(("training", "active", "rounds"), f"initial_labels {a.initial_labels} + rounds {a.rounds} x "
                        f"query_size {a.query_size} = {a.final_labels} labels, but the pool (the training part of "
                        f"'{dataset.name}') holds {pool} points: fewer rounds, a smaller query_size or more n_samples")


def check_augment(training: TrainingSpec, info, dataset: DatasetSpec) -> None:
    """``training.augment`` moves images (``nnplay.train.augment``): it needs an image data set, inputs
    ``(C, H, W)``, and the epoch loop (an active-learning run trains in rounds without it). Raises
    SpecError at ``training.augment`` otherwise."""
    if training.augment is None:
        return
    if info.kind != "image" or len(info.input_shape) != 3:
        raise SpecError(("training", "augment"), f"augment shifts and rotates images (C, H, W); '{dataset.name}' is "
                        f"a {info.kind} data set with inputs {tuple(info.input_shape)}: use an image set such as "
                        "digits or mnist, or leave augment out (null)")
    if training.active is not None:
        raise SpecError(("training", "augment"), "augment is not applied in an active-learning run (it trains in "
                        "rounds on a labelled pool): leave one of them out")


def _batch(training: TrainingSpec, n_samples: int, test_fraction: float) -> int:
    """Examples per step; ``"full"`` is the whole training part."""
    n_train = n_samples - ceil(n_samples * test_fraction)
    return n_train if training.batch_size == "full" else min(training.batch_size, n_train)


def check_batch_norm(summary: NetworkSummary, batch: int) -> None:
    """SpecError at ``training.batch_size`` when a batch norm layer would see one value per channel
    in a training step (``batch`` examples times its positions, e.g. batchnorm1d on ``(F,)`` features
    with batch 1): torch refuses to normalise it ("Expected more than 1 value per channel")."""
    for row in summary.layers:
        if row.type in ("batchnorm1d", "batchnorm2d") and batch * prod(row.output_shape[1:]) < 2:
            raise SpecError(("training", "batch_size"), f"layer {row.index} ({row.type}) needs more than one value "
                            f"per channel in a training step, and batch_size {batch} gives it one: use a batch_size "
                            "of 2 or more, or remove the batch norm")


def activation_mib(summary: NetworkSummary, batch_size: int) -> float:
    """Estimated float32 activations of one step, in MiB: the input and every layer's output for
    ``batch_size`` examples, which autograd keeps for the backward pass (gradients of the same size
    are transient)."""
    values = prod(summary.input_shape) + sum(prod(row.output_shape) for row in summary.layers)
    return batch_size * values * 4 / 2**20


def check_word2vec(dataset: DatasetSpec, network: Word2VecSpec, training: TrainingSpec,
                   settings: Settings) -> NetworkSummary:
    """The word2vec summary: one-hot input ``(V,)``, the input embedding ``(V, D)`` giving ``(D,)``, the
    output weights ``(V, D)``. Raises SpecError at ``dataset.name`` for a data set that is not a word
    corpus (built-in or an uploaded text under ``settings.data_dir``), at ``network.min_count`` for a
    ``min_count`` leaving fewer than ``MIN_VOCAB`` words, LimitError over ``max_params`` or ``max_epochs``."""
    vocab, ids = corpus_vocab(dataset.name, network.min_count, settings.data_dir)
    if len(vocab) < MIN_VOCAB:
        raise SpecError(("network", "min_count"), f"min_count {network.min_count} leaves {len(vocab)} words of "
                        f"'{dataset.name}' in the vocabulary; at least {MIN_VOCAB} are needed: lower min_count")
    v, d = len(vocab), network.embedding_dim
    out = [v] if network.full_softmax else [1 + network.n_negatives]
    rows = [LayerSummary(index=0, type="embedding (input weights)", output_shape=[d], params=v * d),
            LayerSummary(index=1, type="softmax over the vocabulary" if network.full_softmax
                         else "negative sampling (output weights)", output_shape=out, params=v * d)]
    summary = NetworkSummary(input_shape=[v], output_shape=out, layers=rows, total_params=2 * v * d,
                             warnings=_word2vec_warnings(network, training, v, len(ids)),
                             panels=select(job_facts(network, dataset, None)))
    if summary.total_params > settings.max_params:
        raise LimitError(("network", "embedding_dim"), f"the model has {summary.total_params:,} parameters (2 x "
                         f"{v:,} words x {d}); the limit max_params is {settings.max_params:,} (setting "
                         "NNPLAY_MAX_PARAMS): use a smaller embedding_dim or a larger min_count")
    mib = word2vec_activation_mib(network, v, len(ids), training.batch_size)
    if mib > settings.max_activation_mb:
        raise LimitError(("training", "batch_size"), f"one training step would keep about {mib:,.0f} MiB of "
                         f"activations; the limit max_activation_mb is {settings.max_activation_mb:,.0f} "
                         "(setting NNPLAY_MAX_ACTIVATION_MB): use a smaller batch_size"
                         + (", negative sampling or a larger min_count" if network.full_softmax else ""))
    if training.epochs > settings.max_epochs:
        raise LimitError(("training", "epochs"), f"epochs {training.epochs} exceeds the limit max_epochs "
                         f"{settings.max_epochs} (setting NNPLAY_MAX_EPOCHS)")
    return summary


def word2vec_activation_mib(network: Word2VecSpec, vocab_size: int, n_tokens: int, batch_size: int | str) -> float:
    """Estimated float32 activations of one word2vec step, in MiB, for ``batch_size`` examples (``"full"``:
    an epoch's examples before subsampling, ``n_tokens * (window + 1)`` skip-gram pairs, as the dynamic
    window averages ``(window + 1) / 2`` words on each side, or ``n_tokens`` CBOW centres). Per example:
    the input vector(s) ``D`` (CBOW: the ``2 * window`` context rows and their mean), then the logits and
    log-probabilities over the vocabulary ``2 V`` (full softmax) or the ``1 + negatives`` output rows and
    their scores."""
    d, k = network.embedding_dim, network.n_negatives
    examples = n_tokens * (network.window + 1) if network.model == "skipgram" else n_tokens
    batch = examples if batch_size == "full" else min(batch_size, examples)
    inputs = d * (2 * network.window + 1) if network.model == "cbow" else d
    outputs = 2 * vocab_size if network.full_softmax else (1 + k) * (d + 1)
    return batch * (inputs + outputs) * 4 / 2**20


def _word2vec_warnings(network: Word2VecSpec, training: TrainingSpec, vocab_size: int, n_tokens: int) -> list[str]:
    out = [f"vocabulary: {vocab_size:,} words seen at least {network.min_count} times; {n_tokens:,} tokens of the "
           "corpus remain"]
    if training.loss != "cross_entropy":
        out.append(f"training.loss '{training.loss}' is not used: word2vec trains with the softmax cross-entropy "
                   "or the negative-sampling loss")
    if network.full_softmax and vocab_size > 5000:
        out.append(f"the full softmax scores all {vocab_size:,} words at every step: slow; negative sampling "
                   "or a larger min_count is faster")
    return out
