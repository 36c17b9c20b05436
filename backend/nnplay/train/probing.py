"""Probe events of a run: what the probes see, packed as plain JSON-ready dicts.

Which probes run is the probe registry's answer for the job (``nnplay.probes.registry.select``); each
selected probe with messages at probe steps has one maker here (``MAKERS``), run in registry order:

- image data: ``feature_maps`` of the probe image (the first test example);
- 2-D data: ``data_points`` once (train and test points, standardised) and ``decision_boundary``
  snapshots (class probabilities over a ``GRID_RESOLUTION`` x ``GRID_RESOLUTION`` grid);
- regression on 1-D or 2-D input (``sine``, ``plane``): the same two messages with ``task``
  ``regression``: the points carry their float ``target``, and each snapshot the model's prediction
  over ``GRID_RESOLUTION`` points of x1 (a curve) or over the grid (a surface);
- 2-D input (classification or regression): with each snapshot, a ``neuron_maps`` one from the same
  forward pass: every hidden unit's activation over the grid (at most ``max_units`` units per layer,
  sampled at ``unit_resolution`` points per axis) and the weights between the units drawn.
- networks with ``self_attention`` / ``transformer_encoder`` layers: ``attention`` snapshots (every
  layer's and head's probabilities for the probe sequence, the first test example);
- networks with ``cross_attention`` layers: ``cross_attention`` snapshots (each layer's weights from the
  target positions to the source tokens, with the scores, values and weighted sums behind them);
- reconstruction (``dataset.target`` ``"input"``, an autoencoder): ``latent_codes`` of the test set
  (the bottleneck layer's outputs, with k-means' adjusted Rand index against the labels), the PCA
  baseline as a ``latent_codes`` event once before training, and ``reconstructions`` of the first
  ``N_RECONSTRUCTIONS`` test examples beside the originals;
- sequence and text data: ``gates``, ``time_gradients``, ``forecast`` and ``text_sample`` (see
  ``nnplay.train.sequence_probing``).
"""

import torch
from torch import nn

from nnplay.data import Split
from nnplay.probes import feature_maps
from nnplay.probes.arrays import array_payload, class_payload, quantized_payload
from nnplay.probes.decision_boundary import (CURVE_DIMS, GRID_DIMS, grid_axes, grid_outputs, grid_points,
                                             grid_probabilities, prediction_values)
from nnplay.probes.neurons import (UNIT_DIMS, grid_forward, hidden_blocks, layer_weights, thumbnail_index,
                                   thumbnail_points, unit_maps)
from nnplay.probes.attention import attention_maps, layer_payload
from nnplay.probes import cross_attention
from nnplay.probes.latent import bottleneck_index, kmeans_ari, latent_codes, pca_codes, to_2d
from nnplay.probes.registry import PROBE_CLASSES, grid_dims, job_facts, select
from nnplay.spec.network import JobSpec, infer_shapes
from nnplay.train.message_sizes import attention_plan
from nnplay.train.optim import probabilities
from nnplay.train.sequence_probing import SequenceProbe

GRID_RESOLUTION = 64
N_RECONSTRUCTIONS = 8


