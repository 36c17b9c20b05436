"""DatasetInfo: what ``GET /api/datasets`` lists about a data set (shapes exclude the batch dimension)."""

from dataclasses import dataclass, field

PAD = "<pad>"


@dataclass(frozen=True)
class DatasetInfo:
    """``task`` is ``classification`` or ``regression`` (then ``classes`` is empty and the target is one
    float, or ``target_shape`` floats), ``language_modeling`` or ``sequence_labelling`` (one class id per
    step, ``target_shape`` ``(T,)``); ``kind`` is ``image``, ``tabular``, ``toy1d``, ``toy2d``, ``sequence``
    (real values ``(T, F)``) or ``text`` (int64 token ids ``(T,)``; ``vocab`` names each id, id 0 first). ``scaled`` lists the feature
    columns standardised with training statistics (``None``: all of them; an uploaded set's one-hot
    columns stay 0/1). ``n_missing`` counts empty cells of an uploaded file."""

    name: str
    title: str
    task: str
    kind: str
    input_shape: tuple[int, ...]
    classes: tuple[str, ...]
    n_samples: int
    source: str
    params: tuple[str, ...] = field(default=())
    uploaded: bool = False
    features: tuple[str, ...] = field(default=())
    scaled: tuple[int, ...] | None = None
    n_missing: int = 0
    target_shape: tuple[int, ...] = field(default=())
    vocab: tuple[str, ...] = field(default=())

    @property
    def vocab_size(self) -> int | None:
        """Number of token ids for text data, None for real-valued input."""
        return len(self.vocab) if self.kind == "text" else None

    @property
    def pad_id(self) -> int | None:
        """The id of the ``<pad>`` token of a text set whose sequences are padded, else None: attention
        layers and sequence pooling mask those positions."""
        return self.vocab.index(PAD) if PAD in self.vocab else None
