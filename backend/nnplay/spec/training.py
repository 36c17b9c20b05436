"""TrainingSpec: optimizer, loss, schedule of epochs and batches, clipping, seed, probe cadence."""

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from nnplay.spec.active import ActiveSpec

Optimizer = Literal["sgd", "adagrad", "rmsprop", "adam", "adamw"]
Loss = Literal["cross_entropy", "mse", "bce_with_logits"]
_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)


class NoSchedule(BaseModel):
    """A constant learning rate (unless changed live)."""

    model_config = _STRICT
    type: Literal["none"] = "none"


class StepSchedule(BaseModel):
    """``torch.optim.lr_scheduler.StepLR``: the lr is multiplied by ``gamma`` every ``step_size`` epochs."""

    model_config = _STRICT
    type: Literal["step"] = "step"
    step_size: int = Field(10, ge=1, le=100_000, description="Epochs between two decays.")
    gamma: float = Field(0.5, gt=0.0, le=1.0, description="Factor applied to the lr at each decay.")


class CosineSchedule(BaseModel):
    """``torch.optim.lr_scheduler.CosineAnnealingLR`` with ``T_max`` = ``epochs``: epoch ``e`` (1-based)
    trains at ``eta_min + (lr - eta_min) (1 + cos(pi (e - 1) / epochs)) / 2`` (Loshchilov & Hutter,
    "SGDR", 2017, without restarts)."""

    model_config = _STRICT
    type: Literal["cosine"] = "cosine"
    eta_min: float = Field(0.0, ge=0.0, le=10.0, description="The lr the cosine decays towards.")


class AugmentSpec(BaseModel):
    """``training.augment``: random small moves of each training image, drawn afresh every epoch (the
    test part and the probes see the images as they are). Each example gets a translation of ``dx``,
    ``dy`` whole pixels, each uniform in ``[-shift, shift]``, and a rotation about the image centre by an
    angle uniform in ``[-rotate, rotate]`` degrees; pixels moved in from outside repeat the border (the
    background of a digit). Image data sets ``(C, H, W)`` only. The classic use: Simard, Steinkraus &
    Platt (2003), "Best practices for convolutional neural networks applied to visual document
    analysis", and AlexNet's random crops (Krizhevsky et al. 2012) make more training images out of few.
    Implemented in ``nnplay.train.augment``."""

    model_config = _STRICT
    shift: int = Field(0, ge=0, le=8, description="Largest translation in pixels along each axis.")
    rotate: float = Field(0.0, ge=0.0, le=45.0, description="Largest rotation in degrees, either way.")

    @model_validator(mode="after")
    def _moves_something(self) -> "AugmentSpec":
        if self.shift == 0 and self.rotate == 0:
            raise ValueError("shift and rotate are both 0: give one of them, or leave augment out (null)")
        return self


LR_SCHEDULE_TYPES = ("none", "step", "cosine")
LrSchedule = Annotated[Union[NoSchedule, StepSchedule, CosineSchedule], Field(discriminator="type")]


class LiveSettings(BaseModel):
    """Settings that may change while a job runs (``POST /api/jobs/{id}/settings``). Only the fields
    given change; the loop applies them between two optimizer steps and records a ``settings``
    message, so the stored history shows the step at which they changed.

    - ``lr``: the learning rate from the next step on. With an ``lr_schedule`` the schedule goes on
      from the new value (torch's schedulers are chainable: later decays multiply it).
    - ``grad_clip``: the maximum global L2 norm of the gradient from the next step on; ``null``
      switches clipping off (a number switches it on).
    - ``max_steps_per_s``: slow motion, at most this many optimizer steps a second from the next step
      on; ``null`` lets the run go as fast as the machine does.

    To add a setting: a field here (optional, ranged; a ``before`` validator if null is not a value),
    then either ``nnplay.train.optim.apply_live`` (what the optimizer holds) or a read of
    ``live.get(name, spec_value)`` in the loop (``live`` is kept in checkpoints); in the page, ``live:
    true`` on its settings-panel field gives it a "set live" button.
    """

    model_config = _STRICT
    lr: float | None = Field(None, gt=0.0, le=10.0)
    grad_clip: float | None = Field(None, gt=0.0, le=1e6, description="null: clipping off")
    max_steps_per_s: float | None = Field(None, gt=0.0, le=10_000.0, description="null: full speed")

    @field_validator("lr", mode="before")
    @classmethod
    def _not_null(cls, value):
        if value is None:
            raise ValueError("a number is expected, not null")
        return value

    @model_validator(mode="after")
    def _something_changes(self) -> "LiveSettings":
        if not self.model_fields_set:
            raise ValueError(f"give at least one of: {', '.join(type(self).model_fields)}")
        return self

    def changes(self) -> dict:
        """The fields given (and only those), as a plain dict."""
        return {k: getattr(self, k) for k in sorted(self.model_fields_set)}