class Probe:
    """Builds the probe events of one run at a given step."""

    def __init__(self, spec: JobSpec, split: Split, max_channels: int, device: torch.device,
                 max_units: int = 16, unit_resolution: int = 32, max_message_kb: float = 1024.0):
        self.kind = split.info.kind
        self.panels = select(job_facts(spec.network, spec.dataset, split.info, max_units,
                                             spec.training.active is not None))  # registry order
        self.types = [layer.type for layer in spec.network.layers]
        self.split, self.max_channels = split, max_channels
        self.classes = split.info.classes
        self.x = split.x_test[:1].to(device)  # (1, C, H, W) for images
        self.label = int(split.y_test[0]) if self.kind == "image" else 0
        self.task = split.info.task
        self.dims = grid_dims(split.info) if "decision_boundary" in self.panels else 0
        self.n_inputs = split.info.input_shape[0]  # > dims when missing-value indicators follow
        self.limit_kb = max_message_kb
        self.sequence = (SequenceProbe(spec, split, device, max_message_kb) if self.kind in ("sequence", "text")
                         else None)
        # the selected probes that are their own class (the registry's ``probe``), by name
        self.own = {name: PROBE_CLASSES[name](spec, split, device, max_message_kb) for name in self.panels if name in PROBE_CLASSES}
        self.makers = [getattr(self, MAKERS[name]) if name in MAKERS else self.own[name].events
                       for name in self.panels if name in MAKERS or name in self.own]
        if self.dims:
            points = torch.cat([split.x_train, split.x_test])[:, :self.dims]  # (N, D)
            axes = grid_axes(points, GRID_RESOLUTION)
            self.x1, self.x2 = axes[0], (axes[1] if self.dims == 2 else None)
        self.y = split.y_test[0]  # () class id, or (T,) per-step targets
        # the attention window validation chose (None: everything fits max_message_kb)
        self.window = (attention_plan(spec.network.layers, split.info, int(max_message_kb * 1024))[0]
                       if "attention" in self.panels else None)
        if self.dims == 2:
            self.grid = grid_points(self.x1, self.x2, self.n_inputs)  # (G*G, n_inputs)
            self.blocks = hidden_blocks(self.types)  # [(linear index, unit index)]
            self.neurons = "neuron_maps" in self.panels
            self.linears = [i for i, t in enumerate(self.types) if t == "linear"]
            self.max_units = max_units
            self.rows = thumbnail_index(GRID_RESOLUTION, unit_resolution)  # (R,)
            self.points = thumbnail_points(GRID_RESOLUTION, self.rows, self.rows)  # (R*R,)
            self.unit_axes = {"x1": _round(self.x1[self.rows]), "x2": _round(self.x2[self.rows])}
            self.axes_text = {"x1": _round(self.x1), "x2": _round(self.x2)}  # the grid's axes, sent every frame
        self.reconstruct = "latent_codes" in self.panels
        if self.reconstruct:
            shapes = [tuple(row.output_shape) for row in infer_shapes(spec.network, split.info.input_shape)]
            self.bottleneck = bottleneck_index(shapes)
            self.x_test = split.x_test.to(device)
            self.labels = split.y_test.numpy()

    def start_events(self) -> list[dict]:
        """Events sent once, before training: the 1-D or 2-D data points; an autoencoder's PCA baseline;
        then those of the probes that are their own class, in registry order (the activations' curves)."""
        return self._data_events() + [event for probe in self.own.values() for event in probe.start_events()]

    def _data_events(self) -> list[dict]:
        if self.reconstruct:
            return [self._codes_event(pca_codes(self.split.x_train, self.split.x_test), "pca", None, 0, 0)]
        if not self.dims:
            return []
        s = self.split
        return [{"type": "data_points", "step": 0, "task": self.task, "classes": list(self.classes),
                 "train": self._points(s.x_train, s.y_train), "test": self._points(s.x_test, s.y_test)}]

    def _points(self, x: torch.Tensor, y: torch.Tensor) -> dict:
        out = {"x1": _round(x[:, 0]), "x2": _round(x[:, 1]) if self.dims == 2 else []}
        if self.task == "regression":
            return {**out, "label": [], "target": _round(y[:, 0])}
        return {**out, "label": y.tolist()}

    def events(self, model: nn.Module, step: int, epoch: int) -> list[dict]:
        """The selected probes' events at ``step``, in registry order."""
        return [event for make in self.makers for event in make(model, step, epoch)]

    def _latent(self, model: nn.Module, step: int, epoch: int) -> list[dict]:
        codes = latent_codes(model, self.bottleneck, self.x_test).cpu().double().numpy()  # (N, width)
        return [self._codes_event(codes, "autoencoder", self.bottleneck, step, epoch),
                self._reconstructions(model, step, epoch)]

    def _grid(self, model: nn.Module, step: int, epoch: int) -> list[dict]:
        """The boundary (or prediction) and, on 2-D input, the hidden units from the same forward pass."""
        if self.dims == 1:
            return [self._prediction(grid_outputs(model, self.x1, None, self.n_inputs), step, epoch)]
        outputs, captured = grid_forward(model, self.grid, [u for _, u in self.blocks] if self.neurons else [])
        out = [self._prediction(outputs, step, epoch) if self.task == "regression"
               else self._boundary(outputs, step, epoch)]
        return out + ([self._neurons(model, captured, step, epoch)] if self.neurons else [])

    def _attention_events(self, model: nn.Module, step: int, epoch: int) -> list[dict]:
        return [self._attention(model, step, epoch)]

    def _cross_attention_events(self, model: nn.Module, step: int, epoch: int) -> list[dict]:
        """Each cross_attention layer's weights and stages for the probe example; the source's padding
        left out (its weights are 0)."""
        layers, output = cross_attention.cross_attention_maps(model, self.types, self.x)
        source_len = layers[0]["source_len"]
        keys = probe_length(self.x[0, :source_len], getattr(model, "pad_id", None))
        names = self.classes
        as_labels = lambda t: [names[i] for i in t.reshape(-1).tolist()]  # noqa: E731
        return [{"type": "cross_attention", "step": step, "epoch": epoch,
                 "tokens": token_labels(self.x[0, :keys], self.split.info),
                 "decoder_input": token_labels(self.x[0, source_len:], self.split.info),
                 "predicted": as_labels(output[0].argmax(-1)), "target": as_labels(self.y),
                 "layers": [cross_attention.layer_payload(entry, keys) for entry in layers]}]

    def _feature_maps_events(self, model: nn.Module, step: int, epoch: int) -> list[dict]:
        return [self._feature_maps(model, step, epoch)]

    def _gates(self, model: nn.Module, step: int, epoch: int) -> list[dict]:
        return self.sequence.gates(model, step, epoch)

    def _forecast(self, model: nn.Module, step: int, epoch: int) -> list[dict]:
        return [self.sequence.forecast(model, step, epoch)]

    def _sample(self, model: nn.Module, step: int, epoch: int) -> list[dict]:
        return [self.sequence.sample(model, step, epoch)]

    def _attention(self, model: nn.Module, step: int, epoch: int) -> dict:
        """Attention of every layer and head for the probe sequence, its padding left out; past
        ``max_message_kb``, the window's first tokens and heads (``window`` says which)."""
        layers, output = attention_maps(model, self.types, self.x)
        length = probe_length(self.x[0], getattr(model, "pad_id", None))
        shown = length if self.window is None else min(length, self.window.tokens)
        heads = None if self.window is None else self.window.heads
        names = self.classes
        predicted = output[0].argmax(-1)  # (T,) per step, or () for a classifier
        as_labels = lambda t: [names[i] for i in t.reshape(-1)[:shown].tolist()]  # noqa: E731
        window = None if self.window is None else {"tokens": shown, "tokens_total": length, "heads": heads,
                                                   "limit_kb": self.limit_kb}
        return {"type": "attention", "step": step, "epoch": epoch,
                "tokens": token_labels(self.x[0, :shown], self.split.info),
                "predicted": as_labels(predicted), "target": as_labels(self.y), "window": window,
                "layers": [layer_payload(entry, shown, heads) for entry in layers]}

    def _feature_maps(self, model: nn.Module, step: int, epoch: int) -> dict:
        maps = feature_maps(model, self.types, self.x, self.max_channels)
        probs = probabilities(maps["logits"][None])[0]  # (K,)
        cls = int(probs.argmax())
        return {
            "type": "feature_maps", "step": step, "epoch": epoch, "layers": maps["layers"],
            "input": {**array_payload(self.x[0], ["channel", "row", "col"]), "label": int(self.y),
                      "label_name": self.classes[int(self.y)]},
            "prediction": {"class": cls, "label_name": self.classes[cls],
                           "probabilities": [round(float(p), 5) for p in probs]},
        }

    def _boundary(self, logits: torch.Tensor, step: int, epoch: int) -> dict:
        probs = grid_probabilities(logits, len(self.x2), len(self.x1))  # (K, G, G)
        confidence, predicted = probs.max(dim=0)  # (G, G) each
        return {
            "type": "decision_boundary", "step": step, "epoch": epoch,
            "x1": self.axes_text["x1"], "x2": self.axes_text["x2"], "classes": list(self.classes),
            "predicted": class_payload(predicted, GRID_DIMS), "confidence": quantized_payload(confidence, GRID_DIMS),
        }

    def _prediction(self, outputs: torch.Tensor, step: int, epoch: int) -> dict:
        values = prediction_values(outputs, self.x1, self.x2)  # (G,) or (G, G)
        return {
            "type": "decision_boundary", "step": step, "epoch": epoch, "task": "regression",
            "x1": _round(self.x1), "x2": _round(self.x2) if self.x2 is not None else [], "classes": [],
            "predicted": array_payload(values, CURVE_DIMS if self.x2 is None else GRID_DIMS),
            "confidence": None,
        }

    def _neurons(self, model: nn.Module, captured: dict, step: int, epoch: int) -> dict:
        """Hidden units over the grid, one ``(unit, row, col)`` array per hidden block (its own
        vmin/vmax), and the weights ``(out, in)`` between the units drawn."""
        r = self.rows
        layers = []
        for linear, unit in self.blocks:
            outputs = captured[unit]  # (G*G, U)
            maps = unit_maps(outputs, self.points, len(r), len(r), self.max_units)  # (U', R, R)
            layers.append({"index": unit, "linear": linear, "type": self.types[unit],
                           "units_total": outputs.shape[1], **quantized_payload(maps, UNIT_DIMS)})
        out_units = model[self.linears[-1]].weight.shape[0] if self.linears else 0
        shown = [min(n["units_total"], self.max_units) for n in layers] + [min(out_units, self.max_units)]
        return {"type": "neuron_maps", "step": step, "epoch": epoch, **self.unit_axes, "layers": layers,
                "outputs_total": out_units, "weights": layer_weights(model, self.linears, shown)}


    def _codes_event(self, codes, method: str, layer: int | None, step: int, epoch: int) -> dict:
        """``latent_codes``: the test set's codes in 2-D (PCA of them when wider), k-means ARI on the
        full codes."""
        xy = to_2d(codes)
        return {"type": "latent_codes", "step": step, "epoch": epoch, "method": method, "layer": layer,
                "width": int(codes.shape[1]), "x": _round(torch.as_tensor(xy[:, 0])), "y": _round(torch.as_tensor(xy[:, 1])),
                "label": self.labels.tolist(), "classes": list(self.classes),
                "ari": round(kmeans_ari(codes, self.labels, len(self.classes)), 4)}

    def _reconstructions(self, model: nn.Module, step: int, epoch: int) -> dict:
        """The first test examples and the network's outputs for them, as ``(example, row, col)`` images
        (a feature vector is one row)."""
        x = self.x_test[:N_RECONSTRUCTIONS]
        was_training = model.training
        model.eval()
        with torch.no_grad():
            out = model(x).reshape(x.shape)
        model.train(was_training)
        as_img = lambda t: t.reshape(len(t), -1, t.shape[-1]) if t.dim() != 2 else t[:, None, :]  # noqa: E731
        errors = (out - x).flatten(1).pow(2).mean(1)  # (n,)
        return {"type": "reconstructions", "step": step, "epoch": epoch,
                "originals": array_payload(as_img(x), ["example", "row", "col"]),
                "reconstructions": array_payload(as_img(out), ["example", "row", "col"]),
                "labels": self.labels[:N_RECONSTRUCTIONS].tolist(), "mse": [round(float(e), 4) for e in errors]}


