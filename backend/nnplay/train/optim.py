"""Optimizers, learning-rate schedules, losses and penalties by their standard names, all from torch."""

import torch
import torch.nn.functional as F
from torch.optim.lr_scheduler import CosineAnnealingLR, LRScheduler, StepLR

from nnplay.spec.training import TrainingSpec


def make_optimizer(params, spec: TrainingSpec) -> torch.optim.Optimizer:
    """``sgd`` (momentum, nesterov), ``adagrad``, ``rmsprop`` (momentum), ``adam``, ``adamw``.

    ``weight_decay`` is torch's: an L2 term added to the gradient, except ``adamw`` which decays the
    weights directly (Loshchilov & Hutter, "Decoupled Weight Decay Regularization", 2019).
    """
    lr, wd = spec.lr, spec.weight_decay
    if spec.optimizer == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=spec.momentum, nesterov=spec.nesterov, weight_decay=wd)
    if spec.optimizer == "adagrad":
        return torch.optim.Adagrad(params, lr=lr, weight_decay=wd)
    if spec.optimizer == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, momentum=spec.momentum, weight_decay=wd)
    if spec.optimizer == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=wd)
    return torch.optim.AdamW(params, lr=lr, weight_decay=wd)


def make_scheduler(opt: torch.optim.Optimizer, spec: TrainingSpec) -> LRScheduler | None:
    """The ``lr_schedule`` as a torch scheduler, stepped once per epoch; None for ``none``.

    ``step``: ``StepLR(step_size, gamma)``; ``cosine``: ``CosineAnnealingLR(T_max=epochs, eta_min)``.
    Both compute the next lr from the current one (torch's chainable form), so an lr changed by hand
    mid-run is decayed from there on.
    """
    sched = spec.lr_schedule
    if sched.type == "step":
        return StepLR(opt, step_size=sched.step_size, gamma=sched.gamma)
    if sched.type == "cosine":
        return CosineAnnealingLR(opt, T_max=spec.epochs, eta_min=sched.eta_min)
    return None


def apply_live(changes: dict, opt: torch.optim.Optimizer, scheduler: LRScheduler | None) -> None:
    """Apply the optimizer's part of ``LiveSettings.changes()``: ``lr`` becomes every parameter
    group's lr from the next step on (and the schedule's base lr). Settings the loop itself reads
    each step are not the optimizer's business and are ignored here."""
    if "lr" in changes:
        for group in opt.param_groups:
            group["lr"] = changes["lr"]
            if "initial_lr" in group:
                group["initial_lr"] = changes["lr"]
        if scheduler is not None:
            scheduler.base_lrs = [changes["lr"]] * len(opt.param_groups)


def current_lr(opt: torch.optim.Optimizer) -> float:
    """The lr the next step uses (of the first parameter group; nnplay uses one group)."""
    return float(opt.param_groups[0]["lr"])


def l1_norm(params) -> torch.Tensor:
    """``sum_i |w_i|`` over every parameter (a 0-d tensor that autograd can differentiate)."""
    return sum(p.abs().sum() for p in params)


def penalties(params, spec: TrainingSpec) -> tuple[float, float]:
    """The regularisation terms of the objective at the current weights, per example (they are added
    to the mean data loss), as ``(l2, l1)``:

    - ``l2 = weight_decay / 2 * ||w||_2^2``: its gradient ``weight_decay * w`` is what torch adds to the
      gradient; it is ``-log`` of a Gaussian prior ``N(0, 1 / (N * weight_decay))`` on each weight, per
      example and up to a constant (Bishop, PRML, 2006, sec. 3.3 / 5.5). For ``adamw`` the decay is
      applied outside Adam's scaling (decoupled), so the run is not exactly MAP with that prior; the
      same term is reported for comparison.
    - ``l1 = l1 * ||w||_1``: ``-log`` of a Laplace prior with scale ``1 / (N * l1)`` (Tibshirani, 1996).

    Zero when the coefficient is zero (maximum likelihood).
    """
    if not (spec.weight_decay or spec.l1):
        return 0.0, 0.0  # (every step event asks: maximum likelihood pays nothing)
    params = list(params)
    with torch.no_grad():
        l2 = spec.weight_decay / 2 * float(sum(p.pow(2).sum() for p in params)) if spec.weight_decay else 0.0
        l1 = spec.l1 * float(l1_norm(params)) if spec.l1 else 0.0
    return l2, l1