class TrainingSpec(BaseModel):
    """How to train.

    - ``lr``: learning rate per optimizer step.
    - ``momentum`` / ``nesterov``: used by ``sgd`` (and ``momentum`` by ``rmsprop``).
    - ``weight_decay``: L2 penalty coefficient (decoupled for ``adamw``, Loshchilov & Hutter 2019):
      minimising ``loss + weight_decay/2 ||w||^2`` is MAP with a Gaussian prior on the weights.
    - ``l1``: L1 penalty ``l1 * ||w||_1`` added to the loss (a Laplace prior on the weights), over
      every trainable parameter, like ``weight_decay``.
    - ``lr_schedule``: ``{"type": "none"}``, ``{"type": "step", "step_size", "gamma"}`` or
      ``{"type": "cosine", "eta_min"}``; the scheduler steps once per epoch.
    - ``batch_size``: examples per step, or ``"full"`` for batch gradient descent (one step per epoch).
    - ``grad_clip``: maximum global L2 norm of the gradient (``torch.nn.utils.clip_grad_norm_``);
      ``null`` disables clipping.
    - ``max_steps_per_s``: slow motion for watching a small net learn (the playground's opening
      preset): the loop waits after a step until 1 / max_steps_per_s seconds have passed since it
      began; ``null`` (default): full speed. Live-changeable; a pause, stop or change ends a wait at
      once. Paces every job (the one loop, ``nnplay.train.engine``), word2vec's included.
    - ``probe_every``: optimizer steps between two probe snapshots (feature maps, gates ...); left out
      (null), a time budget: at most ``NNPLAY_PROBE_FPS`` snapshots a second, at most
      ``NNPLAY_PROBE_SHARE`` of the run's time (``nnplay.train.cadence``).
    - ``temperature`` / ``sample_length``: the text samples of a character language model (> 0; lower is
      more conservative, 1 samples the model's own distribution).
    - ``augment``: null (off), or random translations / rotations of the training images
      (:class:`AugmentSpec`, image data only).
    - ``active``: null, or an active-learning run (:class:`nnplay.spec.active.ActiveSpec`): rounds of
      training on a growing labelled part of the pool instead of ``epochs`` over all of it.
    """

    model_config = _STRICT

    optimizer: Optimizer = "adam"
    lr: float = Field(0.001, gt=0.0, le=10.0)
    momentum: float = Field(0.0, ge=0.0, lt=1.0)
    nesterov: bool = False
    weight_decay: float = Field(0.0, ge=0.0, le=10.0)
    l1: float = Field(0.0, ge=0.0, le=10.0)
    lr_schedule: LrSchedule = Field(default_factory=NoSchedule)
    loss: Loss = "cross_entropy"
    epochs: int = Field(10, ge=1, le=100_000, description="Also capped by the server's max_epochs.")
    batch_size: Annotated[int, Field(ge=1, le=1_000_000)] | Literal["full"] = 32
    grad_clip: float | None = Field(None, gt=0.0, le=1e6)
    max_steps_per_s: float | None = Field(None, gt=0.0, le=10_000.0, description="Slow motion: at most this "
                                          "many optimizer steps a second (null: full speed).")
    seed: int = Field(0, ge=0, le=2**31 - 1)
    probe_every: int | None = Field(None, ge=1, le=1_000_000)
    temperature: float = Field(0.8, gt=0.0, le=10.0, description="Sampling temperature of the text samples "
                               "a character model generates at each probe: softmax(logits / temperature).")
    sample_length: int = Field(200, ge=1, le=2000, description="Characters per generated text sample.")
    augment: AugmentSpec | None = Field(None, description="Random shifts and rotations of the training images "
                                        "(image data only); null: off")
    active: ActiveSpec | None = Field(None, description="Active learning: train round by round on a growing "
                                      "labelled part of the pool (nnplay.spec.active)")

    @model_validator(mode="after")
    def _nesterov_needs_momentum(self) -> "TrainingSpec":
        if self.nesterov and (self.optimizer != "sgd" or self.momentum == 0):
            raise ValueError("nesterov needs optimizer 'sgd' with momentum > 0")
        return self
