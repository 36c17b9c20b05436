"""The websocket vocabulary: one pydantic model per message type, version 1.

Every message is ``{"v": 1, "type", "job_id", "seq", "step", ...}``. ``seq`` numbers a job's messages
from 1 without gaps as they are made; ``step`` is the number of optimizer steps done when the message
was made. Non-finite numbers are ``null``: messages are serialised with ``allow_nan=False``.

What a client receives is always in ``seq`` order without duplicates, but may skip numbers, in three
documented ways: stored visual frames (the probe registry's frame types) are thinned as a run grows,
each type keeping 200-400 spread over the run with its first and latest (``nnplay.jobs.run``); a
client that falls 256 messages behind the live ones skips superseded frames; and ``max_points`` on the
stream downsamples the stored step metrics and gradients (``nnplay.jobs.history``). ``status``,
``settings``, ``data_info`` and epoch ``metrics`` messages are never skipped.
"""

from typing import Annotated, Literal, Union, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from nnplay.spec.layers import ATTENTION_TYPES, RECURRENT_TYPES
from nnplay.spec.training import LiveSettings

VERSION = 1
STATUSES = ("queued", "running", "paused", "completed", "stopped", "failed", "diverged", "interrupted")
TERMINAL = frozenset({"completed", "stopped", "failed", "diverged", "interrupted"})
Status = Literal["queued", "running", "paused", "completed", "stopped", "failed", "diverged", "interrupted"]
RecurrentType = Literal[RECURRENT_TYPES]  # type: ignore[valid-type]
AttentionType = Literal[ATTENTION_TYPES]  # type: ignore[valid-type]
Task = Literal["classification", "regression", "language_modeling", "sequence_labelling"]


class Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid", ser_json_inf_nan="null")

    v: Literal[1] = VERSION
    job_id: str
    seq: int = Field(ge=1)
    step: int = Field(ge=0)


class FinalMetrics(BaseModel):
    model_config = ConfigDict(ser_json_inf_nan="null")

    """Figures of the last finished epoch; losses in nats for likelihood losses."""

    train_loss: float | None = None
    train_accuracy: float | None = None
    test_loss: float | None = None
    test_accuracy: float | None = None
    train_r2: float | None = Field(None, description="Regression: 1 - MSE / Var(y) on the training part")
    test_r2: float | None = Field(None, description="Regression: 1 - MSE / Var(y) on the test part")
    test_rmse: float | None = Field(None, description="Regression: root mean squared error on the test part, in "
                                    "the target's data units (a standardised series' scale put back)")
    epochs_done: int = 0
    steps: int = 0
    n_labels: int | None = Field(None, description="Active learning: labelled points the last round trained on")


class StatusMessage(Envelope):
    """A job's status changed; ``final`` is set once it has finished at least one epoch."""

    type: Literal["status"] = "status"
    status: Status
    detail: str | None = None
    final: FinalMetrics | None = None


class MetricsMessage(Envelope):
    """Loss (and accuracy, for ``scope`` ``epoch``) at a step; ``lr`` is the learning rate per step.
    Regression has no accuracy: ``train_r2`` / ``test_r2`` (coefficient of determination) instead; its
    loss is the mean squared error in squared target units.

    ``train_loss`` / ``test_loss`` are the data term (nats for the likelihood losses); ``l2_penalty``
    (``weight_decay / 2 * ||w||^2``, a Gaussian prior) and ``l1_penalty`` (``l1 * ||w||_1``, a Laplace
    prior) are the regularisation terms at the step's weights, in the same units, per example; the
    objective minimised is their sum (MAP; maximum likelihood when both are 0).
    """

    type: Literal["metrics"] = "metrics"
    scope: Literal["step", "epoch"]
    epoch: int = Field(ge=0)
    train_loss: float | None = None
    train_accuracy: float | None = None
    test_loss: float | None = None
    test_accuracy: float | None = None
    train_r2: float | None = None
    test_r2: float | None = None
    test_rmse: float | None = None
    lr: float | None = None
    l2_penalty: float | None = None
    l1_penalty: float | None = None


class SettingsMessage(Envelope):
    """Settings of a running job changed (``POST /api/jobs/{id}/settings``): ``changes`` (the fields
    of ``LiveSettings`` that were given) take effect from step ``step + 1``."""

    type: Literal["settings"] = "settings"
    epoch: int = Field(ge=0)
    changes: dict[str, float | int | bool | None]

    @model_validator(mode="after")
    def _live_settings(self) -> "SettingsMessage":
        LiveSettings.model_validate(self.changes)
        return self


