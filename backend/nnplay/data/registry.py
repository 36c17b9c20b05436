"""The data set registry: metadata for every name and one loader that splits, imputes and scales.

Kinds: ``image`` ``(C, H, W)``, ``tabular`` ``(F,)``, ``toy1d``/``toy2d``, ``sequence`` (real values
``(T, F)``) and ``text`` (int64 token ids ``(T,)``, with ``vocab`` naming each id). Targets are
``(N, *target_shape)``: class ids ``(N,)`` for ``classification``, values ``(N, 1)`` or ``(N, horizon)``
for ``regression``, one class id per step ``(N, T)`` for ``language_modeling`` and ``sequence_labelling``.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from sklearn import datasets as skd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from nnplay.data import dates, memory, mnist, series, tasks, text, uploads
from nnplay.data.info import DatasetInfo
from nnplay.data.missing import impute, remove_at_random
from nnplay.data.words import WORD_CORPORA, corpus_available, corpus_tokens
from nnplay.data.toy import GENERATORS
from nnplay.spec.data import (DIGIT_TASKS, GENERATED, MEMORY_TASKS, SERIES, TEXT, TEXT_CLASSIFICATION,
                              TRANSLATION, DatasetSpec)
from nnplay.spec.errors import SpecError, did_you_mean

UCI = "UCI Machine Learning Repository, as bundled in scikit-learn (sklearn.datasets.load_{})"
TOY_SOURCE = "synthetic, generated with the given seed (nnplay.data.toy)"

DATASETS: dict[str, DatasetInfo] = {
    "digits": DatasetInfo("digits", "Handwritten digits (8x8)", "classification", "image", (1, 8, 8),
                          tuple(str(d) for d in range(10)), 1797,
                          "UCI optical recognition of handwritten digits (Alpaydin & Kaynak, 1998), "
                          "1,797 grayscale 8x8 images, as bundled in scikit-learn (load_digits)"),
    "mnist": DatasetInfo("mnist", "Handwritten digits, MNIST sample (28x28)", "classification", "image",
                          mnist.SHAPE, tuple(str(d) for d in range(10)), 5000, mnist.SOURCE),
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
    if corpus_available(_name):  # lee_words only with gensim installed: the server starts without it
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
    meta: dict = field(default_factory=dict)  # sequence sets: a series' mean/std (training part), unit, test_time


def find_info(name: str, data_dir: Path | str | None = None) -> DatasetInfo:
    """A built-in set's info, or an uploaded one's under ``data_dir``.

    Raises SpecError at ``dataset.name`` for an unknown name.
    """
    info = DATASETS.get(name) or uploads.read_info(data_dir, name)
    if info is None and name in WORD_CORPORA and not corpus_available(name):
        raise SpecError(("dataset", "name"), f"'{name}' is read from gensim's test data, and gensim is not "
                        "installed on this server (pip install gensim==4.4.0, or ./scripts/install.sh --test); "
                        "shakespeare_words and milton_words ship with nnplay")
    if info is None:
        names = [*DATASETS, *(i.name for i in uploads.list_infos(data_dir))] if data_dir else list(DATASETS)
        raise SpecError(("dataset", "name"), f"unknown data set '{name}';{did_you_mean(name, names)} known: {', '.join(names)}")
    return info


def word_corpora(data_dir: Path | str | None = None) -> list[str]:
    """Names of the word corpora: the built-in ones, then the uploaded texts under ``data_dir``."""
    uploaded = [i.name for i in uploads.list_infos(data_dir) if i.kind == "corpus"] if data_dir else []
    return [*(n for n, i in DATASETS.items() if i.kind == "corpus"), *uploaded]


def is_word_corpus(name: str, data_dir: Path | str | None = None) -> bool:
    """Whether ``name`` is a word corpus (built-in or uploaded); SpecError for an unknown name."""
    return find_info(name, data_dir).kind == "corpus"


def word_tokens(name: str, data_dir: Path | str | None = None) -> tuple[str, ...]:
    """The whole token stream of word corpus ``name`` (``nnplay.data.words.tokenize`` of its text).

    Raises SpecError at ``dataset.name`` for an unknown name or a data set that is not a word corpus."""
    info = find_info(name, data_dir)
    if info.kind != "corpus":
        raise SpecError(("dataset", "name"), f"word2vec trains on a word corpus ({', '.join(word_corpora(data_dir))}), "
                        f"not on '{name}'")
    if not info.uploaded:
        return corpus_tokens(name)
    with _deleted_as_spec_error(name):
        return uploads.corpus_tokens(data_dir, name)


@contextmanager
def _deleted_as_spec_error(name: str):
    """An uploaded set deleted while it was being read: SpecError at ``dataset.name`` (HTTP 422)."""
    try:
        yield
    except FileNotFoundError:
        raise SpecError(("dataset", "name"), f"the data set '{name}' was deleted; upload it again or pick "
                        "another") from None


def dataset_info(spec: DatasetSpec, data_dir: Path | str | None = None) -> DatasetInfo:
    """Metadata for a spec: generated sets report the requested ``n_samples``; ``mean_with_indicator``
    doubles the features (channels for images). Raises SpecError for an unknown name."""
    info = find_info(spec.name, data_dir)
    if spec.name in SERIES + MEMORY_TASKS + TEXT + DIGIT_TASKS + TEXT_CLASSIFICATION + TRANSLATION:
        return _sequence_info(spec, info)
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
    if name == "mnist":
        return mnist.mnist_arrays()
    bunch = getattr(skd, f"load_{name}")()
    return bunch.data.astype(np.float64), bunch.target.astype(np.int64)


def _raw(spec: DatasetSpec, info: DatasetInfo, data_dir) -> tuple[np.ndarray, np.ndarray]:
    """Features float64 ``(N, F)`` (images flattened) and targets ``(N,)``, before any split."""
    if info.uploaded:
        with _deleted_as_spec_error(spec.name):
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
    and scale with statistics of the training part only. Raises SpecError for an unknown name.
    Sequence and text sets are split as their modules say (chronologically for series and text)."""
    info = dataset_info(spec, data_dir)
    if info.kind in ("sequence", "text"):
        return _load_sequences(spec, info)
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


