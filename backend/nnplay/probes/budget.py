"""Sizes of probe messages, estimated from shapes before any is made, and the windows that keep the
big ones under a limit (setting ``max_message_kb``).

Units are bytes of a message's JSON text (UTF-8), as ``nnplay.protocol.encode`` writes it. The
estimates are upper bounds: arrays are exact (base64 of 4 bytes a float32 entry, 1 byte a uint8
code, :func:`nnplay.probes.arrays.encoded_chars`), and the fixed parts (the envelope, an array's
shape/dims/vmin/vmax, a layer entry's fields, a number rounded to 4 decimals, a label) are counted
at their largest. A test holds each estimate against the real encoded messages of short runs.

Windows (the first tokens / heads of attention, the first time steps of gates) depend only on the
spec, the data set and the limit, so the check at validation and the probe during training choose
the same one.
"""

import json
import math
from dataclasses import dataclass

from nnplay.probes.arrays import encoded_chars

ENVELOPE = 200  # {"v":1,"type":"...","job_id":"<32 hex>","seq":n,"step":n,"epoch":n, ...} and a window field
ARRAY_OVERHEAD = 160  # "shape", "dims", "vmin"/"vmax" (a float's repr, up to 24 characters), "encoding"
ENTRY_META = 140  # a layer entry's own fields: index, block, type, causal, heads_total, name, label, scale...
NUMBER = 14  # a float rounded to 4 decimals in JSON, with its comma: "-123456.1234,"
FULL_NUMBER = 25  # a float's shortest repr, with its comma: "-1.2345678901234567e-05,"
MIN_TOKENS = 16  # attention shows at least this many tokens (or all) before heads are cut
MIN_STEPS = 16  # gates show at least this many time steps (or all)


def float32_bytes(numel: int) -> int:
    """An ``ArrayPayload`` of ``numel`` entries (``encoding`` float32)."""
    return ARRAY_OVERHEAD + encoded_chars(numel, "float32")


def uint8_bytes(numel: int) -> int:
    """A ``QuantizedArray`` of ``numel`` entries (``encoding`` uint8)."""
    return ARRAY_OVERHEAD + encoded_chars(numel, "uint8")


def label_bytes(labels) -> int:
    """The longest of ``labels`` as a JSON string (quotes and escapes included) with its comma; at
    least 4 (``"0",``)."""
    return max([4, *(len(json.dumps(str(s), ensure_ascii=False).encode()) + 1 for s in labels)])


def _largest(fits, hi: int) -> int:
    """The largest ``n`` in ``1..hi`` with ``fits(n)`` (monotone: true up to some n), 0 if none."""
    lo = 0
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if fits(mid) else (lo, mid - 1)
    return lo


@dataclass(frozen=True)
class AttentionWindow:
    """``tokens`` first positions (queries and keys) and at most ``heads`` first heads per attention."""

    tokens: int
    heads: int


def attention_bytes(heads: list[int], tokens: int, label: int, per_step: bool, head_cap: int | None = None,
                    dims: list[int] | None = None) -> int:
    """An ``attention`` message: ``heads[j]`` heads per attention (a self_attention, or one block of a
    transformer_encoder), each ``(heads, tokens, tokens)`` float32, at most ``head_cap`` heads each;
    token labels of ``label`` bytes (:func:`label_bytes`), ``predicted``/``target`` one per position
    (``per_step``) or one each. ``dims[j]`` (0: none) is the head width of an attention that also sends
    its stages: scores ``(heads, tokens, tokens)``, values and contexts ``(heads, tokens, d)``."""
    shown = [min(h, head_cap or h) for h in heads]
    dims = dims or [0] * len(heads)
    labels = label * tokens * (3 if per_step else 1) + (0 if per_step else 2 * label)
    stages = lambda k, d: float32_bytes(k * tokens * tokens) + 2 * float32_bytes(k * tokens * d) if d else 0  # noqa: E731
    return ENVELOPE + labels + sum(ENTRY_META + float32_bytes(k * tokens * tokens) + stages(k, d)
                                   for k, d in zip(shown, dims))


def attention_window(heads: list[int], length: int, label: int, per_step: bool,
                     limit: int, dims: list[int] | None = None) -> AttentionWindow | None:
    """The window of an ``attention`` message of ``length`` tokens under ``limit`` bytes: every token and
    head if they fit; else the most tokens (all heads) that fit, if at least ``MIN_TOKENS`` (or all);
    else ``MIN_TOKENS`` tokens and the most heads that fit. ``None`` when not even one head fits."""
    most = max(heads)
    fits = lambda n, k=most: attention_bytes(heads, n, label, per_step, k, dims) <= limit  # noqa: E731
    tokens = _largest(fits, length)
    if tokens >= min(length, MIN_TOKENS):
        return AttentionWindow(tokens, most)
    tokens = min(length, MIN_TOKENS)
    cap = _largest(lambda k: fits(tokens, k), most)
    return AttentionWindow(tokens, cap) if cap else None