class ArrayPayload(BaseModel):
    """A tensor, exactly: ``data`` is base64 text of its float32 entries in row-major order,
    little-endian (4 bytes an entry; decode with ``nnplay.probes.arrays.payload_tensor`` or
    ``js/views/arrays.js``). Non-finite entries are bytes like the rest, so the JSON stays valid;
    ``vmin``/``vmax`` span the finite entries (null when there are none)."""

    model_config = ConfigDict(ser_json_inf_nan="null")

    shape: list[int]
    dims: list[str]
    vmin: float | None
    vmax: float | None
    encoding: Literal["float32"]
    data: str


class ProbeInput(ArrayPayload):
    label: int
    label_name: str


class MapLayer(ArrayPayload):
    """Output ``(channel, row, col)`` of one conv/pool layer; ``channels_total`` before capping."""

    index: int
    type: str
    channels_total: int


class Prediction(BaseModel):
    model_config = ConfigDict(ser_json_inf_nan="null")

    class_: int = Field(alias="class")
    label_name: str
    probabilities: list[float]


class FeatureMapsMessage(Envelope):
    """The probe image, the model's prediction for it and every conv/pool layer's maps."""

    type: Literal["feature_maps"] = "feature_maps"
    epoch: int = Field(ge=0)
    input: ProbeInput
    prediction: Prediction
    layers: list[MapLayer]


class PointSet(BaseModel):
    """Points of a 1-D or 2-D data set in the model's standardised input units (``x2`` empty for 1-D),
    with their class ids (classification) or float targets in data units (regression)."""

    x1: list[float]
    x2: list[float]
    label: list[int]
    target: list[float] | None = None


class DataPointsMessage(Envelope):
    """Sent once before training on 1-D/2-D data: the train and test points to draw under the
    boundary or the prediction."""

    type: Literal["data_points"] = "data_points"
    task: Literal["classification", "regression"] = "classification"
    classes: list[str]
    train: PointSet
    test: PointSet


class DataInfoMessage(Envelope):
    """Sent once before training: the split's sizes and how many feature values are missing
    (``missing`` of ``total_values``, ``removed`` of them by ``missing_fraction``), filled by ``impute``."""

    type: Literal["data_info"] = "data_info"
    dataset: str
    task: Task
    n_train: int = Field(ge=0)
    n_test: int = Field(ge=0)
    input_shape: list[int]
    missing: int = Field(ge=0)
    removed: int = Field(ge=0)
    total_values: int = Field(ge=0)
    missing_fraction: float = Field(ge=0.0, le=1.0)
    impute: Literal["mean", "zero", "mean_with_indicator"]
    batch_size: int | None = Field(None, ge=1, description="Examples per step (\"full\": n_train).")
    batches_per_epoch: int | None = Field(None, ge=0)
    last_batch_merged: bool = Field(False, description="A last batch of one example joined the one before it "
                                    "(batch norm cannot normalise a batch of one), so one batch per epoch is "
                                    "batch_size + 1 examples.")


class QuantizedArray(BaseModel):
    """A tensor as 8-bit codes (base64 text of its row-major bytes), for maps drawn as colours:
    entry ``≈ vmin + code * (vmax - vmin) / 255``; ``vmin``/``vmax`` span its finite entries."""

    model_config = ConfigDict(ser_json_inf_nan="null")

    shape: list[int]
    dims: list[str]
    vmin: float | None
    vmax: float | None
    encoding: Literal["uint8"]
    data: str


class DecisionBoundaryMessage(Envelope):
    """The model over a grid spanning the data. Classification: ``predicted`` class ids and
    ``confidence`` (the predicted class's probability, 1/K..1), indexed ``(row, col)`` = ``(x2, x1)``,
    both as 8-bit codes (:class:`QuantizedArray`; round a decoded id to the nearest integer; a
    ``predicted`` spanning more than 256 ids comes as a plain :class:`ArrayPayload`).
    Regression (``task`` ``regression``, ``classes`` and ``confidence`` empty): ``predicted`` is the
    predicted target in data units, ``(row, col)`` over the grid for 2-D input, ``(x1,)`` along x1 for
    1-D input (``x2`` empty)."""

    type: Literal["decision_boundary"] = "decision_boundary"
    task: Literal["classification", "regression"] = "classification"
    epoch: int = Field(ge=0)
    x1: list[float]
    x2: list[float]
    classes: list[str]
    predicted: QuantizedArray | ArrayPayload
    confidence: QuantizedArray | ArrayPayload | None = None