def loss_fn(name: str, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean loss of logits ``(N, K)`` against class ids ``y`` ``(N,)``, in nats for the likelihood losses;
    for regression, of predictions ``(N, 1)`` against float targets ``y`` ``(N, 1)`` (``mse`` only).

    ``cross_entropy``: negative log-likelihood of softmax(logits); per-step logits ``(N, T, K)`` with
    class ids ``(N, T)`` (language modelling) are flattened to ``(N*T, K)``, so the loss is nats per step
    (per character). ``mse``: squared error against one-hot targets, averaged over N*K entries, or against
    real-valued targets ``y`` of the logits' shape (forecasting), averaged over every entry.
    ``bce_with_logits``: with K == 1, binary cross-entropy of sigmoid(logit) for class 1; with K
    classes, against one-hot targets.
    """
    if y.is_floating_point():  # values (N, *target_shape): regression
        return F.mse_loss(logits, y)
    if logits.dim() == 3:  # (N, T, K) per-step logits, y (N, T)
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
    if name == "cross_entropy":
        return F.cross_entropy(logits, y)
    if logits.shape[1] == 1:
        return F.binary_cross_entropy_with_logits(logits[:, 0], y.float())
    target = F.one_hot(y, logits.shape[1]).to(logits.dtype)  # (N, K)
    if name == "mse":
        return F.mse_loss(logits, target)
    return F.binary_cross_entropy_with_logits(logits, target)


def reconstruction_loss(out: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Mean squared error of a reconstruction ``(N, ...)`` against the input ``(N, ...)`` (same number of
    values per example), averaged over all N*F values, in squared input units (standardised data)."""
    return F.mse_loss(out.flatten(1), x.flatten(1))


def n_correct(logits: torch.Tensor, y: torch.Tensor) -> float:
    """How many predictions match class ids ``y`` ``(N,)``; with per-step ids ``(N, T)`` each right step
    counts ``1/T`` of an example, so dividing by N gives the accuracy over every step; 0 for regression
    targets (float)."""
    return 0 if y.is_floating_point() else _matches(predict(logits), y)


def _matches(ids: torch.Tensor, y: torch.Tensor) -> float:
    """``n_correct`` of predicted ids ``(N,)`` or ``(N, T)`` against class ids of the same shape."""
    right = int((ids == y).sum())
    return right if y.dim() == 1 else right * len(y) / y.numel()


class RunningCorrect:
    """``n_correct`` summed over training steps, counted in windows: ``add`` keeps a step's predicted ids
    (one argmax) and counts the window once it holds ``window`` steps; ``take`` counts what waits. A
    LeNet step on digits takes ~1.5 ms; counting each step at once cost ~36 us of it (three small ops
    and a sync right after the step, their code and data out of the CPU's caches), a window ~6 us a
    step. At most ``window`` steps' ids wait (``(N,)`` or ``(N, T)`` longs each)."""

    def __init__(self, window: int = 64):
        self.window, self.ids, self.targets = window, [], []

    def add(self, logits: torch.Tensor, y: torch.Tensor) -> float:
        """Keep the step's predictions: ``logits`` ``(N, K)``, ``(N, 1)`` (one logit) or ``(N, T, K)``
        (per step) against class ids ``y`` ``(N,)`` or ``(N, T)`` (see :func:`predict`); returns the
        window's count (examples, ``1/T`` per right step) when it is full, else 0. Float ``y``
        (regression) keeps nothing."""
        if y.is_floating_point():
            return 0
        self.ids.append(predict(logits))  # (argmax keeps no autograd graph)
        self.targets.append(y)
        return self.take() if len(self.ids) >= self.window else 0

    def take(self) -> float:
        """The count of the steps kept since the last one (0 for none); they are let go."""
        ids, targets, self.ids, self.targets = self.ids, self.targets, [], []
        if not ids:
            return 0
        if all(t.shape[1:] == targets[0].shape[1:] for t in targets):  # (one T: 1/T per right step, summed)
            return _matches(torch.cat(ids), torch.cat(targets))
        return sum(_matches(i, t) for i, t in zip(ids, targets))


def r_squared(mse: float | None, target_variance: float) -> float | None:
    """Coefficient of determination ``1 - MSE / Var(y)`` (the share of the target's variance the model
    explains; 1 is perfect, 0 is predicting the mean); ``Var(y)`` is the population variance of the same
    targets, so this equals ``sklearn.metrics.r2_score``. None when undefined."""
    if mse is None or not target_variance > 0:
        return None
    return 1.0 - mse / target_variance


def predict(logits: torch.Tensor) -> torch.Tensor:
    """Predicted class ids ``(N,)``: argmax over K, or ``logit > 0`` for a single output; per-step
    logits ``(N, T, K)`` give ``(N, T)``."""
    if logits.dim() == 3:
        return logits.argmax(dim=2)
    if logits.shape[1] == 1:
        return (logits[:, 0] > 0).long()
    return logits.argmax(dim=1)


def accuracy(logits: torch.Tensor, y: torch.Tensor) -> float | None:
    """Fraction of class ids predicted right, over every example (and step, for ``(N, T)`` targets);
    None for real-valued targets (regression has no accuracy)."""
    return None if y.is_floating_point() else n_correct(logits, y) / len(y)


def probabilities(logits: torch.Tensor) -> torch.Tensor:
    """Class probabilities ``(N, K)`` (``(N, 2)`` for a single logit)."""
    if logits.shape[1] == 1:
        p1 = torch.sigmoid(logits[:, 0])
        return torch.stack([1 - p1, p1], dim=1)
    return torch.softmax(logits, dim=1)