def train_features(spec: DatasetSpec, data_dir: Path | str | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The training part of a feature set in data units, as ``load`` splits and imputes it, before
    scaling: ``(x (N, F), y (N,), mean (F,), std (F,))``, where a model input is ``(x - mean) / std``
    (mean 0 and std 1 for columns left unscaled; a constant column's std is 1, as StandardScaler's)."""
    info = dataset_info(spec, data_dir)
    x, y = _raw(spec, info, data_dir)
    x, _ = remove_at_random(x, spec.missing_fraction, spec.seed)
    x_tr, x_te, y_tr, _ = _split(x, y, spec, info.task)
    x_tr, _, _, _ = impute(x_tr, x_te, spec.impute)
    cols = list(range(x_tr.shape[1])) if info.scaled is None else list(info.scaled)
    mean, std = np.zeros(x_tr.shape[1]), np.ones(x_tr.shape[1])
    mean[cols] = x_tr[:, cols].mean(axis=0)
    spread = x_tr[:, cols].std(axis=0)
    std[cols] = np.where(spread > 0, spread, 1.0)
    return x_tr.astype(np.float64), np.asarray(y_tr, dtype=np.float64), mean, std


def _join(values: np.ndarray, mask: np.ndarray, base: tuple, with_mask: bool) -> np.ndarray:
    """``(N, *base)`` values, followed along axis 1 by the missing-indicator ``(N, *base)`` if asked."""
    values = values.reshape(-1, *base)
    return np.concatenate([values, mask.reshape(-1, *base)], axis=1) if with_mask else values


# ---- sequence data ---------------------------------------------------------------------------------

DATASETS["sunspots"] = DatasetInfo(
    "sunspots", "Sunspots, yearly (forecast)", "regression", "sequence", (22, 1), (), 309,
    "Yearly mean sunspot numbers 1700-2008, NOAA National Geophysical Data Center, public domain "
    "(statsmodels.datasets.sunspots)", ("window", "horizon"), target_shape=(1,))
DATASETS["co2"] = DatasetInfo(
    "co2", "Mauna Loa CO2, monthly (forecast)", "regression", "sequence", (24, 1), (), 526,
    "Atmospheric CO2 at Mauna Loa, weekly flask samples 1958-2001 averaged per month; Keeling & Whorf "
    "(2004), CDIAC, public domain (statsmodels.datasets.co2)", ("window", "horizon"), target_shape=(1,))
DATASETS["shakespeare_chars"] = DatasetInfo(
    "shakespeare_chars", "Shakespeare, characters (language model)", "language_modeling", "text", (100,), (),
    0, "Eight Shakespeare plays from Project Gutenberg, public domain (nnplay.data.corpora); next character "
    "at every step", ("seq_len",), target_shape=(100,))
DATASETS["adding"] = DatasetInfo(
    "adding", "Adding problem (memory)", "regression", "sequence", (50, 2), (), 400,
    "synthetic (Hochreiter & Schmidhuber 1997): sum of the two marked values of a sequence",
    ("n_samples", "seq_len"), target_shape=(1,))
DATASETS["copy"] = DatasetInfo(
    "copy", "Copy task (memory)", "sequence_labelling", "text", (30,), memory.COPY_VOCAB, 400,
    f"synthetic (Arjovsky et al. 2016): repeat {memory.COPY_SYMBOLS} symbols after a delay, at the end",
    ("n_samples", "seq_len"), target_shape=(30,), vocab=memory.COPY_VOCAB)
DATASETS["reverse"] = DatasetInfo(
    "reverse", "Reverse digits (attention)", "sequence_labelling", "text", (8,), tasks.DIGITS, 400,
    "synthetic: seq_len random digits, the target is the sequence reversed (ideal attention: the "
    "anti-diagonal)", ("n_samples", "seq_len"), target_shape=(8,), vocab=tasks.DIGITS)
DATASETS["sort"] = DatasetInfo(
    "sort", "Sort digits (attention)", "sequence_labelling", "text", (8,), tasks.DIGITS, 400,
    "synthetic: seq_len random digits, the target is the sequence sorted ascending",
    ("n_samples", "seq_len"), target_shape=(8,), vocab=tasks.DIGITS)
DATASETS["authors"] = DatasetInfo(
    "authors", "Shakespeare or Milton? (one line of verse)", "classification", "text", (64,), tasks.AUTHORS, 400,
    "lines of 8 Shakespeare plays and of Milton's Paradise Lost and Paradise Regained, Project Gutenberg, "
    "public domain (nnplay.data.corpora); half from each author, characters after a <cls> token, padded",
    ("n_samples", "seq_len"), vocab=tasks.AUTHORS_VOCAB)
DATASETS["dates"] = DatasetInfo(
    "dates", "Dates in words to ISO (encoder-decoder)", "sequence_labelling", "text",
    (dates.SOURCE_LEN + dates.TARGET_LEN,), dates.VOCAB, 400,
    "synthetic (nnplay.data.dates): a date of 1950-2049 written out ('6 december 2026', 'dec 6, 2026') "
    "-> '2026-12-06'; each example is 18 source characters (padded) then the target shifted right "
    "(teacher forcing); known alignment: year digits, month name, day digits",
    ("n_samples",), target_shape=(dates.TARGET_LEN,), vocab=dates.VOCAB)


def _sequence_info(spec: DatasetSpec, info: DatasetInfo) -> DatasetInfo:
    """``info`` with the shapes, counts and vocabulary that ``spec``'s options give.

    Raises SpecError at ``dataset.window`` / ``dataset.seq_len`` for options the data cannot meet, and
    at ``dataset.missing_fraction`` / ``dataset.impute``, which apply to feature tables only."""
    _check_no_missing(spec)
    name, steps = spec.name, spec.resolved_seq_len()
    if name in SERIES:
        window = spec.resolved_window()
        n_train, n_test = series.check_window(name, window, spec.horizon, spec.test_fraction)
        return replace(info, input_shape=(window, 1), target_shape=(spec.horizon,), n_samples=n_train + n_test)
    if name == "adding":
        return replace(info, input_shape=(steps, 2), n_samples=spec.n_samples)
    if name == "copy":
        _check_copy(steps)
        return replace(info, input_shape=(steps,), target_shape=(steps,), n_samples=spec.n_samples)
    if name in DIGIT_TASKS:
        return replace(info, input_shape=(steps,), target_shape=(steps,), n_samples=spec.n_samples)
    if name in TEXT_CLASSIFICATION:
        return replace(info, input_shape=(steps,), n_samples=spec.n_samples)
    if name in TRANSLATION:
        if spec.seq_len is not None:
            raise SpecError(("dataset", "seq_len"), f"'{name}' has fixed sequences of {info.input_shape[0]} tokens "
                            f"({info.input_shape[0] - info.target_shape[0]} source, {info.target_shape[0]} target); "
                            "leave seq_len out")
        return replace(info, n_samples=spec.n_samples)
    vocab = text.vocabulary(name, spec.test_fraction)
    n_train, n_test = text.counts(name, steps, spec.test_fraction)
    return replace(info, input_shape=(steps,), target_shape=(steps,), classes=vocab, vocab=vocab,
                   n_samples=n_train + n_test)


def _check_no_missing(spec: DatasetSpec) -> None:
    if spec.missing_fraction > 0:
        raise SpecError(("dataset", "missing_fraction"), f"'{spec.name}' is sequence data; missing_fraction "
                        "applies to feature tables and images only: set it to 0")
    if spec.impute == "mean_with_indicator":
        raise SpecError(("dataset", "impute"), f"'{spec.name}' is sequence data without missing values; "
                        "impute 'mean_with_indicator' does not apply: use 'mean'")


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
    elif spec.name in TEXT_CLASSIFICATION:
        parts = tasks.authors_split(spec.n_samples, spec.resolved_seq_len(), spec.test_fraction, spec.seed)
    elif spec.name in TRANSLATION:
        parts = dates.dates_parts(spec.n_samples, spec.test_fraction, spec.seed)
    else:
        parts = _memory_parts(spec)
    as_x = _ids if info.kind == "text" else _float
    as_y = _float if info.task == "regression" else _ids
    meta = {k: v for k, v in parts.items() if not k.startswith(("x_", "y_")) and k != "vocab"}
    x_tr = as_x(parts["x_train"])
    return Split(info, x_tr, as_y(parts["y_train"]), as_x(parts["x_test"]), as_y(parts["y_test"]),
                 total_values=x_tr.numel(), meta=meta)


def _float(a) -> torch.Tensor:
    return torch.as_tensor(np.asarray(a), dtype=torch.float32)


def _ids(a) -> torch.Tensor:
    return torch.as_tensor(np.asarray(a), dtype=torch.int64)


def _memory_parts(spec: DatasetSpec) -> dict:
    """One seeded draw of ``n_samples`` examples (memory and digit tasks), the last ``test_fraction`` of
    them for testing."""
    if spec.name in DIGIT_TASKS:
        x, y = tasks.digit_task(spec.name, spec.n_samples, spec.resolved_seq_len(), spec.seed)
    else:
        make = memory.adding if spec.name == "adding" else memory.copy
        x, y = make(spec.n_samples, spec.resolved_seq_len(), spec.seed)
    cut = spec.n_samples - int(np.ceil(spec.n_samples * spec.test_fraction))
    return {"x_train": x[:cut], "y_train": y[:cut], "x_test": x[cut:], "y_test": y[cut:]}
