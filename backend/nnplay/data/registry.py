"""The data set registry: metadata for every name and one loader that splits, imputes and scales."""

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from sklearn import datasets as skd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from nnplay.data import uploads
from nnplay.data.info import DatasetInfo
from nnplay.data.missing import impute, remove_at_random
from nnplay.data.text import corpus_tokens
from nnplay.data.toy import GENERATORS
from nnplay.spec.data import GENERATED, DatasetSpec
from nnplay.spec.errors import SpecError

UCI = "UCI Machine Learning Repository, as bundled in scikit-learn (sklearn.datasets.load_{})"
TOY_SOURCE = "synthetic, generated with the given seed (nnplay.data.toy)"

DATASETS: dict[str, DatasetInfo] = {
    "digits": DatasetInfo("digits", "Handwritten digits (8x8)", "classification", "image", (1, 8, 8),
                          tuple(str(d) for d in range(10)), 1797,
                          "UCI optical recognition of handwritten digits (Alpaydin & Kaynak, 1998), "
                          "1,797 grayscale 8x8 images, as bundled in scikit-learn (load_digits)"),
    "iris": DatasetInfo("iris", "Iris flowers", "classification", "tabular", (4,),
                        ("setosa", "versicolor", "virginica"), 150, "Fisher (1936); " + UCI.format("iris")),
    "wine": DatasetInfo("wine", "Wine cultivars", "classification", "tabular", (13,),
                        ("class_0", "class_1", "class_2"), 178, "Forina et al.; " + UCI.format("wine")),
    "breast_cancer": DatasetInfo("breast_cancer", "Breast cancer (Wisconsin diagnostic)", "classification",
                                 "tabular", (30,), ("malignant", "benign"), 569,
                                 "Street, Wolberg & Mangasarian (1993); " + UCI.format("breast_cancer")),
}
for _name, _title in (("circle", "Circle"), ("xor", "XOR"), ("gaussian", "Two Gaussians"), ("spiral", "Spiral")):
    DATASETS[_name] = DatasetInfo(_name, _title, "classification", "toy2d", (2,), ("0", "1"), 400,
                                  TOY_SOURCE, ("n_samples", "noise"))
DATASETS["sine"] = DatasetInfo("sine", "Sine wave (regression, 1-D)", "regression", "toy1d", (1,), (), 400,
                               TOY_SOURCE + ": y = sin(x) + noise, x in [-3, 3]", ("n_samples", "noise"))
DATASETS["plane"] = DatasetInfo("plane", "Plane (linear regression, 2-D)", "regression", "toy2d", (2,), (), 400,
                                TOY_SOURCE + ": y = 2 x1 - 3 x2 + 0.5 + noise, x in [-1, 1]^2",
                                ("n_samples", "noise"))


for _name, _title, _source in (
        ("shakespeare_words", "Shakespeare, 8 plays (words)", "Project Gutenberg texts of 8 plays, vendored in "
         "nnplay/data/corpora (see SOURCES.md); public domain"),
        ("milton_words", "Milton, Paradise Lost and Regained (words)", "Project Gutenberg texts, vendored in "
         "nnplay/data/corpora (see SOURCES.md); public domain"),
        ("lee_words", "Lee background news corpus (words)", "Lee, Pincombe & Welsh (2005), 300 Australian news "
         "documents, as shipped with gensim's test data (lee_background.cor)")):
    DATASETS[_name] = DatasetInfo(_name, _title, "word embedding", "corpus", (), (), len(corpus_tokens(_name)),
                                  _source)


@dataclass
class Split:
    """Train and test tensors: inputs float32 ``(N, *input_shape)``; targets int64 class ids ``(N,)``, or
    float32 ``(N, 1)`` for regression. ``missing`` counts the feature values that were missing (removed
    by ``missing_fraction`` or empty in an uploaded file) out of ``total_values``; ``removed`` is the
    part removed by ``missing_fraction``."""

    info: DatasetInfo
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    missing: int = 0
    removed: int = 0
    total_values: int = 0


def find_info(name: str, data_dir: Path | str | None = None) -> DatasetInfo:
    """A built-in set's info, or an uploaded one's under ``data_dir``.

    Raises SpecError at ``dataset.name`` for an unknown name.
    """
    info = DATASETS.get(name) or uploads.read_info(data_dir, name)
    if info is None:
        known = ", ".join([*DATASETS, *(i.name for i in uploads.list_infos(data_dir))] if data_dir else DATASETS)
        raise SpecError(("dataset", "name"), f"unknown data set '{name}'; known: {known}")
    return info


