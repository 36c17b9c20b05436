"""The data set registry: metadata for every name and one loader that splits and scales."""

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import torch
from sklearn import datasets as skd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from nnplay.data.text import corpus_tokens
from nnplay.data.toy import GENERATORS
from nnplay.spec.data import TOY_2D, DatasetSpec


@dataclass(frozen=True)
class DatasetInfo:
    """What ``GET /api/datasets`` lists: shapes exclude the batch dimension."""

    name: str
    title: str
    task: str
    kind: str  # "image" | "tabular" | "toy2d"
    input_shape: tuple[int, ...]
    classes: tuple[str, ...]
    n_samples: int
    source: str
    params: tuple[str, ...] = field(default=())


UCI = "UCI Machine Learning Repository, as bundled in scikit-learn (sklearn.datasets.load_{})"

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
                                  "synthetic, generated with the given seed (nnplay.data.toy)",
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
    """Train and test tensors: inputs float32 ``(N, *input_shape)``, targets int64 ``(N,)``."""

    info: DatasetInfo
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor


def dataset_info(spec: DatasetSpec) -> DatasetInfo:
    """Metadata for a spec; toy sets report the requested ``n_samples``."""
    info = DATASETS[spec.name]
    if spec.name in TOY_2D:
        return DatasetInfo(**{**info.__dict__, "n_samples": spec.n_samples})
    return info


@lru_cache(maxsize=8)
def _raw(name: str, n_samples: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    if name in GENERATORS:
        return GENERATORS[name](n_samples, noise, seed)
    bunch = getattr(skd, f"load_{name}")()
    return bunch.data.astype(np.float64), bunch.target.astype(np.int64)


def _scale(info: DatasetInfo, x_train: np.ndarray, x_test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Standardise with training statistics: one mean/std over all pixels for images, per feature otherwise."""
    if info.kind == "image":
        mean, std = x_train.mean(), x_train.std() or 1.0
        return (x_train - mean) / std, (x_test - mean) / std
    scaler = StandardScaler().fit(x_train)
    return scaler.transform(x_train), scaler.transform(x_test)


def load(spec: DatasetSpec) -> Split:
    """Load, split (stratified, ``test_fraction``, ``seed``) and scale a data set."""
    info = dataset_info(spec)
    noise_seed = spec.seed if spec.name in TOY_2D else 0
    x, y = _raw(spec.name, spec.n_samples, spec.noise, noise_seed)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=spec.test_fraction,
                                              random_state=spec.seed, stratify=y)
    x_tr, x_te = _scale(info, x_tr, x_te)
    shape = (-1, *info.input_shape)  # (N, 1, 8, 8) for images, (N, F) otherwise
    as_x = lambda a: torch.as_tensor(a, dtype=torch.float32).reshape(shape)  # noqa: E731
    as_y = lambda a: torch.as_tensor(a, dtype=torch.int64)  # noqa: E731
    return Split(info, as_x(x_tr), as_y(y_tr), as_x(x_te), as_y(y_te))
