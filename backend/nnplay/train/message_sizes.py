"""The largest probe message of each type a job will stream, estimated at validation from the inferred
shapes, against the limit ``max_message_kb`` (setting ``NNPLAY_MAX_MESSAGE_KB``).

Attention and gates past the limit are windowed (:func:`attention_plan`, :func:`gates_plan`: the same
window the probe uses during training, said in the message's ``window`` field); every other type past
it is refused with a LimitError naming the field to change. Sizes are bytes of JSON text
(``nnplay.probes.budget``). Which types a job streams follows ``nnplay.train.probing.Probe.events``.
"""

from math import ceil, prod

from nnplay.data.info import DatasetInfo
from nnplay.data.series import SERIES_LENGTHS
from nnplay.probes.budget import (ENTRY_META, ENVELOPE, FULL_NUMBER, NUMBER, AttentionWindow, attention_bytes, attention_dims, attention_heads,
                                  attention_window, cross_attention_bytes, float32_bytes, gates_bytes, gates_window, kib, label_bytes,
                                  points_bytes, recurrent_gate_layers, uint8_bytes)
from nnplay.probes.registry import PROBE_CLASSES, grid_dims
from nnplay.probes.neurons import hidden_blocks
from nnplay.spec.data import DatasetSpec
from nnplay.spec.errors import LimitError
from nnplay.spec.network import NetworkSpec, NetworkSummary, infer_shapes

GATE_UNITS = 32  # units per gate array (nnplay.train.sequence_probing.MAX_UNITS)
GRID = 64  # decision-boundary grid points per axis (nnplay.train.probing.GRID_RESOLUTION)
RECONSTRUCTIONS = 8  # nnplay.train.probing.N_RECONSTRUCTIONS
SEQUENCE_TIME_LABEL = 14  # "%.3g" of a value and a "*" mark, quoted, with its comma: "-1.23e+04*",
PER_STEP_TASKS = ("language_modeling", "sequence_labelling")


def _limit_text(limit_kb: float) -> str:
    return f"the limit max_message_kb is {limit_kb:g} KiB (setting NNPLAY_MAX_MESSAGE_KB)"


def attention_labels(info: DatasetInfo) -> int:
    """Bytes of the longest token or class label of an attention message (:func:`label_bytes`)."""
    tokens = info.vocab if info.kind == "text" and info.vocab else [str(info.input_shape[0])]
    return label_bytes([*tokens, *info.classes])


def attention_plan(layers, info: DatasetInfo, limit: int) -> tuple[AttentionWindow | None, int]:
    """``(window, bytes)`` of the attention message of a network (its layer specs) on ``info``'s data under
    ``limit`` bytes: ``window`` is None when everything fits; ``bytes`` the message's estimate. Raises
    LimitError at the first attention layer's ``num_heads`` when not even one head of ``MIN_TOKENS``
    tokens of every attention fits."""
    heads, length = attention_heads(layers), info.input_shape[0]
    label, per_step = attention_labels(info), info.task in PER_STEP_TASKS
    dims = attention_dims(layers, _widths(layers, info))
    window = attention_window(heads, length, label, per_step, limit, dims)
    if window is None:
        first = next(i for i, layer in enumerate(layers) if layer.type in ("self_attention", "transformer_encoder"))
        raise LimitError(("network", "layers", first, "num_heads"), f"the attention message would not fit even "
                         f"one head per attention ({len(heads)} attentions) at {min(length, 16)} tokens: "
                         f"{_limit_text(limit / 1024)}; use fewer attention layers or blocks")
    size = attention_bytes(heads, window.tokens, label, per_step, window.heads, dims)
    return (None if window == AttentionWindow(length, max(heads)) else window), size


def _widths(layers, info: DatasetInfo) -> list[int]:
    """The width (last dimension) of what reaches each layer of a network that passed shape inference."""
    rows = infer_shapes(NetworkSpec(layers=list(layers)), info.input_shape, info.vocab_size)
    return [info.input_shape[-1], *(row.output_shape[-1] for row in rows[:-1])]


