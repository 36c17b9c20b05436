"""Word2VecSpec: a word-embedding model (Mikolov et al. 2013) trained on a word corpus.

Unlike a layer list, a word2vec network is one fixed architecture with two weight matrices: the input
embeddings ``(V, D)`` (one row per vocabulary word: a one-hot input times this matrix selects the row)
and the output weights ``(V, D)``. ``skipgram`` predicts each context word from the centre word;
``cbow`` predicts the centre word from the mean of its context words. The output is either a full
softmax over the vocabulary (the textbook model, affordable for small vocabularies) or negative
sampling (``negatives`` noise words per positive pair, drawn from the unigram distribution raised to
0.75).

Sources: Mikolov, Chen, Corrado & Dean, "Efficient Estimation of Word Representations in Vector Space"
(2013); Mikolov, Sutskever, Chen, Corrado & Dean, "Distributed Representations of Words and Phrases and
their Compositionality" (2013), for negative sampling and frequent-word subsampling.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

DEFAULT_NEGATIVES = 5


class Word2VecSpec(BaseModel):
    """A word2vec model: ``{"type": "word2vec", "model", "embedding_dim", "window", ...}``."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)

    type: Literal["word2vec"]
    model: Literal["skipgram", "cbow"] = Field(
        "skipgram", description="'skipgram' predicts context words from the centre word; 'cbow' the centre "
                                "word from the mean of its context words")
    embedding_dim: int = Field(50, ge=2, le=1000, description="D, the length of each word vector")
    window: int = Field(5, ge=1, le=20, description="Largest distance (in words) between centre and context; "
                        "each centre word uses a window drawn uniformly from 1..window (dynamic window)")
    full_softmax: bool = Field(False, description="A softmax over the whole vocabulary instead of negative "
                               "sampling (the textbook model; cost grows with the vocabulary)")
    negatives: int | None = Field(None, ge=1, le=50, description=f"Noise words per positive pair (negative "
                                  f"sampling, unigram^0.75 noise); null = {DEFAULT_NEGATIVES} unless full_softmax")
    min_count: int = Field(5, ge=1, le=10_000, description="Words seen fewer times are dropped from the corpus")
    subsample: float = Field(1e-3, ge=0.0, le=1.0, description="Frequent-word subsampling threshold t: a word of "
                             "frequency f is kept with probability (sqrt(f/t) + 1) t/f (word2vec's C code); 0 = off")
    projection_words: int = Field(150, ge=10, le=1000, description="How many of the most frequent words the "
                                  "streamed 2-D projection shows")

    @field_validator("negatives")
    @classmethod
    def _one_output(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None and info.data.get("full_softmax"):
            raise ValueError("negatives and full_softmax exclude each other: the full softmax scores every "
                             "word, so there are no noise samples; set negatives to null or full_softmax to false")
        return value

    @property
    def n_negatives(self) -> int:
        """Noise words per positive pair; 0 with the full softmax."""
        return 0 if self.full_softmax else (self.negatives or DEFAULT_NEGATIVES)
