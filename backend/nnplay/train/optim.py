"""Optimizers and losses by their standard names, all from torch."""

import torch
import torch.nn.functional as F
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


def loss_fn(name: str, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean loss of logits ``(N, K)`` against class ids ``y`` ``(N,)``, in nats for the likelihood losses;
    for regression, of predictions ``(N, 1)`` against float targets ``y`` ``(N, 1)`` (``mse`` only).

    ``cross_entropy``: negative log-likelihood of softmax(logits). ``mse``: squared error against
    one-hot targets, averaged over N*K entries (regression: against the targets, in squared target
    units). ``bce_with_logits``: with K == 1, binary cross-entropy of sigmoid(logit) for class 1; with
    K classes, against one-hot targets.
    """
    if y.is_floating_point():
        return F.mse_loss(logits, y)
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


def n_correct(logits: torch.Tensor, y: torch.Tensor) -> int:
    """How many predictions match class ids ``y`` ``(N,)``; 0 for regression targets (float ``(N, 1)``)."""
    return 0 if y.is_floating_point() else int((predict(logits) == y).sum())


def r_squared(mse: float | None, target_variance: float) -> float | None:
    """Coefficient of determination ``1 - MSE / Var(y)`` (the share of the target's variance the model
    explains; 1 is perfect, 0 is predicting the mean); ``Var(y)`` is the population variance of the same
    targets, so this equals ``sklearn.metrics.r2_score``. None when undefined."""
    if mse is None or not target_variance > 0:
        return None
    return 1.0 - mse / target_variance


def predict(logits: torch.Tensor) -> torch.Tensor:
    """Predicted class ids ``(N,)``: argmax over K, or ``logit > 0`` for a single output."""
    if logits.shape[1] == 1:
        return (logits[:, 0] > 0).long()
    return logits.argmax(dim=1)


def probabilities(logits: torch.Tensor) -> torch.Tensor:
    """Class probabilities ``(N, K)`` (``(N, 2)`` for a single logit)."""
    if logits.shape[1] == 1:
        p1 = torch.sigmoid(logits[:, 0])
        return torch.stack([1 - p1, p1], dim=1)
    return torch.softmax(logits, dim=1)