class GateArray(ArrayPayload):
    """One gate or state of one recurrent layer and direction, ``(unit, time)`` for the probe sequence.

    ``scale`` is ``sequential`` for the sigmoid gates (drawn on a fixed 0-1 scale) and ``diverging`` for
    the tanh candidates and the states (drawn centred on 0, from ``-limit`` to ``limit``)."""

    name: str
    label: str
    scale: Literal["sequential", "diverging"]
    limit: float


class GateLayer(BaseModel):
    """Gates and states of stacked layer ``layer`` (``direction``) of the network's layer ``index``;
    ``units_total`` is ``hidden_size`` (the arrays hold the first ``len`` units)."""

    index: int
    type: RecurrentType
    layer: int = Field(ge=0)
    direction: Literal["forward", "backward"]
    units_total: int = Field(ge=1)
    arrays: list[GateArray]


class StepWindow(BaseModel):
    """A gates message cut to fit ``max_message_kb``: the first ``steps`` of ``steps_total`` time steps."""

    steps: int = Field(ge=1)
    steps_total: int = Field(ge=1)
    limit_kb: float


class GatesMessage(Envelope):
    """LSTM i, f, g, o, c_t, h_t / GRU r, z, n, h_t / RNN h_t of every recurrent layer and direction for
    one probe sequence (the first test example), recomputed from the layer's own weights in eval mode.
    ``time`` labels the time axis: the input character at each step, or the input value in data units;
    ``values`` holds those values (null for text). ``window`` (null: every step) says when the message
    holds only the first steps, as validation announced, to stay under ``max_message_kb``."""

    type: Literal["gates"] = "gates"
    epoch: int = Field(ge=0)
    time: list[str]
    values: list[float | None] | None = None
    window: StepWindow | None = None
    layers: list[GateLayer]


class TimeGradientLayer(BaseModel):
    """``norms[t]`` = ||dL/dh_t||: the L2 norm, over the probe batch and both directions, of the loss's
    total derivative with respect to the top stacked layer's hidden state at step ``t``."""

    index: int
    type: RecurrentType
    norms: list[float | None]


class TimeGradientsMessage(Envelope):
    """Gradients through time for the probe batch (``batch`` test sequences), one row per recurrent layer
    of the network. Vanishing gradients show as norms falling by orders of magnitude toward t = 1."""

    type: Literal["time_gradients"] = "time_gradients"
    epoch: int = Field(ge=0)
    batch: int = Field(ge=1)
    layers: list[TimeGradientLayer]


class ForecastMessage(Envelope):
    """The model's forecast against the actual values over the test range, in the series' ``unit``:
    ``time[i]`` is when test example i's first target falls, ``actual[i]`` its value, ``predicted[i]``
    the model's first-step forecast, ``naive[i]`` the last observed value (the persistence baseline).
    ``mae`` and ``naive_mae`` are the mean absolute errors of the two."""

    type: Literal["forecast"] = "forecast"
    epoch: int = Field(ge=0)
    unit: str
    time: list[float]
    actual: list[float]
    predicted: list[float | None]
    naive: list[float]
    mae: float | None
    naive_mae: float


class TextSampleMessage(Envelope):
    """Text generated by a character model: ``prompt`` (from the test text), then ``length`` sampled
    characters at ``temperature`` (softmax(logits / temperature)); ``text`` excludes the prompt."""

    type: Literal["text_sample"] = "text_sample"
    epoch: int = Field(ge=0)
    prompt: str
    text: str
    temperature: float = Field(gt=0)


class GradientsMessage(Envelope):
    """L2 norm of each trainable layer's gradient at ``step`` (before clipping); ``layers`` are the
    layer indices in ``network.layers``. Vanishing gradients show as norms shrinking toward layer 0.
    ``total_norm`` is the global L2 norm over every parameter (what ``grad_clip`` caps), ``grad_clip``
    the threshold in force (null: off) and ``clipped_steps`` how many steps so far were clipped."""

    type: Literal["gradients"] = "gradients"
    epoch: int = Field(ge=0)
    layers: list[int]
    layer_types: list[str]
    norms: list[float | None]
    total_norm: float | None = None
    grad_clip: float | None = None
    clipped_steps: int = Field(0, ge=0)