def gates_plan(layers, info: DatasetInfo, limit: int) -> tuple[int | None, int]:
    """``(steps, bytes)`` of the gates message of a network's recurrent layers on ``info``'s sequences:
    ``steps`` the first time steps shown (None: all of them). Raises LimitError at the first recurrent
    layer's ``num_layers`` when not even ``MIN_STEPS`` steps fit."""
    rows = [row for layer in layers if layer.type in ("rnn", "lstm", "gru")
            for row in recurrent_gate_layers(layer, GATE_UNITS)]
    length = info.input_shape[0]
    label = label_bytes(info.vocab) + 3 if info.kind == "text" else SEQUENCE_TIME_LABEL
    values = info.kind != "text"
    steps = gates_window(rows, length, label, values, limit)
    if steps is None:
        first = next(i for i, layer in enumerate(layers) if layer.type in ("rnn", "lstm", "gru"))
        raise LimitError(("network", "layers", first, "num_layers"), f"the gates message would not fit "
                         f"{min(length, 16)} time steps of {len(rows)} recurrent layers and directions: "
                         f"{_limit_text(limit / 1024)}; use fewer stacked or bidirectional layers")
    return (None if steps == length else steps), gates_bytes(rows, steps, label, values)


def estimate_messages(dataset: DatasetSpec, layers, summary: NetworkSummary, info: DatasetInfo,
                      limit_kb: float, max_channels: int, max_units: int, unit_resolution: int) -> tuple[dict[str, int], list[str]]:
    """``({message type: estimated bytes of its largest message}, notes)`` for a layer network on
    ``info``'s data; ``notes`` say which messages are windowed. Raises LimitError naming the field to
    change when a type that has no window would pass ``limit_kb``."""
    limit = int(limit_kb * 1024)
    sizes, notes = _fixed_sizes(dataset, layers, summary, info, max_channels, max_units, unit_resolution, limit_kb), []
    types = [layer.type for layer in layers]
    if any(t in ("self_attention", "transformer_encoder") for t in types):
        window, sizes["attention"] = attention_plan(layers, info, limit)
        if window is not None:
            notes.append(f"attention: the first {window.tokens} of {info.input_shape[0]} tokens and at most "
                         f"{window.heads} heads per attention are streamed ({_limit_text(limit_kb)})")
    if "cross_attention" in types:
        sizes["cross_attention"] = cross_attention_size(layers, summary, info)
    if info.kind in ("sequence", "text") and any(t in ("rnn", "lstm", "gru") for t in types):
        steps, sizes["gates"] = gates_plan(layers, info, limit)
        n_recurrent = sum(t in ("rnn", "lstm", "gru") for t in types)
        sizes["time_gradients"] = ENVELOPE + n_recurrent * (ENTRY_META + info.input_shape[0] * FULL_NUMBER)
        if steps is not None:
            notes.append(f"gates: the first {steps} of {info.input_shape[0]} time steps are streamed "
                         f"({_limit_text(limit_kb)})")
    for kind, size in sizes.items():
        if size > limit:
            field, advice = _REFUSALS.get(kind, (("dataset", "name"), "a smaller data set"))
            raise LimitError(field, f"each '{kind}' message would be about {kib(size):,g} KiB; "
                             f"{_limit_text(limit_kb)}: use {advice}")
    return sizes, notes


def cross_attention_size(layers, summary: NetworkSummary, info: DatasetInfo) -> int:
    """The ``cross_attention`` message of a network's cross_attention layers (``(heads, width)`` each, the
    source ``source_len`` tokens and the target side's steps from the summary)."""
    rows = [(layer.num_heads, summary.layers[i].output_shape[-1], layer.source_len, summary.layers[i].output_shape[0])
            for i, layer in enumerate(layers) if layer.type == "cross_attention"]
    source, target = max(r[2] for r in rows), max(r[3] for r in rows)
    return cross_attention_bytes([(h, w) for h, w, _, _ in rows], source, target, attention_labels(info))


