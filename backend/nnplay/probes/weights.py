"""The weights themselves: per trainable layer a histogram of its weights, and, where a network's first
trainable layer is a ``linear`` reading the pixels of a one-channel image, that layer's weights drawn as
images ("templates": logistic regression on digits learns one 8 x 8 template per class).

Histograms (:func:`weight_histogram`): a layer's *weights* are its parameters other than biases (names
ending in ``bias``: ``bias``, ``bias_ih_l0``, ``in_proj_bias`` ...), flattened together; ``BINS`` equal
bins over their [min, max] (``torch.histc``), with their count, mean and standard deviation. The page
draws the latest histogram over the first one (the initialisation), so a learner sees the weights
spread, shrink under weight decay, or stay where they started.

Templates (:func:`template_layer`, :func:`templates`): the weight matrix ``(U, C*H*W)`` of that linear
layer reshaped to ``(U, H, W)``, the first ``k`` units (``k`` at most ``MAX_TEMPLATES`` and what fits
the message limit ``max_message_kb``, :func:`template_count`). Unit ``u``'s logit (or pre-activation)
is the dot product of the image with template ``u`` plus its bias, so positive weights (warm colours)
are pixels that vote for the class, negative (cool) against it.
"""

import math

import torch
from torch import nn

from nnplay.probes.arrays import array_payload, finite_or_none
from nnplay.probes.budget import ENTRY_META, ENVELOPE, FULL_NUMBER, float32_bytes, label_bytes
from nnplay.spec.layers import in_family

BINS = 24  # bins of each layer's histogram
MAX_TEMPLATES = 16  # units drawn as templates, at most
MAX_TEMPLATE_PIXELS = 64 * 64  # larger images are not drawn as templates
PASS_THROUGH = ("flatten", "dropout")  # layers that may come before the template layer (pixels unchanged)
COUNT = 11  # an int count in JSON, with its comma


def weight_tensors(module: nn.Module) -> list[torch.Tensor]:
    """A layer's weight parameters (every parameter but the biases), in ``named_parameters`` order."""
    return [p for name, p in module.named_parameters() if "bias" not in name.rsplit(".", 1)[-1]]


@torch.no_grad()
def weight_histogram(module: nn.Module, bins: int = BINS) -> dict | None:
    """``{"count", "mean", "std", "lo", "hi", "counts"}`` of a layer's weights flattened together:
    ``counts`` ``(bins,)`` over equal bins from ``lo`` (the smallest weight) to ``hi`` (the largest;
    ``lo ± 0.5`` when all are equal), ``std`` the population standard deviation. None for a layer with
    no weights. Non-finite weights are left out of the bins (``count`` counts only finite ones)."""
    tensors = weight_tensors(module)
    if not tensors:
        return None
    w = torch.cat([t.detach().flatten() for t in tensors]).double()  # (P,)
    w = w[torch.isfinite(w)]
    if not w.numel():
        return {"count": 0, "mean": None, "std": None, "lo": None, "hi": None, "counts": [0] * bins}
    lo, hi = float(w.min()), float(w.max())
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    counts = torch.histc(w, bins=bins, min=lo, max=hi)  # (bins,)
    return {"count": int(w.numel()), "mean": finite_or_none(w.mean()), "std": finite_or_none(w.std(unbiased=False)),
            "lo": lo, "hi": hi, "counts": [int(c) for c in counts.tolist()]}


def template_layer(types: list[str], kind: str, input_shape: tuple) -> int | None:
    """The index of the layer drawn as templates: the first trainable layer, when it is a ``linear``
    reading a one-channel image ``(1, H, W)`` (``kind`` ``image``) through ``flatten``/``dropout`` only,
    with at most ``MAX_TEMPLATE_PIXELS`` pixels. None otherwise."""
    if kind != "image" or len(input_shape) != 3 or input_shape[0] != 1:
        return None
    if input_shape[1] * input_shape[2] > MAX_TEMPLATE_PIXELS:
        return None
    for i, t in enumerate(types):
        if t == "linear":
            return i
        if t not in PASS_THROUGH:
            return None
    return None


def template_bytes(k: int, pixels: int, labels: list[str]) -> int:
    """The templates part of a message: ``k`` templates of ``pixels`` pixels and their labels."""
    return ENTRY_META + float32_bytes(k * pixels) + (label_bytes(labels) * k if labels else 0)


