"""TrainingSpec: optimizer, loss, schedule of epochs and batches, clipping, seed, probe cadence."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Optimizer = Literal["sgd", "adagrad", "rmsprop", "adam", "adamw"]
Loss = Literal["cross_entropy", "mse", "bce_with_logits"]


class TrainingSpec(BaseModel):
    """How to train.

    - ``lr``: learning rate per optimizer step.
    - ``momentum`` / ``nesterov``: used by ``sgd`` (and ``momentum`` by ``rmsprop``).
    - ``weight_decay``: L2 penalty coefficient (decoupled for ``adamw``, Loshchilov & Hutter 2019).
    - ``batch_size``: examples per step, or ``"full"`` for batch gradient descent (one step per epoch).
    - ``grad_clip``: maximum global L2 norm of the gradient (``torch.nn.utils.clip_grad_norm_``);
      ``null`` disables clipping.
    - ``probe_every``: optimizer steps between two probe snapshots (feature maps, gates ...).
    - ``temperature`` / ``sample_length``: the text samples of a character language model (> 0; lower is
      more conservative, 1 samples the model's own distribution).
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)

    optimizer: Optimizer = "adam"
    lr: float = Field(0.001, gt=0.0, le=10.0)
    momentum: float = Field(0.0, ge=0.0, lt=1.0)
    nesterov: bool = False
    weight_decay: float = Field(0.0, ge=0.0, le=10.0)
    loss: Loss = "cross_entropy"
    epochs: int = Field(10, ge=1, le=100_000, description="Also capped by the server's max_epochs.")
    batch_size: Annotated[int, Field(ge=1, le=1_000_000)] | Literal["full"] = 32
    grad_clip: float | None = Field(None, gt=0.0, le=1e6)
    seed: int = Field(0, ge=0, le=2**31 - 1)
    probe_every: int = Field(20, ge=1, le=1_000_000)
    temperature: float = Field(0.8, gt=0.0, le=10.0, description="Sampling temperature of the text samples "
                               "a character model generates at each probe: softmax(logits / temperature).")
    sample_length: int = Field(200, ge=1, le=2000, description="Characters per generated text sample.")

    @model_validator(mode="after")
    def _nesterov_needs_momentum(self) -> "TrainingSpec":
        if self.nesterov and (self.optimizer != "sgd" or self.momentum == 0):
            raise ValueError("nesterov needs optimizer 'sgd' with momentum > 0")
        return self
