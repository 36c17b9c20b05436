"""Layer networks trained through the one loop: pure, synchronous and seeded.

``train`` runs a ``LayerTask`` (this module: batches, forward, objective, backward, clipping, gradient
events, epoch evaluation) through ``nnplay.train.engine.run`` (the control gate, pause, single step,
stop, live settings, slow motion, step-metrics windows, probe cadence, checkpoints, resume and
divergence, shared by every kind of job). It knows nothing of sockets or databases: it reports through
``emit(event)`` with plain, JSON-ready dicts, polls ``should_stop()`` between steps and passes a
``RunControl`` gate before each step (see ``nnplay.train.control``). Events:

- ``{"type": "metrics", "scope": "step", "step", "epoch", "train_loss", "lr", "l2_penalty",
  "l1_penalty"}``: ``train_loss`` is the mean data term (negative log-likelihood in nats for the
  likelihood losses, squared error for ``mse``) over the steps since the previous step event; one
  event per step when an epoch has at most ``STEP_POINTS_PER_EPOCH`` steps, and one for every single
  step taken while paused. ``lr`` is the learning rate the step used. The penalties are the prior
  terms at the weights after the step (``nnplay.train.optim.penalties``): the objective minimised is
  ``train_loss + l2_penalty + l1_penalty``.
- ``{"type": "metrics", "scope": "epoch", "step", "epoch", "train_loss", "train_accuracy",
  "test_loss", "test_accuracy", "lr", "l2_penalty", "l1_penalty"}``: train figures are the running
  means over the epoch's batches (as Keras reports them); test figures are computed in eval mode over
  the whole test part. For regression the accuracies are ``None`` and ``train_r2`` / ``test_r2``
  (coefficient of determination, ``1 - MSE / Var(y)`` of that part) are added.
- ``{"type": "settings", "step", "epoch", "changes"}``: live settings (``LiveSettings``) applied
  before step ``step + 1``.
- ``{"type": "data_info", ...}`` once before training (not on resume): the split's sizes and the
  missing values (see ``data_info_event``).
- ``{"type": "gradients", "step", "epoch", "layers", "layer_types", "norms", "total_norm", "grad_clip",
  "clipped_steps"}``: the L2 norm of each trainable layer's gradient and the global norm (before
  clipping), with the clipping threshold in force (a live change included) and how many steps so far
  it clipped; with a step's metrics when the engine says it reports (``nnplay.train.engine``: every
  one with ``probe_every``, else at most ``GRADIENTS_PER_S`` a second, the first and the run's last
  always, every single step). A non-finite gradient norm ends the run ``diverged`` at that step,
  before the step is taken, where the norm is measured: at every step with ``grad_clip``, at the
  reported steps without (there a non-finite gradient shows as a non-finite loss one step later).
- probe events (see ``nnplay.train.probing``) at step 0, every ``probe_every`` steps (or on the time
  budget of ``nnplay.train.cadence`` when the spec gives none), when the run
  pauses, after every single step and at the end: ``feature_maps`` for image data; ``data_points``
  (once), ``decision_boundary`` and ``neuron_maps`` for 2-D data; ``gates``, ``time_gradients``,
  ``forecast`` and ``text_sample`` for sequence and text data.

The ``lr_schedule`` scheduler steps at the end of every epoch (after its epoch metrics).

With ``training.augment`` each epoch draws one random move per training image from the batch-order
generator after its shuffle, and each batch trains on its images moved (``nnplay.train.augment``); the
train figures are then those of the moved images, the test figures and probes those of the images as
they are.

A non-finite loss is reported as ``None`` and ends the run with status ``diverged``.

Checkpoints: ``checkpoint(state)`` is called at an epoch's end once the last one is
``nnplay.train.engine.CHECKPOINT_SECONDS`` old (the first and the last epoch's end always) and when a
stop request ends the run; ``state`` (tensors, numbers and lists only, loadable with ``torch.load(weights_only=True)``)
holds the model, optimizer and scheduler state dicts, the live settings changed so far, the position (``epoch``, ``batch_index``, ``step``), the
batch-order generator's state at the start of that epoch, torch's RNG state and the epoch's running
sums. ``train(..., resume=state)`` continues from that position: the same batches follow and step
numbers continue without a gap or repeat.
"""