def dataset_info(spec: DatasetSpec, data_dir: Path | str | None = None) -> DatasetInfo:
    """Metadata for a spec: generated sets report the requested ``n_samples``; ``mean_with_indicator``
    doubles the features (channels for images). Raises SpecError for an unknown name."""
    info = find_info(spec.name, data_dir)
    if spec.name in GENERATED:
        info = replace(info, n_samples=spec.n_samples)
    if spec.impute == "mean_with_indicator":
        first, *rest = info.input_shape
        info = replace(info, input_shape=(2 * first, *rest))
    return info


@lru_cache(maxsize=8)
def _builtin(name: str, n_samples: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    if name in GENERATORS:
        return GENERATORS[name](n_samples, noise, seed)
    bunch = getattr(skd, f"load_{name}")()
    return bunch.data.astype(np.float64), bunch.target.astype(np.int64)


def _raw(spec: DatasetSpec, info: DatasetInfo, data_dir) -> tuple[np.ndarray, np.ndarray]:
    """Features float64 ``(N, F)`` (images flattened) and targets ``(N,)``, before any split."""
    if info.uploaded:
        x, y = uploads.read_arrays(data_dir, spec.name)
    else:
        noise_seed = spec.seed if spec.name in GENERATED else 0
        x, y = _builtin(spec.name, spec.n_samples, spec.noise, noise_seed)
    return x.reshape(len(x), -1), y


def _split(x: np.ndarray, y: np.ndarray, spec: DatasetSpec, task: str) -> list[np.ndarray]:
    """Stratified for classification (plain when a class is too small to stratify), shuffled for regression."""
    stratify = y if task == "classification" else None
    try:
        return train_test_split(x, y, test_size=spec.test_fraction, random_state=spec.seed, stratify=stratify)
    except ValueError:
        return train_test_split(x, y, test_size=spec.test_fraction, random_state=spec.seed)


def _scale(info: DatasetInfo, x_train: np.ndarray, x_test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Standardise with training statistics: one mean/std over all pixels for images, per feature
    otherwise (only the ``info.scaled`` columns when given)."""
    if info.kind == "image":
        mean, std = x_train.mean(), x_train.std() or 1.0
        return (x_train - mean) / std, (x_test - mean) / std
    cols = list(range(x_train.shape[1])) if info.scaled is None else list(info.scaled)
    x_train, x_test = x_train.copy(), x_test.copy()
    if cols:
        scaler = StandardScaler().fit(x_train[:, cols])
        x_train[:, cols], x_test[:, cols] = scaler.transform(x_train[:, cols]), scaler.transform(x_test[:, cols])
    return x_train, x_test


def load(spec: DatasetSpec, data_dir: Path | str | None = None) -> Split:
    """Load, remove values at random (``missing_fraction``), split (``test_fraction``, ``seed``), impute
    and scale with statistics of the training part only. Raises SpecError for an unknown name."""
    info = dataset_info(spec, data_dir)
    x, y = _raw(spec, info, data_dir)
    x, removed = remove_at_random(x, spec.missing_fraction, spec.seed)
    missing = int(np.isnan(x).sum())
    x_tr, x_te, y_tr, y_te = _split(x, y, spec, info.task)
    x_tr, x_te, m_tr, m_te = impute(x_tr, x_te, spec.impute)
    x_tr, x_te = _scale(info, x_tr, x_te)
    base = find_info(spec.name, data_dir).input_shape  # (C, H, W) or (F,), before any indicator
    with_mask = spec.impute == "mean_with_indicator"
    as_x = lambda a, m: torch.as_tensor(_join(a, m, base, with_mask), dtype=torch.float32)  # noqa: E731
    as_y = (lambda a: torch.as_tensor(a, dtype=torch.int64)) if info.task == "classification" else (
        lambda a: torch.as_tensor(a, dtype=torch.float32).reshape(-1, 1))  # (N,) ids or (N, 1) targets
    return Split(info, as_x(x_tr, m_tr), as_y(y_tr), as_x(x_te, m_te), as_y(y_te),
                 missing=missing, removed=removed, total_values=int(x.size))


def _join(values: np.ndarray, mask: np.ndarray, base: tuple, with_mask: bool) -> np.ndarray:
    """``(N, *base)`` values, followed along axis 1 by the missing-indicator ``(N, *base)`` if asked."""
    values = values.reshape(-1, *base)
    return np.concatenate([values, mask.reshape(-1, *base)], axis=1) if with_mask else values