class UnitLayer(QuantizedArray):
    """One hidden block's units over the grid, ``(unit, row, col)``: the output of layer ``index``
    (its activation, ``type``), fed by linear layer ``linear``; ``units_total`` before capping."""

    index: int
    linear: int
    type: str
    units_total: int


class LayerWeights(ArrayPayload):
    """Weights ``(out, in)`` of linear layer ``index``, cut to the units drawn."""

    index: int


class NeuronMapsMessage(Envelope):
    """Every hidden unit of an MLP on 2-D data over the input plane (the decision boundary's grid,
    sampled at ``x1`` x ``x2``), with the weights between the units drawn: the network diagram."""

    type: Literal["neuron_maps"] = "neuron_maps"
    epoch: int = Field(ge=0)
    x1: list[float]
    x2: list[float]
    layers: list[UnitLayer]
    outputs_total: int
    weights: list[LayerWeights]


class AttentionWindow(BaseModel):
    """An attention message cut to fit ``max_message_kb``: the first ``tokens`` of ``tokens_total``
    positions (as queries and as keys) and at most the first ``heads`` heads of each attention."""

    tokens: int = Field(ge=1)
    tokens_total: int = Field(ge=1)
    heads: int = Field(ge=1)
    limit_kb: float


class AttentionLayer(ArrayPayload):
    """Attention probabilities ``(head, query, key)`` of one attention: layer ``index`` of
    ``network.layers``, ``block`` inside a transformer_encoder (0 for self_attention). Rows are
    queries and sum to 1 (over the keys shown: a token window cuts the later keys off); the scale is
    0-1 (``vmin`` 0, ``vmax`` 1). ``heads_total``: the layer's heads (the array holds the first ones)."""

    index: int = Field(ge=0)
    block: int = Field(ge=0)
    heads_total: int = Field(ge=1)
    type: AttentionType
    causal: bool
    score: Literal["scaled_dot", "dot", "cosine", "additive"] = "scaled_dot"
    scores: ArrayPayload | None = Field(None, description="self_attention: the scores before the softmax "
                                        "(head, query, key); causal and padding ones are -inf")
    values: ArrayPayload | None = Field(None, description="self_attention: the values (head, key, dim)")
    context: ArrayPayload | None = Field(None, description="self_attention: the weighted sums of the values "
                                         "(head, query, dim), over every key")


class AttentionMessage(Envelope):
    """Every attention layer's and head's probabilities for the probe sequence, at ``step``.

    ``tokens`` label both axes (queries and keys are the same sequence; padding positions are left
    out). ``predicted`` and ``target`` are the model's output and the right answer for the probe: one
    label per position for per-step targets, one label for a classifier. ``window`` (null: everything)
    says when the message holds only the first ``tokens`` positions and at most ``heads`` heads per
    attention, as validation announced, to stay under ``max_message_kb``.
    """

    type: Literal["attention"] = "attention"
    epoch: int = Field(ge=0)
    tokens: list[str]
    predicted: list[str]
    target: list[str]
    window: AttentionWindow | None = None
    layers: list[AttentionLayer]



class CrossAttentionLayer(ArrayPayload):
    """Cross attention of ``cross_attention`` layer ``index`` for the probe example: the softmax weights
    ``(head, query, key)`` (queries = target positions, keys = source tokens; rows sum to 1; 0-1 scale)
    and the stages behind them for every query and head: ``scores`` ``(head, query, key)``, the
    similarities before the softmax (their own range); ``values`` ``(head, key, dim)``, the values of
    the source tokens; ``context`` ``(head, query, dim)``, the weighted sums ``sum_j weight_j value_j``
    (``values`` and ``context`` share one symmetric range). ``heads_total``: the layer's heads."""

    index: int = Field(ge=0)
    type: Literal["cross_attention"]
    score: Literal["scaled_dot", "dot", "cosine", "additive"]
    heads_total: int = Field(ge=1)
    scores: ArrayPayload
    values: ArrayPayload
    context: ArrayPayload