import math
import threading
from collections.abc import Callable

import torch
from torch import nn

from nnplay.data import Split, load
from nnplay.nn import build_network
from nnplay.probes.arrays import finite_or_none
from nnplay.settings import get_settings
from nnplay.probes.gradients import GradNorms, trainable_layers
from nnplay.train.augment import apply_moves, draw_moves
from nnplay.spec.network import JobSpec
from nnplay.train.control import RunControl
from nnplay.train.engine import STEP_POINTS_PER_EPOCH, Position, StepDiverged, TrainResult, TrainTask, train_with
from nnplay.train.optim import (RunningCorrect, apply_live, current_lr, l1_norm, loss_fn, make_optimizer,
                                make_scheduler, n_correct, penalties, r_squared, reconstruction_loss)
from nnplay.train.probing import Probe

EVAL_CHUNK = 1024
_INIT_LOCK = threading.Lock()  # torch's global RNG seeds initial weights; one job at a time


def seeded_model(spec: JobSpec, input_shape: tuple, device: torch.device,
                 vocab_size: int | None = None, pad_id: int | None = None) -> nn.Sequential:
    """Builds the network with initial weights fixed by ``training.seed``; ``vocab_size`` for text data,
    ``pad_id`` for padded text (masked in attention and pooling)."""
    with _INIT_LOCK:
        torch.manual_seed(spec.training.seed)
        return build_network(spec.network, input_shape, vocab_size, pad_id=pad_id).to(device)


