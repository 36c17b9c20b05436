"""Probe events of a run: what the probes see, packed as plain JSON-ready dicts.

- image data: ``feature_maps`` of the probe image (the first test example);
- 2-D data: ``data_points`` once (train and test points, standardised) and ``decision_boundary``
  snapshots (class probabilities over a ``GRID_RESOLUTION`` x ``GRID_RESOLUTION`` grid);
- reconstruction (``dataset.target`` ``"input"``, an autoencoder): ``latent_codes`` of the test set
  (the bottleneck layer's outputs, with k-means' adjusted Rand index against the labels), the PCA
  baseline as a ``latent_codes`` event once before training, and ``reconstructions`` of the first
  ``N_RECONSTRUCTIONS`` test examples beside the originals.
"""

import torch
from torch import nn

from nnplay.data import Split
from nnplay.probes import feature_maps
from nnplay.probes.arrays import array_payload
from nnplay.probes.decision_boundary import GRID_DIMS, decision_boundary, grid_axes
from nnplay.probes.latent import bottleneck_index, kmeans_ari, latent_codes, pca_codes, to_2d
from nnplay.spec.network import JobSpec, infer_shapes
from nnplay.train.optim import probabilities

GRID_RESOLUTION = 64
N_RECONSTRUCTIONS = 8


class Probe:
    """Builds the probe events of one run at a given step."""

    def __init__(self, spec: JobSpec, split: Split, max_channels: int, device: torch.device):
        self.kind = split.info.kind
        self.types = [layer.type for layer in spec.network.layers]
        self.split, self.max_channels = split, max_channels
        self.classes = split.info.classes
        self.x = split.x_test[:1].to(device)  # (1, C, H, W) for images
        self.label = int(split.y_test[0])
        if self.kind == "toy2d":
            self.x1, self.x2 = grid_axes(torch.cat([split.x_train, split.x_test]), GRID_RESOLUTION)
        self.reconstruct = spec.dataset.target == "input"
        if self.reconstruct:
            shapes = [tuple(row.output_shape) for row in infer_shapes(spec.network, split.info.input_shape)]
            self.bottleneck = bottleneck_index(shapes)
            self.x_test = split.x_test.to(device)
            self.labels = split.y_test.numpy()

    def start_events(self) -> list[dict]:
        """Events sent once, before training: the 2-D data points; an autoencoder's PCA baseline."""
        if self.reconstruct:
            return [self._codes_event(pca_codes(self.split.x_train, self.split.x_test), "pca", None, 0, 0)]
        if self.kind != "toy2d":
            return []
        s = self.split
        part = lambda x, y: {"x1": _round(x[:, 0]), "x2": _round(x[:, 1]), "label": y.tolist()}  # noqa: E731
        return [{"type": "data_points", "step": 0, "classes": list(self.classes),
                 "train": part(s.x_train, s.y_train), "test": part(s.x_test, s.y_test)}]

    def events(self, model: nn.Module, step: int, epoch: int) -> list[dict]:
        if self.reconstruct:
            codes = latent_codes(model, self.bottleneck, self.x_test).cpu().double().numpy()  # (N, width)
            return [self._codes_event(codes, "autoencoder", self.bottleneck, step, epoch),
                    self._reconstructions(model, step, epoch)]
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
                "originals": array_payload(as_img(x), ["example", "row", "col"], decimals=3),
                "reconstructions": array_payload(as_img(out), ["example", "row", "col"], decimals=3),
                "labels": self.labels[:N_RECONSTRUCTIONS].tolist(), "mse": [round(float(e), 4) for e in errors]}


def _round(t: torch.Tensor, decimals: int = 4) -> list:
    return t.double().round(decimals=decimals).tolist()
