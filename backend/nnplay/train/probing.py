"""Probe events of a run: what the probes see, packed as plain JSON-ready dicts.

- image data: ``feature_maps`` of the probe image (the first test example);
- 2-D data: ``data_points`` once (train and test points, standardised) and ``decision_boundary``
  snapshots (class probabilities over a ``GRID_RESOLUTION`` x ``GRID_RESOLUTION`` grid).
"""

import torch
from torch import nn

from nnplay.data import Split
from nnplay.probes import feature_maps
from nnplay.probes.arrays import array_payload
from nnplay.probes.decision_boundary import GRID_DIMS, decision_boundary, grid_axes
from nnplay.spec.network import JobSpec
from nnplay.train.optim import probabilities

GRID_RESOLUTION = 64


class Probe:
    """Builds the probe events of one run at a given step."""

    def __init__(self, spec: JobSpec, split: Split, max_channels: int, device: torch.device):
        self.kind = split.info.kind
        self.types = [layer.type for layer in spec.network.layers]
        self.split, self.max_channels = split, max_channels
        self.classes = split.info.classes
        self.x = split.x_test[:1].to(device)  # (1, C, H, W) for images
        self.label = int(split.y_test[0]) if self.kind == "image" else 0
        if self.kind == "toy2d":
            self.x1, self.x2 = grid_axes(torch.cat([split.x_train, split.x_test]), GRID_RESOLUTION)

    def start_events(self) -> list[dict]:
        """Events sent once, before training: the 2-D data points."""
        if self.kind != "toy2d":
            return []
        s = self.split
        part = lambda x, y: {"x1": _round(x[:, 0]), "x2": _round(x[:, 1]), "label": y.tolist()}  # noqa: E731
        return [{"type": "data_points", "step": 0, "classes": list(self.classes),
                 "train": part(s.x_train, s.y_train), "test": part(s.x_test, s.y_test)}]

    def events(self, model: nn.Module, step: int, epoch: int) -> list[dict]:
        if self.kind == "image":
            return [self._feature_maps(model, step, epoch)]
        if self.kind == "toy2d":
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
        probs = decision_boundary(model, self.x1, self.x2)  # (K, G, G)
        confidence, predicted = probs.max(dim=0)  # (G, G) each
        return {
            "type": "decision_boundary", "step": step, "epoch": epoch,
            "x1": _round(self.x1), "x2": _round(self.x2), "classes": list(self.classes),
            "predicted": {"shape": list(predicted.shape), "dims": GRID_DIMS, "vmin": 0,
                          "vmax": len(self.classes) - 1, "data": predicted.tolist()},
            "confidence": array_payload(confidence, GRID_DIMS, decimals=2),
        }


def _round(t: torch.Tensor, decimals: int = 4) -> list:
    return t.double().round(decimals=decimals).tolist()