# Probe (panel) name -> the Probe method making its events at a probe step (probes that are their own
# class, the registry's ``probe``, make theirs themselves). ``metrics`` and
# ``gradients`` come from the loop, ``embedding_projection`` from the word2vec loop, ``neuron_maps`` with
# the decision boundary's forward pass.
MAKERS = {"latent_codes": "_latent", "feature_maps": "_feature_maps_events", "decision_boundary": "_grid",
          "attention": "_attention_events", "cross_attention": "_cross_attention_events",
          "gates": "_gates", "forecast": "_forecast", "text_sample": "_sample"}


def _round(t: torch.Tensor, decimals: int = 4) -> list:
    return t.double().round(decimals=decimals).tolist()


def probe_length(ids: torch.Tensor, pad_id: int | None) -> int:
    """Positions of ``ids`` ``(T,)`` before the first padding token (all of them without padding)."""
    if pad_id is None or ids.is_floating_point():
        return int(ids.shape[0])
    pads = (ids == pad_id).nonzero()
    return int(pads[0, 0]) if len(pads) else int(ids.shape[0])


def token_labels(ids: torch.Tensor, info) -> list[str]:
    """The vocabulary entries of token ids ``(T,)`` (positions ``"0"``, ``"1"``... for real-valued steps)."""
    vocab = getattr(info, "vocab", ())
    if ids.is_floating_point() or not vocab:
        return [str(t) for t in range(ids.shape[0])]
    return [vocab[i] for i in ids.tolist()]