_REFUSALS = {
    "cross_attention": (("network", "layers"), "fewer cross_attention heads or a narrower embedding"),
    "data_points": (("dataset", "n_samples"), "a smaller n_samples"),
    "latent_codes": (("dataset", "test_fraction"), "a smaller test_fraction or n_samples"),
    "forecast": (("dataset", "test_fraction"), "a smaller test_fraction"),
    "reconstructions": (("dataset", "name"), "a data set with fewer features"),
    "feature_maps": (("network", "layers"), "fewer conv channels (or a lower NNPLAY_MAX_FEATURE_MAP_CHANNELS)"),
    "neuron_maps": (("network", "layers"), "fewer hidden units (or a lower NNPLAY_MAX_NEURON_UNITS)"),
    "time_gradients": (("dataset", "seq_len"), "a shorter seq_len"),
}


def _fixed_sizes(dataset: DatasetSpec, layers, summary: NetworkSummary, info: DatasetInfo, max_channels: int,
                 max_units: int, unit_resolution: int, limit_kb: float) -> dict[str, int]:
    """Estimates of the message types that have no window."""
    n_test = ceil(info.n_samples * dataset.test_fraction)
    classes = label_bytes(info.classes) * len(info.classes)
    if dataset.target == "input":
        n = min(RECONSTRUCTIONS, n_test)
        return {"latent_codes": ENVELOPE + classes + points_bytes(n_test, 2),
                "reconstructions": ENVELOPE + 2 * float32_bytes(n * prod(info.input_shape)) + n * (NUMBER + 5),
                **_own_sizes(layers, info, limit_kb)}
    sizes = {}
    if info.kind == "image":
        maps = [row.output_shape for row in summary.layers if row.type in ("conv2d", "maxpool2d", "avgpool2d")]
        sizes["feature_maps"] = (ENVELOPE + float32_bytes(prod(info.input_shape)) + classes
                                 + len(info.classes) * NUMBER
                                 + sum(ENTRY_META + float32_bytes(min(s[0], max_channels) * prod(s[1:])) for s in maps))
    dims = grid_dims(info)
    if dims:
        sizes["data_points"] = ENVELOPE + classes + points_bytes(info.n_samples, dims, info.task != "regression")
        grid = GRID ** dims
        arrays = (float32_bytes(grid) if info.task == "regression"
                  else 2 * (float32_bytes(grid) if len(info.classes) > 256 else uint8_bytes(grid)))
        sizes["decision_boundary"] = ENVELOPE + classes + dims * GRID * NUMBER + arrays
    if dims == 2 and max_units > 0:
        sizes["neuron_maps"] = _neuron_maps(layers, summary, max_units, unit_resolution)
    if info.name in SERIES_LENGTHS:
        sizes["forecast"] = ENVELOPE + 4 * n_test * NUMBER
    return sizes | _own_sizes(layers, info, limit_kb)


def _own_sizes(layers, info: DatasetInfo, limit_kb: float) -> dict[str, int]:
    """The messages of the probes that are their own class (``ProbeEntry.probe``), each estimating its
    own (none where it does not apply to ``layers``)."""
    return {k: v for probe in PROBE_CLASSES.values() for k, v in probe.message_sizes(layers, info, limit_kb).items()}


def _neuron_maps(layers, summary: NetworkSummary, max_units: int, resolution: int) -> int:
    """Hidden blocks' unit maps ``(units, R, R)`` as uint8 and the weights between the units drawn."""
    types = [layer.type for layer in layers]
    units = [min(summary.layers[i].output_shape[-1], max_units) for i, t in enumerate(types) if t == "linear"]
    blocks = hidden_blocks(types)
    maps = sum(ENTRY_META + uint8_bytes(units[j] * resolution ** 2) for j in range(len(blocks)))
    weights = sum(ENTRY_META + float32_bytes(units[j] * (units[j - 1] if j else summary.input_shape[0])) for j in range(len(units)))
    return ENVELOPE + 2 * resolution * NUMBER + maps + weights