class CrossAttentionMessage(Envelope):
    """Every cross_attention layer's weights and stages for the probe example, at ``step``.

    ``tokens`` are the source tokens (the keys; padding left out); ``target`` the right answer at each
    target position (the queries, the rows), ``decoder_input`` what the decoder read there (the target
    shifted right: teacher forcing), ``predicted`` the model's output there.
    """

    type: Literal["cross_attention"] = "cross_attention"
    epoch: int = Field(ge=0)
    tokens: list[str]
    decoder_input: list[str]
    predicted: list[str]
    target: list[str]
    layers: list[CrossAttentionLayer]


class EmbeddingProjectionMessage(Envelope):
    """Word vectors in 2-D: the ``len(words)`` most frequent words (``counts`` in the corpus), projected
    by PCA (``method``) onto ``x``, ``y`` (unitless PCA coordinates), each frame rotated/reflected onto the
    previous one (orthogonal Procrustes) so points move instead of flipping. ``analogy_accuracy`` is the
    fraction of gensim's questions-words analogies (the ``analogy_questions`` fully in the vocabulary)
    answered right by a - b + c; null when none is."""

    type: Literal["embedding_projection"] = "embedding_projection"
    epoch: int = Field(ge=0)
    method: Literal["pca"]
    words: list[str]
    counts: list[int]
    x: list[float]
    y: list[float]
    vocab_size: int
    embedding_dim: int
    analogy_accuracy: float | None
    analogy_questions: int


class LatentCodesMessage(Envelope):
    """Codes of the test set in 2-D, coloured by ``label`` (class ids into ``classes``): an
    autoencoder's bottleneck (layer ``layer``, ``width`` values per example; PCA of them when wider than
    2) or, ``method`` ``pca``, the inputs' first two principal components (the linear baseline, sent
    once). ``ari``: adjusted Rand index of k-means (k = number of classes) on the codes against the
    labels (1 = clusters are the classes, 0 = chance)."""

    type: Literal["latent_codes"] = "latent_codes"
    epoch: int = Field(ge=0)
    method: Literal["autoencoder", "pca"]
    layer: int | None
    width: int
    x: list[float]
    y: list[float]
    label: list[int]
    classes: list[str]
    ari: float


class ReconstructionsMessage(Envelope):
    """The first test examples (``originals``) and the network's outputs for them
    (``reconstructions``), both ``(example, row, col)`` in standardised input units; ``mse`` per example."""

    type: Literal["reconstructions"] = "reconstructions"
    epoch: int = Field(ge=0)
    originals: ArrayPayload
    reconstructions: ArrayPayload
    labels: list[int]
    mse: list[float | None]


class ActivationCurve(BaseModel):
    """One pointwise activation used in the network, as its torch module computes it: ``x`` ``(X,)``
    pre-activation values over -6..6, ``value`` f(x) and ``derivative`` f'(x) (autograd), each ``(X,)``;
    ``peak`` is max|f'| over the real line and ``threshold`` the |f'| below which a unit counts as
    saturated (``fraction`` x ``peak``); ``formula``/``derivative_formula`` are the course's closed forms."""

    model_config = ConfigDict(ser_json_inf_nan="null")

    type: str
    formula: str
    derivative_formula: str
    peak: float
    threshold: float
    x: ArrayPayload
    value: ArrayPayload
    derivative: ArrayPayload


class ActivationCurvesMessage(Envelope):
    """Sent once before training: every pointwise activation type the network uses, with its derivative
    (``nnplay.probes.activations``); ``fraction`` is the saturation threshold as a share of max|f'|."""

    type: Literal["activation_curves"] = "activation_curves"
    fraction: float = Field(gt=0, lt=1)
    curves: list[ActivationCurve]


class SaturationLayer(BaseModel):
    """Activation layer ``index`` (``type``, ``units`` outputs per example) on the probe batch:
    ``saturated``, the share of (example, unit) pairs with |f'(pre-activation)| below the type's
    threshold; ``dead``, the share of units below it on every probe example (relu: dead units)."""

    index: int = Field(ge=0)
    type: str
    units: int = Field(ge=1)
    saturated: float = Field(ge=0, le=1)
    dead: float = Field(ge=0, le=1)


class SaturationMessage(Envelope):
    """Saturation of every pointwise activation layer at ``step``, measured on the fixed probe batch
    (the first ``examples`` test examples) in eval mode. Saturated sigmoid/tanh units pass almost no
    gradient back: the share rises where the gradient flow fades."""

    type: Literal["saturation"] = "saturation"
    epoch: int = Field(ge=0)
    examples: int = Field(ge=1)
    fraction: float = Field(gt=0, lt=1)
    layers: list[SaturationLayer]


