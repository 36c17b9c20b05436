"""The data set registry: metadata for every name and one loader that splits and scales.

Kinds: ``image`` ``(C, H, W)``, ``tabular`` ``(F,)``, ``toy2d`` ``(2,)`` (class ids ``(N,)``), ``sequence``
(real values ``(T, F)``) and ``text`` (int64 token ids ``(T,)``, with ``vocab`` naming each id). Targets
are ``(N, *target_shape)``: class ids ``(N,)`` for ``classification``, values ``(N, horizon)`` for
``regression``, one class id per step ``(N, T)`` for ``language_modeling`` and ``sequence_labelling``.
"""

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import torch
from sklearn import datasets as skd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from nnplay.data import memory, series, text
from nnplay.data.toy import GENERATORS
from nnplay.spec.data import MEMORY_TASKS, SERIES, TEXT, TOY_2D, DatasetSpec
from nnplay.spec.errors import SpecError


@dataclass(frozen=True)
class DatasetInfo:
    """What ``GET /api/datasets`` lists: shapes exclude the batch dimension.

    ``classes`` names the class ids (per step for per-step targets; empty for regression);
    ``vocab`` names the token ids of a text set (id 0 first), empty otherwise; ``target_shape`` is one
    example's target shape (``()`` for a class id).
    """

    name: str
    title: str
    task: str  # "classification" | "regression" | "language_modeling" | "sequence_labelling"
    kind: str  # "image" | "tabular" | "toy2d" | "sequence" | "text"
    input_shape: tuple[int, ...]
    classes: tuple[str, ...]
    n_samples: int
    source: str
    params: tuple[str, ...] = field(default=())
    target_shape: tuple[int, ...] = field(default=())
    vocab: tuple[str, ...] = field(default=())

    @property
    def vocab_size(self) -> int | None:
        """Number of token ids for text data, None for real-valued input."""
        return len(self.vocab) if self.kind == "text" else None


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


@dataclass
class Split:
    """Train and test tensors: inputs float32 ``(N, *input_shape)`` (int64 ``(N, T)`` for text), targets
    ``(N, *target_shape)`` (int64 class ids, float32 values). ``meta`` holds what views need beside the
    tensors, e.g. a series' ``mean``/``std`` (training part), ``unit`` and ``test_time``."""

    info: DatasetInfo
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    meta: dict = field(default_factory=dict)


def dataset_info(spec: DatasetSpec) -> DatasetInfo:
    """Metadata for a spec: toy and sequence sets report the shapes and counts of its options.

    Raises SpecError at ``dataset.window`` / ``dataset.seq_len`` for options the data cannot meet.
    """
    info = DATASETS[spec.name]
    if spec.name in TOY_2D:
        return DatasetInfo(**{**info.__dict__, "n_samples": spec.n_samples})
    if spec.name in SERIES + MEMORY_TASKS + TEXT:
        return _sequence_info(spec, info)
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
    """Load, split (stratified, ``test_fraction``, ``seed``) and scale a data set; sequence sets are
    split as their modules say (chronologically for series and text)."""
    info = dataset_info(spec)
    if info.kind in ("sequence", "text"):
        return _load_sequences(spec, info)
    noise_seed = spec.seed if spec.name in TOY_2D else 0
    x, y = _raw(spec.name, spec.n_samples, spec.noise, noise_seed)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=spec.test_fraction,
                                              random_state=spec.seed, stratify=y)
    x_tr, x_te = _scale(info, x_tr, x_te)
    shape = (-1, *info.input_shape)  # (N, 1, 8, 8) for images, (N, F) otherwise
    as_x = lambda a: torch.as_tensor(a, dtype=torch.float32).reshape(shape)  # noqa: E731
    as_y = lambda a: torch.as_tensor(a, dtype=torch.int64)  # noqa: E731
    return Split(info, as_x(x_tr), as_y(y_tr), as_x(x_te), as_y(y_te))


# ---- sequence data ---------------------------------------------------------------------------------

DATASETS["sunspots"] = DatasetInfo(
    "sunspots", "Sunspots, yearly (forecast)", "regression", "sequence", (22, 1), (), 309,
    "Yearly mean sunspot numbers 1700-2008, NOAA National Geophysical Data Center, public domain "
    "(statsmodels.datasets.sunspots)", ("window", "horizon"), (1,))
DATASETS["co2"] = DatasetInfo(
    "co2", "Mauna Loa CO2, monthly (forecast)", "regression", "sequence", (24, 1), (), 526,
    "Atmospheric CO2 at Mauna Loa, weekly flask samples 1958-2001 averaged per month; Keeling & Whorf "
    "(2004), CDIAC, public domain (statsmodels.datasets.co2)", ("window", "horizon"), (1,))
