"""DatasetSpec: which data set, how it is split, the knobs of the synthetic and sequence sets, and
missing values."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

WORD_CORPORA: tuple[str, ...] = ("shakespeare_words", "milton_words", "lee_words")
BUILTIN_NAMES: tuple[str, ...] = ("digits", "mnist", "iris", "wine", "breast_cancer", "circle", "xor", "gaussian",
                                  "spiral", "sine", "plane", "sunspots", "co2", "shakespeare_chars", "adding", "copy",
                                  "reverse", "sort", "authors", "dates", *WORD_CORPORA)
TOY_2D: tuple[str, ...] = ("circle", "xor", "gaussian", "spiral")
TOY_REGRESSION: tuple[str, ...] = ("sine", "plane")
GENERATED: tuple[str, ...] = TOY_2D + TOY_REGRESSION
NAME_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
Impute = Literal["mean", "zero", "mean_with_indicator"]
SERIES: tuple[str, ...] = ("sunspots", "co2")
MEMORY_TASKS: tuple[str, ...] = ("adding", "copy")
TEXT: tuple[str, ...] = ("shakespeare_chars",)
DIGIT_TASKS: tuple[str, ...] = ("reverse", "sort")
TEXT_CLASSIFICATION: tuple[str, ...] = ("authors",)
TRANSLATION: tuple[str, ...] = ("dates",)  # source then target side in one sequence (cross_attention)
DEFAULT_WINDOW = {"sunspots": 22, "co2": 24}
DEFAULT_SEQ_LEN = {"shakespeare_chars": 100, "adding": 50, "copy": 30, "reverse": 8, "sort": 8, "authors": 64}


class DatasetSpec(BaseModel):
    """A data set by name, split into train and test parts by ``test_fraction`` with ``seed``.

    ``name`` is a built-in set (``BUILTIN_NAMES``) or an uploaded one (``GET /api/datasets`` lists
    both); an unknown name is refused by the job check at ``dataset.name``.
    ``n_samples`` and ``noise`` apply to the generated sets (circle, xor, gaussian, spiral, sine, plane)
    only; ``noise`` is the standard deviation of Gaussian noise, in data units.
    ``missing_fraction``: share of feature values removed completely at random (seeded by ``seed``);
    ``impute`` fills them (and the empty cells of an uploaded CSV) with the training part's column mean,
    with 0 (in data units), or with the mean plus one 0/1 "was missing" indicator per feature (which
    doubles the input features: ``(2F,)``, or ``(2C, H, W)`` for images).
    ``n_samples`` is also the number of sequences of ``adding`` and ``copy`` (their presets use 4000).
    ``window`` and ``horizon``: time series (sunspots, co2): past values in, next values out (null
    window: 22 years for sunspots, 24 months for co2). Series are split chronologically.
    ``seq_len``: characters per sequence of ``shakespeare_chars`` (default 100), steps of ``adding``
    (default 50) and ``copy`` (default 30), digits of ``reverse`` and ``sort`` (default 8), tokens per
    line of ``authors`` (default 64: ``<cls>`` and up to 63 characters, padded). ``n_samples`` is also
    the number of sequences of ``reverse`` and ``sort``, of lines of ``authors`` and of ``dates`` (its
    sequences are 18 source + 10 target characters; ``seq_len`` does not apply).
    ``target`` ``"input"`` trains the network to reproduce its input (an autoencoder): the labels are
    then only used to colour and score the learned codes. The word corpora (``WORD_CORPORA`` and
    uploaded plain-text corpora) train word2vec networks on their whole token stream: ``test_fraction``
    does not apply to them.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)

    name: str = Field(pattern=NAME_PATTERN, description="A built-in data set or an uploaded one")
    test_fraction: float = Field(0.2, ge=0.05, le=0.9)
    seed: int = Field(0, ge=0, le=2**31 - 1)
    n_samples: int = Field(400, ge=20, le=20_000)
    noise: float = Field(0.1, ge=0.0, le=2.0)
    missing_fraction: float = Field(0.0, ge=0.0, le=0.9)
    impute: Impute = "mean"
    target: Literal["label", "input"] = Field(
        "label", description="What the network is trained to output: 'label' (the class; classification) or "
                             "'input' (the example itself; reconstruction, e.g. an autoencoder, with loss mse)")
    window: int | None = Field(None, ge=1, le=2000, description="Past values per example (time series).")
    horizon: int = Field(1, ge=1, le=100, description="Future values to predict (time series).")
    seq_len: int | None = Field(None, ge=2, le=1000, description="Steps per sequence (text, adding, copy).")

    def resolved_window(self) -> int:
        return self.window or DEFAULT_WINDOW.get(self.name, 1)

    def resolved_seq_len(self) -> int:
        return self.seq_len or DEFAULT_SEQ_LEN.get(self.name, 1)