class WeightHistogram(BaseModel):
    """Layer ``index``'s weights (every parameter but its biases, flattened together; ``count`` finite
    values, population ``std``) in ``bins`` equal bins from ``lo`` to ``hi`` (``counts``)."""

    index: int = Field(ge=0)
    type: str
    count: int = Field(ge=0)
    mean: float | None
    std: float | None
    lo: float | None
    hi: float | None
    counts: list[int]


class WeightsFirst(BaseModel):
    """The histograms of the run's first probe, at ``step`` (0: the initialisation; a resumed run's
    first probe is at the step it resumed from)."""

    step: int = Field(ge=0)
    layers: list[WeightHistogram]


class WeightTemplates(BaseModel):
    """The first ``maps.shape[0]`` units (of ``units_total``) of linear layer ``index``, which reads the
    pixels of a one-channel image: each unit's weights ``(unit, row, col)`` laid out as the image;
    ``labels`` name the units when they are the class logits (empty otherwise)."""

    index: int = Field(ge=0)
    units_total: int = Field(ge=1)
    labels: list[str]
    maps: ArrayPayload


class WeightsMessage(Envelope):
    """Every weighted layer's weight histogram at ``step`` (``nnplay.probes.weights``) and, where the
    first trainable layer is a linear on one-channel images, its weights drawn as images (``templates``,
    else null). ``first`` repeats the run's first histograms (the initialisation) in every message, so
    the page compares with them even when it skipped frames. A later message replaces the earlier one."""

    type: Literal["weights"] = "weights"
    epoch: int = Field(ge=0)
    bins: int = Field(ge=1)
    layers: list[WeightHistogram]
    first: WeightsFirst
    templates: WeightTemplates | None


class ActiveRoundMessage(Envelope):
    """The end of one active-learning round (``nnplay.train.active``): round ``round`` (0-based; ``epoch`` =
    ``round + 1``) trained on the ``n_labels`` pool points ``labelled`` (indices into the training part,
    which is the pool of ``pool_size`` points, in the order ``data_points.train`` lists them), scored
    ``test_accuracy`` (fraction) and ``test_loss`` (nats) on the test part and ``train_accuracy`` on the
    labelled points; ``queried`` are the indices it chose to label next (empty after the last round),
    ``queried_scores`` their ``score`` (``entropy`` in nats, or ``margin`` = 1 - (p_(1) - p_(2)))."""

    type: Literal["active_round"] = "active_round"
    epoch: int = Field(ge=1)
    round: int = Field(ge=0)
    strategy: Literal["entropy", "margin", "random"]
    n_labels: int = Field(ge=1)
    pool_size: int = Field(ge=1)
    test_accuracy: float | None
    test_loss: float | None
    train_accuracy: float | None
    labelled: list[int]
    queried: list[int]
    queried_scores: list[float | None]
    score: Literal["entropy", "margin"]


Message = Annotated[Union[StatusMessage, MetricsMessage, FeatureMapsMessage, DataPointsMessage,
                          DataInfoMessage, DecisionBoundaryMessage, GradientsMessage, SettingsMessage,
                          NeuronMapsMessage, AttentionMessage, CrossAttentionMessage, EmbeddingProjectionMessage, LatentCodesMessage,
                          ReconstructionsMessage, GatesMessage, TimeGradientsMessage, ForecastMessage,
                          TextSampleMessage, ActivationCurvesMessage, SaturationMessage, WeightsMessage,
                          ActiveRoundMessage],
                  Field(discriminator="type")]
MESSAGE_ADAPTER: TypeAdapter = TypeAdapter(Message)
MESSAGE_TYPES: tuple[str, ...] = tuple(m.model_fields["type"].default for m in get_args(get_args(Message)[0]))


def encode(job_id: str, seq: int, event: dict) -> str:
    """Validate a loop/job event against its message model and return its JSON text.

    Raises pydantic.ValidationError for an event that breaks the protocol. A non-finite float that
    escaped conversion becomes ``null`` (``ser_json_inf_nan="null"``), never a bare NaN token.
    """
    message = MESSAGE_ADAPTER.validate_python({"v": VERSION, "job_id": job_id, "seq": seq, **event})
    return MESSAGE_ADAPTER.dump_json(message, by_alias=True).decode()