def objective(loss_name: str, reconstruct: bool, out: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The batch's mean loss: against the targets ``y``, or against the input ``x`` when ``reconstruct``
    (``dataset.target`` ``"input"``; mse)."""
    return reconstruction_loss(out, x) if reconstruct else loss_fn(loss_name, out, y)


def evaluate(model: nn.Module, loss_name: str, x: torch.Tensor, y: torch.Tensor,
             reconstruct: bool = False) -> tuple[float, float | None]:
    """Mean loss and accuracy of ``model`` on ``x`` ``(N, ...)``, ``y`` ``(N,)``, eval mode, no_grad;
    the accuracy is None for regression targets ``(N, 1)`` and for a reconstruction. Per-step targets
    ``(N, T)`` give the loss per step and the accuracy over every step."""
    was_training, total_loss, correct = model.training, 0.0, 0
    model.eval()
    with torch.no_grad():
        for start in range(0, len(x), EVAL_CHUNK):
            xb, yb = x[start:start + EVAL_CHUNK], y[start:start + EVAL_CHUNK]
            logits = model(xb)
            total_loss += objective(loss_name, reconstruct, logits, xb, yb).item() * len(logits)
            correct += 0 if reconstruct else n_correct(logits, yb)
    model.train(was_training)
    return total_loss / len(x), None if reconstruct or y.is_floating_point() else correct / len(x)


def data_info_event(split: Split, spec: JobSpec) -> dict:
    """``data_info``: task, split sizes, input shape, and the feature values missing (``missing`` of
    ``total_values``, ``removed`` of them by ``missing_fraction``) with the imputation used."""
    total = split.total_values
    return {"type": "data_info", "step": 0, "dataset": spec.dataset.name, "task": split.info.task,
            "n_train": len(split.x_train), "n_test": len(split.x_test),
            "input_shape": list(split.info.input_shape), "missing": split.missing, "removed": split.removed,
            "total_values": total, "missing_fraction": split.missing / total if total else 0.0,
            "impute": spec.dataset.impute, **batch_plan(len(split.x_train), spec.training.batch_size)}


def batch_plan(n_train: int, batch_size: int | str) -> dict:
    """``batch_size`` (examples per step, ``"full"`` = ``n_train``), ``batches_per_epoch`` and
    ``last_batch_merged``: a last batch of one example joins the one before it (see ``_batches``)."""
    size = n_train if batch_size == "full" else min(batch_size, n_train)
    count = -(-n_train // size) if n_train else 0
    merged = count > 1 and n_train % size == 1
    return {"batch_size": size, "batches_per_epoch": count - merged, "last_batch_merged": merged}


def epoch_figures(sums: list, test_loss: float, test_acc: float | None, variances: tuple | None,
                  reconstruct: bool = False, target_scale: float = 1.0) -> dict:
    """The epoch's train/test loss and accuracy (classification; None for a reconstruction) or R^2 and
    the test RMSE in data units (regression, ``variances`` = (Var(y_train), Var(y_test)) of the targets
    as trained; ``target_scale``: data units per trained unit, a standardised series' std)."""
    ep_loss, ep_correct, ep_n = sums[:3]
    out = {"train_loss": finite_or_none(ep_loss / ep_n), "test_loss": finite_or_none(test_loss),
           "train_accuracy": None if variances or reconstruct else ep_correct / ep_n, "test_accuracy": test_acc}
    if variances:
        out["train_r2"] = r_squared(out["train_loss"], variances[0])
        out["test_r2"] = r_squared(out["test_loss"], variances[1])
        out["test_rmse"] = None if out["test_loss"] is None else math.sqrt(out["test_loss"]) * target_scale
    return out


def clip_gradients(params: list[torch.Tensor], clip: float | None, total: float) -> None:
    """With ``clip`` set, scale the parameters' gradients down to that global L2 norm
    (``torch.nn.utils.clip_grads_with_norm_``, given their norm ``total`` before clipping), unless
    ``total`` is not finite (then they are left as they are: the run ends)."""
    if clip is not None and math.isfinite(total):
        nn.utils.clip_grads_with_norm_(params, clip, torch.tensor(total))


def _batches(n: int, batch_size: int, gen: torch.Generator) -> list[torch.Tensor]:
    """Shuffled index batches covering ``range(n)`` once. A last batch of one example joins the one
    before it (batch norm cannot normalise a batch of one in training mode)."""
    batches = list(torch.randperm(n, generator=gen).split(batch_size))
    if len(batches) > 1 and len(batches[-1]) == 1:
        batches[-2:] = [torch.cat(batches[-2:])]
    return batches


def _gradients_event(step: int, epoch: int, clipped: int, watched: list[int], layer_types: list[str],
                     norms: list[float], grad_clip: float | None) -> dict:
    """The ``gradients`` event of step ``step``: per-layer norms and the global norm (before clipping),
    the clipping threshold and the clipped-step count so far."""
    total = math.sqrt(sum(n * n for n in norms))
    return {"type": "gradients", "step": step, "epoch": epoch, "layers": watched,
            "layer_types": layer_types, "norms": [finite_or_none(v) for v in norms],
            "total_norm": finite_or_none(total), "grad_clip": grad_clip, "clipped_steps": clipped}


class LayerTask(TrainTask):
    """A layer network on a data split, for ``nnplay.train.engine.run``; see the module docstring.

    ``Position.sums``: ``[loss_sum, correct, examples]`` of the epoch (loss summed over examples), then
    the step window. Checkpoints hold the model, optimizer and scheduler state dicts, the position,
    the batch-order generator's state at the start of the epoch, torch's RNG state, the sums, the
    last epoch's figures, the live settings and the clipped-step count."""

    def __init__(self, spec: JobSpec, emit: Callable[[dict], None], split: Split, dev: torch.device,
                 probe_limits: tuple):
        """``probe_limits``: ``Probe``'s arguments after the device (built after the model, whose seeded
        initialisation comes first)."""
        super().__init__(spec, emit)
        t = self.training
        self.split = split
        self.x_tr, self.y_tr = split.x_train.to(dev), split.y_train.to(dev)
        self.x_te, self.y_te = split.x_test.to(dev), split.y_test.to(dev)
        self.variances = ((float(self.y_tr.var(unbiased=False)), float(self.y_te.var(unbiased=False)))
                          if self.y_tr.is_floating_point() else None)  # regression: R^2 = 1 - MSE / Var(y)
        self.model = seeded_model(spec, split.info.input_shape, dev, split.info.vocab_size, split.info.pad_id)
        self.model.train()
        self.params = [p for p in self.model.parameters() if p.requires_grad]
        self.opt = make_optimizer(self.model.parameters(), t)
        self.sched = make_scheduler(self.opt, t)
        self.gen = torch.Generator().manual_seed(t.seed)
        self.gen_state = self.gen.get_state()  # at the start of the epoch at hand (resuming replays it)
        self.probe = Probe(spec, split, probe_limits[0], dev, *probe_limits[1:])
        self.watched = trainable_layers(self.model)
        self.norms = GradNorms(self.model, self.watched, self.params)
        self.layer_types = [spec.network.layers[i].type for i in self.watched]
        self.batch_size = len(self.x_tr) if t.batch_size == "full" else min(t.batch_size, len(self.x_tr))
        self.log_every = max(1, math.ceil(math.ceil(len(self.x_tr) / self.batch_size) / STEP_POINTS_PER_EPOCH))
        self.reconstruct = spec.dataset.target == "input"
        self.batches, self.moves, self.clipped = [], None, 0  # clipped: steps whose gradient grad_clip scaled down
        self.correct = RunningCorrect()  # the epoch's right predictions not yet in ``Position.sums``

    @classmethod
    def from_spec(cls, spec: JobSpec, emit: Callable[[dict], None], *, split: Split | None = None,
                  device: str = "cpu", max_channels: int = 16, data_dir: str | None = None, max_units: int = 16,
                  unit_resolution: int = 32, max_message_kb: float | None = None, **_ignored) -> "LayerTask":
        """Options as ``train``'s (the split loaded unless given)."""
        dev = torch.device(device)
        split = split or load(spec.dataset, data_dir)
        limit_kb = get_settings().max_message_kb if max_message_kb is None else max_message_kb
        return cls(spec, emit, split, dev, (max_channels, max_units, unit_resolution, limit_kb))

    def start_events(self) -> list[dict]:
        return [data_info_event(self.split, self.spec)] + self.probe.start_events()

    def epoch_sums(self) -> list:
        return [0.0, 0, 0]

    def begin_epoch(self, pos: Position) -> tuple[int, int]:
        self.gen_state = self.gen.get_state()  # (before this epoch's shuffle)
        self.batches = _batches(len(self.x_tr), self.batch_size, self.gen)
        augment = self.training.augment  # (N, 3): this epoch's image moves
        self.moves = draw_moves(len(self.x_tr), augment, self.gen) if augment else None
        return len(self.batches), self.log_every

    def step(self, pos: Position, report: bool) -> float:
        idx = self.batches[pos.batch_index]
        xb, yb = self.x_tr[idx], self.y_tr[idx]
        xb = xb if self.moves is None else apply_moves(xb, self.moves[idx])  # training.augment: moved images
        t, opt, params = self.training, self.opt, self.params
        opt.zero_grad(set_to_none=True)
        logits = self.model(xb)
        loss = objective(t.loss, self.reconstruct, logits, xb, yb)  # the data term (mean NLL or squared error)
        value = loss.item()
        if not math.isfinite(value):
            return value
        (loss + t.l1 * l1_norm(params) if t.l1 else loss).backward()
        clip = self.live.get("grad_clip", t.grad_clip)  # a live change wins over the spec (null: off)
        if report or clip is not None:  # (a step that neither reports nor clips needs no norm)
            self.measure_gradients(pos, report, clip, value)
        opt.step()
        sums = pos.sums
        n = idx.shape[0]  # (not len(): a Python-level Tensor method, ~0.4% of a LeNet run)
        sums[0] += value * n
        sums[1] += 0 if self.reconstruct else self.correct.add(logits, yb)  # (counted in windows)
        sums[2] += n
        return value

    def measure_gradients(self, pos: Position, report: bool, clip: float | None, loss: float) -> None:
        """The gradient norms before clipping (per layer when ``report``, then emitted); clip to ``clip``.
        Raises ``StepDiverged`` on a non-finite norm: stepping would write inf/NaN weights."""
        norms, total = self.norms.measure(report)
        if not math.isfinite(total):
            raise StepDiverged(loss, f"the gradient norm became non-finite ({total}) at step {pos.step + 1}")
        clip_gradients(self.params, clip, total)
        self.clipped += clip is not None and total > clip
        if report:
            self.emit(_gradients_event(pos.step + 1, pos.epoch, self.clipped, self.watched, self.layer_types, norms, clip))

    def lr(self) -> float:
        return current_lr(self.opt)

    def step_fields(self) -> dict:
        l2, l1 = penalties(self.params, self.training)  # the prior terms at the weights now
        return {"l2_penalty": l2, "l1_penalty": l1}

    def end_epoch(self, pos: Position) -> tuple[dict, dict, bool]:
        """Test figures in eval mode; the scheduler steps (the next epoch's lr) unless they diverged."""
        t = self.training
        pos.sums[1] += self.correct.take()
        test_loss, test_acc = evaluate(self.model, t.loss, self.x_te, self.y_te, self.reconstruct)
        figures = epoch_figures(pos.sums, test_loss, test_acc, self.variances, self.reconstruct,
                                self.split.meta.get("std", 1.0))
        fields = {"lr": self.lr(), **self.step_fields(), **figures}
        finite = figures["test_loss"] is not None
        if finite and self.sched is not None:
            self.sched.step()
        self.gen_state = self.gen.get_state()  # the next epoch starts here
        return fields, {**figures, "epochs_done": pos.epoch, "steps": pos.step}, finite

    def probe_events(self, step: int, epoch: int) -> list[dict]:
        return self.probe.events(self.model, step, epoch)

    def apply_live(self, values: dict, pos: Position) -> dict:
        apply_live(values, self.opt, self.sched)  # what the optimizer holds (lr); the rest is read each step
        return values

    def state(self, pos: Position, final: dict) -> dict:
        pos.sums[1] += self.correct.take()  # (a stop mid-epoch keeps the count so far)
        return {"model": self.model.state_dict(), "optimizer": self.opt.state_dict(), "epoch": pos.epoch,
                "batch_index": pos.batch_index, "step": pos.step, "sums": list(pos.sums),
                "gen_state": self.gen_state, "torch_rng": torch.get_rng_state(), "final": dict(final),
                "scheduler": self.sched.state_dict() if self.sched else None, "live": dict(self.live),
                "clipped": self.clipped}

    def restore(self, state: dict) -> tuple[Position, dict]:
        """The optimizer's state holds the lr in force (a live change, a scheduled decay); the
        scheduler's, where it is in its schedule."""
        self.model.load_state_dict(state["model"])
        self.opt.load_state_dict(state["optimizer"])
        if self.sched is not None and state.get("scheduler"):
            self.sched.load_state_dict(state["scheduler"])
        self.gen.set_state(state["gen_state"])
        torch.set_rng_state(state["torch_rng"])
        self.live, self.clipped = dict(state.get("live") or {}), state.get("clipped", 0)
        return Position(state["epoch"], state["batch_index"], state["step"], list(state["sums"])), state["final"]


def train(spec: JobSpec, emit: Callable[[dict], None], should_stop: Callable[[], bool] = lambda: False,
          *, split: Split | None = None, device: str = "cpu", max_channels: int = 16,
          checkpoint: Callable[[dict], None] | None = None, resume: dict | None = None,
          data_dir: str | None = None, control: RunControl | None = None, max_units: int = 16,
          unit_resolution: int = 32, max_message_kb: float | None = None, probe_fps: float | None = None,
          probe_share: float | None = None) -> TrainResult:
    """Train ``spec`` to the end, a stop request or divergence; see the module docstring for events.

    Same spec and seed give the same losses on CPU. ``split`` may be passed to reuse loaded data;
    ``resume`` is a state given earlier to ``checkpoint``; ``data_dir`` holds uploaded data sets;
    ``control`` pauses, single-steps, stops and changes settings of the run from another thread
    (``nnplay.train.control``). ``max_channels`` (feature maps), ``max_units`` and
    ``unit_resolution`` (neuron maps) cap the probes' messages; ``max_message_kb`` (None: the setting
    ``NNPLAY_MAX_MESSAGE_KB``) windows attention and gates (``nnplay.train.message_sizes``).
    ``probe_fps`` and ``probe_share`` (None: the settings) are the probe cadence's time budget when the
    spec gives no ``probe_every`` (``nnplay.train.cadence``).
    """
    return train_with(LayerTask, spec, emit, should_stop, split=split, device=device, max_channels=max_channels,
                      checkpoint=checkpoint, resume=resume, data_dir=data_dir, control=control, max_units=max_units,
                      unit_resolution=unit_resolution, max_message_kb=max_message_kb, probe_fps=probe_fps,
                      probe_share=probe_share)
