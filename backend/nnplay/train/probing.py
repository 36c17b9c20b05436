"""Probe events of a run: what the probes see, packed as plain JSON-ready dicts.

- image data: ``feature_maps`` of the probe image (the first test example);
- 2-D data: ``data_points`` once (train and test points, standardised) and ``decision_boundary``
  snapshots (class probabilities over a ``GRID_RESOLUTION`` x ``GRID_RESOLUTION`` grid);
- regression on 1-D or 2-D input (``sine``, ``plane``): the same two messages with ``task``
  ``regression``: the points carry their float ``target``, and each snapshot the model's prediction
  over ``GRID_RESOLUTION`` points of x1 (a curve) or over the grid (a surface);
- sequence and text data: ``gates``, ``time_gradients``, ``forecast`` and ``text_sample`` (see
  ``nnplay.train.sequence_probing``).
"""

import torch
from torch import nn

from nnplay.data import Split
from nnplay.probes import feature_maps
from nnplay.probes.arrays import array_payload
from nnplay.probes.decision_boundary import (CURVE_DIMS, GRID_DIMS, decision_boundary, grid_axes,
                                             regression_prediction)
from nnplay.spec.network import JobSpec
from nnplay.train.optim import probabilities
from nnplay.train.sequence_probing import SequenceProbe

GRID_RESOLUTION = 64
GRID_KINDS = {"toy1d": 1, "toy2d": 2}  # data kind -> input columns spanned by the grid


class Probe:
    """Builds the probe events of one run at a given step."""

    def __init__(self, spec: JobSpec, split: Split, max_channels: int, device: torch.device):
        self.kind = split.info.kind
        self.types = [layer.type for layer in spec.network.layers]
        self.split, self.max_channels = split, max_channels
        self.classes = split.info.classes
        self.x = split.x_test[:1].to(device)  # (1, C, H, W) for images
        self.label = int(split.y_test[0]) if self.kind == "image" else 0
        self.task = split.info.task
        self.dims = GRID_KINDS.get(self.kind, 0)
        self.n_inputs = split.info.input_shape[0]  # > dims when missing-value indicators follow
        self.sequence = SequenceProbe(spec, split, device) if self.kind in ("sequence", "text") else None
        if self.dims:
            points = torch.cat([split.x_train, split.x_test])[:, :self.dims]  # (N, D)
            axes = grid_axes(points, GRID_RESOLUTION)
            self.x1, self.x2 = axes[0], (axes[1] if self.dims == 2 else None)

    def start_events(self) -> list[dict]:
        """Events sent once, before training: the 1-D or 2-D data points."""
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
        if self.sequence is not None:
            return self.sequence.events(model, step, epoch)
        if self.kind == "image":
            return [self._feature_maps(model, step, epoch)]
        if self.dims and self.task == "regression":
            return [self._prediction(model, step, epoch)]
        if self.dims == 2:
            return [self._boundary(model, step, epoch)]
        return []

    def _feature_maps(self, model: nn.Module, step: int, epoch: int) -> dict:
        maps = feature_maps(model, self.types, self.x, self.max_channels)
        probs = probabilities(maps["logits"][None])[0]  # (K,)
        cls = int(probs.argmax())
        return {
            "type": "feature_maps", "step": step, "epoch": epoch, "layers": maps["layers"],
            "input": {**array_payload(self.x[0], ["channel", "row", "col"]), "label": self.label,
                      "label_name": self.classes[self.label]},
            "prediction": {"class": cls, "label_name": self.classes[cls],
                           "probabilities": [round(float(p), 5) for p in probs]},
        }

    def _boundary(self, model: nn.Module, step: int, epoch: int) -> dict:
        probs = decision_boundary(model, self.x1, self.x2, self.n_inputs)  # (K, G, G)
        confidence, predicted = probs.max(dim=0)  # (G, G) each
        return {
            "type": "decision_boundary", "step": step, "epoch": epoch,
            "x1": _round(self.x1), "x2": _round(self.x2), "classes": list(self.classes),
            "predicted": {"shape": list(predicted.shape), "dims": GRID_DIMS, "vmin": 0,
                          "vmax": len(self.classes) - 1, "data": predicted.tolist()},
            "confidence": array_payload(confidence, GRID_DIMS, decimals=2),
        }

    def _prediction(self, model: nn.Module, step: int, epoch: int) -> dict:
        values = regression_prediction(model, self.x1, self.x2, self.n_inputs)  # (G,) or (G, G)
        return {
            "type": "decision_boundary", "step": step, "epoch": epoch, "task": "regression",
            "x1": _round(self.x1), "x2": _round(self.x2) if self.x2 is not None else [], "classes": [],
            "predicted": array_payload(values, CURVE_DIMS if self.x2 is None else GRID_DIMS, decimals=4),
            "confidence": None,
        }


def _round(t: torch.Tensor, decimals: int = 4) -> list:
    return t.double().round(decimals=decimals).tolist()
