"""Learned codes of an autoencoder: the bottleneck, its codes, their clustering, and the PCA baseline.

- ``bottleneck_index``: the layer with the narrowest output (fewest values per example; the first of
  equals), excluding the last layer: its output is the code.
- ``kmeans_ari``: k-means (scikit-learn, k = number of classes, 10 restarts, seeded) on the codes, scored
  against the true labels by the adjusted Rand index (Hubert & Arabie 1985): 1 = the clusters are the
  classes, 0 = no better than chance.
- ``pca_codes``: the linear baseline, PCA to 2-D fitted on the training inputs (Pearson 1901).
"""

from math import prod

import numpy as np
import torch
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score
from torch import nn


def bottleneck_index(output_shapes: list[tuple[int, ...]]) -> int:
    """Index of the narrowest layer output among all but the last layer (ties: the first)."""
    widths = [prod(shape) for shape in output_shapes[:-1]] or [0]
    return int(np.argmin(widths))


def latent_codes(model: nn.Sequential, index: int, x: torch.Tensor) -> torch.Tensor:
    """The output ``(N, width)`` of layer ``index`` for inputs ``x`` ``(N, ...)``, eval mode, no_grad."""
    was_training = model.training
    model.eval()
    with torch.no_grad():
        codes = model[: index + 1](x).flatten(1)
    model.train(was_training)
    return codes


def to_2d(codes: np.ndarray) -> np.ndarray:
    """Codes ``(N, width)`` as ``(N, 2)``: themselves when 2-wide, else their PCA (a 1-wide code gets y = 0)."""
    if codes.shape[1] == 2:
        return codes
    if codes.shape[1] == 1:
        return np.concatenate([codes, np.zeros_like(codes)], axis=1)
    return PCA(2, random_state=0).fit_transform(codes)


def kmeans_ari(codes: np.ndarray, labels: np.ndarray, k: int, seed: int = 0) -> float:
    """Adjusted Rand index of k-means clusters of ``codes`` ``(N, width)`` against ``labels`` ``(N,)``."""
    if not np.isfinite(codes).all():
        return 0.0
    clusters = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(codes.astype(np.float64))
    return float(adjusted_rand_score(labels, clusters))


def pca_codes(x_train: torch.Tensor, x_test: torch.Tensor) -> np.ndarray:
    """The test inputs ``(N, ...)`` projected on the training inputs' first 2 principal axes: ``(N, 2)``."""
    pca = PCA(2, random_state=0).fit(x_train.flatten(1).double().numpy())
    return pca.transform(x_test.flatten(1).double().numpy())