def weighted_layers(types: list[str]) -> int:
    """How many layers of ``types`` may own weights (at most one histogram each)."""
    return sum(in_family(t, "weighted") for t in types)


def histograms_bytes(layers: int) -> int:
    """The histograms part of a message: ``layers`` entries (mean, std, lo, hi and ``BINS`` counts)."""
    return layers * (ENTRY_META + 4 * FULL_NUMBER + BINS * COUNT)


def template_count(units: int, pixels: int, labels: list[str], room: int) -> int:
    """The templates sent: at most ``MAX_TEMPLATES`` and ``units``, and as many as fit ``room`` bytes
    (0 when not one does)."""
    k = min(units, MAX_TEMPLATES)
    while k and template_bytes(k, pixels, labels) > room:
        k -= 1
    return k


class WeightsProbe:
    """The ``weights`` panel's probe (its registry entry names this class; ``nnplay.train.probing`` builds
    it for a job that selects the panel): histograms of every trainable layer's weights and, for a
    linear first layer on one-channel images, its templates, at every probe step."""

    def __init__(self, spec, split, device: torch.device, max_message_kb: float = 1024.0):
        """``spec``: the JobSpec; ``split``: its data (``nnplay.data.registry.Split``); ``max_message_kb``:
        the message limit the templates must fit."""
        self.layers = spec.network.layers
        self.types = [layer.type for layer in self.layers]
        info = split.info
        self.template_index = template_layer(self.types, info.kind, tuple(info.input_shape))
        self.image_shape = tuple(info.input_shape[1:])  # (H, W)
        self.labels = list(info.classes)
        self.limit = int(max_message_kb * 1024)
        self.first: dict | None = None  # the histograms of this run's first probe (step 0: the initialisation)

    def _template_labels(self, model: nn.Module, units: int) -> list[str]:
        """Class names when the template layer's units are the logits (the network's last trainable layer
        with one unit per class), else none (the page numbers the units)."""
        last = max(i for i, m in enumerate(model) if any(True for _ in m.parameters()))
        return self.labels if last == self.template_index and units == len(self.labels) else []

    @torch.no_grad()
    def _templates(self, model: nn.Module, room: int) -> dict | None:
        weight = model[self.template_index].weight  # (U, H*W)
        units = weight.shape[0]
        labels = self._template_labels(model, units)
        k = template_count(units, math.prod(self.image_shape), labels, room)
        if not k:
            return None
        maps = weight[:k].reshape(k, *self.image_shape)  # (K, H, W)
        return {"index": self.template_index, "units_total": units, "labels": labels[:k],
                "maps": array_payload(maps, ["unit", "row", "col"])}

    def start_events(self) -> list[dict]:
        return []

    def events(self, model: nn.Module, step: int, epoch: int) -> list[dict]:
        """One ``weights`` message: each trainable layer's histogram (:func:`weight_histogram`), those of
        this run's first probe (``first``: step 0, the initialisation, unless the run was resumed; sent
        in every message, so a client that skipped frames still compares with it) and the templates
        where :func:`template_layer` finds a layer."""
        hists = [{"index": i, "type": self.types[i], **h} for i, m in enumerate(model)
                 if (h := weight_histogram(m)) is not None]
        if self.first is None:
            self.first = {"step": step, "layers": hists}
        room = self.limit - ENVELOPE - 2 * histograms_bytes(weighted_layers(self.types))  # as message_sizes counts it
        templates = self._templates(model, room) if self.template_index is not None else None
        return [{"type": "weights", "step": step, "epoch": epoch, "bins": BINS, "layers": hists,
                 "first": self.first, "templates": templates}]

    @staticmethod
    def message_sizes(layers, info=None, max_message_kb: float = 1024.0) -> dict[str, int]:
        """Estimated bytes of the ``weights`` message for ``layers`` (layer specs) on ``info``'s data: the
        histograms of the trainable layers and the templates that fit ``max_message_kb``."""
        types = [layer.type for layer in layers]
        if not any(in_family(t, "trainable") for t in types):
            return {}
        size = ENVELOPE + 2 * histograms_bytes(weighted_layers(types))  # now and the first probe's
        index = None if info is None else template_layer(types, info.kind, tuple(info.input_shape))
        if index is not None:
            pixels = math.prod(info.input_shape[1:])
            labels = list(info.classes)
            k = template_count(layers[index].out_features, pixels, labels, int(max_message_kb * 1024) - size)
            size += template_bytes(k, pixels, labels) if k else 0
        return {"weights": size}
