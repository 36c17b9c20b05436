"""DatasetSpec: which data set, how it is split, and the knobs of the synthetic 2-D sets."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DatasetName = Literal["digits", "iris", "wine", "breast_cancer", "circle", "xor", "gaussian", "spiral",
                      "shakespeare_words", "milton_words", "lee_words"]
TOY_2D: tuple[str, ...] = ("circle", "xor", "gaussian", "spiral")
WORD_CORPORA: tuple[str, ...] = ("shakespeare_words", "milton_words", "lee_words")


class DatasetSpec(BaseModel):
    """A data set by name, split into train and test parts by ``test_fraction`` with ``seed``.

    ``n_samples`` and ``noise`` apply to the synthetic 2-D sets (circle, xor, gaussian, spiral) only;
    ``noise`` is the standard deviation of Gaussian noise added to the points, in data units.
    ``target`` ``"input"`` trains the network to reproduce its input (an autoencoder): the labels are
    then only used to colour and score the learned codes. The word corpora (``shakespeare_words``, ``milton_words``, ``lee_words``) train word2vec networks
    on their whole token stream: ``test_fraction`` does not apply to them.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)

    name: DatasetName
    test_fraction: float = Field(0.2, ge=0.05, le=0.9)
    seed: int = Field(0, ge=0, le=2**31 - 1)
    n_samples: int = Field(400, ge=20, le=20_000)
    noise: float = Field(0.1, ge=0.0, le=2.0)
    target: Literal["label", "input"] = Field(
        "label", description="What the network is trained to output: 'label' (the class; classification) or "
                             "'input' (the example itself; reconstruction, e.g. an autoencoder, with loss mse)")