def gates_bytes(layers: list[tuple[int, int]], steps: int, time_label: int, with_values: bool) -> int:
    """A ``gates`` message: one entry per (recurrent layer, stacked layer, direction) with ``arrays``
    ``(units, steps)`` float32 arrays, ``layers[j] = (arrays, units)``; time labels of ``time_label``
    bytes and, ``with_values``, one number per step."""
    per_step = time_label + (NUMBER if with_values else 0)
    return (ENVELOPE + steps * per_step
            + sum(ENTRY_META + n * (ENTRY_META + float32_bytes(units * steps)) for n, units in layers))


def gates_window(layers: list[tuple[int, int]], length: int, time_label: int, with_values: bool,
                 limit: int) -> int | None:
    """Time steps of a ``gates`` message under ``limit`` bytes: all ``length`` if they fit, else the
    most that fit if at least ``MIN_STEPS``; ``None`` otherwise."""
    steps = _largest(lambda n: gates_bytes(layers, n, time_label, with_values) <= limit, length)
    return steps if steps >= min(length, MIN_STEPS) else None


def activation_curves_bytes(formulas: list[tuple[str, str]], points: int) -> int:
    """An ``activation_curves`` message: per activation its ``formulas`` (value, derivative: their UTF-8
    bytes, quoted) and three ``(points,)`` float32 arrays (x, f, f'), ``peak``/``threshold`` at full repr."""
    return ENVELOPE + sum(ENTRY_META + len(f.encode()) + len(d.encode()) + 2 * FULL_NUMBER
                          + 3 * float32_bytes(points) for f, d in formulas)


def saturation_bytes(layers: int) -> int:
    """A ``saturation`` message: ``layers`` entries of index, type, units and two shares at full repr."""
    return ENVELOPE + layers * (ENTRY_META + 2 * FULL_NUMBER)


def points_bytes(n: int, dims: int, labels: bool = True) -> int:
    """``n`` points as decimal lists: ``dims`` coordinates each and a class id (3 digits) or a target."""
    return n * (dims * NUMBER + (5 if labels else NUMBER))


def recurrent_gate_layers(layer, units_cap: int) -> list[tuple[int, int]]:
    """``(arrays, units)`` per stacked layer and direction of an rnn/lstm/gru layer spec: lstm i, f, g, o,
    c_t, h_t (6), gru r, z, n, h_t (4), rnn h_t (1); the first ``units_cap`` units."""
    arrays = {"lstm": 6, "gru": 4, "rnn": 1}[layer.type]
    entries = layer.num_layers * (2 if layer.bidirectional else 1)
    return [(arrays, min(layer.hidden_size, units_cap))] * entries


def attention_dims(layers, widths: list[int]) -> list[int]:
    """Head width of each attention of a layer-spec list, in probe order, for those that send their
    stages (a self_attention: ``widths[i] / num_heads``, ``widths[i]`` the width reaching layer i), else 0."""
    out = []
    for i, layer in enumerate(layers):
        if layer.type == "self_attention":
            out.append(widths[i] // layer.num_heads)
        elif layer.type == "transformer_encoder":
            out += [0] * layer.num_layers
    return out


def attention_heads(layers) -> list[int]:
    """Heads of each attention of a layer-spec list, in probe order: one per self_attention, one per
    block of a transformer_encoder."""
    out = []
    for layer in layers:
        if layer.type == "self_attention":
            out.append(layer.num_heads)
        elif layer.type == "transformer_encoder":
            out += [layer.num_heads] * layer.num_layers
    return out


def kib(nbytes: int) -> float:
    """Bytes in KiB, one decimal."""
    return math.ceil(nbytes / 102.4) / 10


def cross_attention_bytes(layers: list[tuple[int, int]], source: int, target: int, label: int) -> int:
    """A ``cross_attention`` message: per layer ``(heads, width)``, the weights and scores ``(heads, target,
    source)`` and the values ``(heads, source, d)`` and contexts ``(heads, target, d)`` (``heads * d`` =
    width), float32; ``source`` token labels and 4 x ``target`` labels (queries, decoder input,
    predicted, target) of ``label`` bytes."""
    per_layer = [ENTRY_META + 2 * float32_bytes(h * target * source) + float32_bytes(source * width)
                 + float32_bytes(target * width) + 2 * ARRAY_OVERHEAD for h, width in layers]
    return ENVELOPE + label * (source + 4 * target) + sum(per_layer)


INDEX = 7  # a pool index (at most 20,000 points: 5 digits) with its comma, and a margin
ACTIVE_FIELDS = 400  # round, strategy, n_labels, pool_size, three figures at full precision, score, key names


def active_round_bytes(final_labels: int, query_size: int) -> int:
    """An ``active_round`` message (``nnplay.train.active``): the last round lists ``final_labels`` indices;
    an earlier one fewer, plus ``query_size`` queried indices with their scores."""
    return ENVELOPE + ACTIVE_FIELDS + final_labels * INDEX + query_size * (INDEX + FULL_NUMBER)