DATASETS["shakespeare_chars"] = DatasetInfo(
    "shakespeare_chars", "Shakespeare, characters (language model)", "language_modeling", "text", (100,), (),
    0, "Eight Shakespeare plays from Project Gutenberg, public domain (nnplay.data.corpora); next character "
    "at every step", ("seq_len",), (100,))
DATASETS["adding"] = DatasetInfo(
    "adding", "Adding problem (memory)", "regression", "sequence", (50, 2), (), 400,
    "synthetic (Hochreiter & Schmidhuber 1997): sum of the two marked values of a sequence",
    ("n_samples", "seq_len"), (1,))
DATASETS["copy"] = DatasetInfo(
    "copy", "Copy task (memory)", "sequence_labelling", "text", (30,), memory.COPY_VOCAB, 400,
    f"synthetic (Arjovsky et al. 2016): repeat {memory.COPY_SYMBOLS} symbols after a delay, at the end",
    ("n_samples", "seq_len"), (30,), memory.COPY_VOCAB)


def _sequence_info(spec: DatasetSpec, info: DatasetInfo) -> DatasetInfo:
    """``info`` with the shapes, counts and vocabulary that ``spec``'s options give."""
    name, steps = spec.name, spec.resolved_seq_len()
    if name in SERIES:
        window = spec.resolved_window()
        n_train, n_test = series.check_window(name, window, spec.horizon, spec.test_fraction)
        return DatasetInfo(**{**info.__dict__, "input_shape": (window, 1), "target_shape": (spec.horizon,),
                              "n_samples": n_train + n_test})
    if name == "adding":
        return DatasetInfo(**{**info.__dict__, "input_shape": (steps, 2), "n_samples": spec.n_samples})
    if name == "copy":
        _check_copy(steps)
        return DatasetInfo(**{**info.__dict__, "input_shape": (steps,), "target_shape": (steps,),
                              "n_samples": spec.n_samples})
    vocab = text.vocabulary(name, spec.test_fraction)
    n_train, n_test = text.counts(name, steps, spec.test_fraction)
    return DatasetInfo(**{**info.__dict__, "input_shape": (steps,), "target_shape": (steps,), "classes": vocab,
                          "vocab": vocab, "n_samples": n_train + n_test})


def _check_copy(steps: int) -> None:
    least = 2 * memory.COPY_SYMBOLS + 2
    if steps < least:
        raise SpecError(("dataset", "seq_len"), f"seq_len {steps} is too short for the copy task: it needs "
                        f"{memory.COPY_SYMBOLS} symbols, a delay, a delimiter and {memory.COPY_SYMBOLS} answer "
                        f"steps, at least {least}")


def _load_sequences(spec: DatasetSpec, info: DatasetInfo) -> Split:
    """Train/test tensors of a sequence or text set (see ``nnplay.data.series``, ``text``, ``memory``)."""
    if spec.name in SERIES:
        parts = series.split_series(spec.name, spec.resolved_window(), spec.horizon, spec.test_fraction)
    elif spec.name in TEXT:
        parts = text.split_text(spec.name, spec.resolved_seq_len(), spec.test_fraction)
    else:
        parts = _memory_parts(spec)
    as_x = (lambda a: torch.as_tensor(a, dtype=torch.int64)) if info.kind == "text" else _float  # noqa: E731
    as_y = _float if info.task == "regression" else (lambda a: torch.as_tensor(a, dtype=torch.int64))  # noqa: E731
    meta = {k: v for k, v in parts.items() if not k.startswith(("x_", "y_")) and k != "vocab"}
    return Split(info, as_x(parts["x_train"]), as_y(parts["y_train"]), as_x(parts["x_test"]),
                 as_y(parts["y_test"]), meta)


def _float(a) -> torch.Tensor:
    return torch.as_tensor(np.asarray(a), dtype=torch.float32)


def _memory_parts(spec: DatasetSpec) -> dict:
    """One seeded draw of ``n_samples`` examples, the last ``test_fraction`` of them for testing."""
    make = memory.adding if spec.name == "adding" else memory.copy
    x, y = make(spec.n_samples, spec.resolved_seq_len(), spec.seed)
    cut = spec.n_samples - int(np.ceil(spec.n_samples * spec.test_fraction))
    return {"x_train": x[:cut], "y_train": y[:cut], "x_test": x[cut:], "y_test": y[cut:]}
