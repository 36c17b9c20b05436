"""Optimizers and losses against hand computations of a step."""

import math

import pytest
import torch
import torch.nn.functional as F

from nnplay.spec import TrainingSpec
from nnplay.train.optim import loss_fn, make_optimizer, predict


def one_param(value=(1.0, -2.0)):
    return torch.nn.Parameter(torch.tensor(value))


def step(opt_spec: dict, grads: list[tuple[float, float]], start=(1.0, -2.0)) -> torch.Tensor:
    w = one_param(start)
    opt = make_optimizer([w], TrainingSpec(**opt_spec))
    for g in grads:
        w.grad = torch.tensor(g)
        opt.step()
    return w.detach()


def test_sgd_step_by_hand():
    w = step({"optimizer": "sgd", "lr": 0.1}, [(0.5, -1.0)])
    assert torch.allclose(w, torch.tensor([1.0 - 0.05, -2.0 + 0.1]))


def test_sgd_momentum_two_steps_by_hand():
    # v1 = g1; w1 = w0 - lr v1; v2 = mu v1 + g2; w2 = w1 - lr v2
    w = step({"optimizer": "sgd", "lr": 0.1, "momentum": 0.9}, [(1.0, 0.0), (1.0, 0.0)])
    assert w[0].item() == pytest.approx(1.0 - 0.1 * 1.0 - 0.1 * (0.9 + 1.0))


def test_sgd_weight_decay_is_l2_gradient():
    w = step({"optimizer": "sgd", "lr": 0.1, "weight_decay": 0.5}, [(0.0, 0.0)])
    assert torch.allclose(w, torch.tensor([1.0 - 0.1 * 0.5 * 1.0, -2.0 - 0.1 * 0.5 * -2.0]))


def test_adam_first_step_is_lr_times_sign():
    # bias-corrected m/sqrt(v) = g/|g| on the first step (Kingma & Ba, 2015)
    w = step({"optimizer": "adam", "lr": 0.01}, [(0.3, -4.0)])
    assert torch.allclose(w, torch.tensor([1.0 - 0.01, -2.0 + 0.01]), atol=1e-6)


def test_adamw_decays_weights_directly():
    # AdamW: w <- w (1 - lr wd) - lr * g/|g|
    w = step({"optimizer": "adamw", "lr": 0.01, "weight_decay": 0.1}, [(0.3, -4.0)])
    assert torch.allclose(w, torch.tensor([1.0 * (1 - 0.001) - 0.01, -2.0 * (1 - 0.001) + 0.01]), atol=1e-6)


def test_adagrad_and_rmsprop_first_steps():
    w = step({"optimizer": "adagrad", "lr": 0.1}, [(2.0, -0.5)])
    assert torch.allclose(w, torch.tensor([0.9, -1.9]), atol=1e-5)
    w = step({"optimizer": "rmsprop", "lr": 0.01}, [(2.0, -0.5)])  # v = 0.01 g^2; step = lr g / sqrt(v)
    assert torch.allclose(w, torch.tensor([1.0 - 0.1, -2.0 + 0.1]), atol=1e-5)


def test_losses_by_hand():
    logits = torch.tensor([[2.0, 0.0], [0.0, 1.0]])
    y = torch.tensor([0, 0])
    ce = -(math.log(math.e**2 / (math.e**2 + 1)) + math.log(1 / (1 + math.e))) / 2
    assert loss_fn("cross_entropy", logits, y).item() == pytest.approx(ce, rel=1e-6)
    assert loss_fn("mse", logits, y).item() == pytest.approx(((2 - 1) ** 2 + 0 + 1 + 1) / 4)
    single = torch.tensor([[3.0], [-1.0]])
    expect = F.binary_cross_entropy(torch.sigmoid(single[:, 0]), torch.tensor([1.0, 0.0])).item()
    assert loss_fn("bce_with_logits", single, torch.tensor([1, 0])).item() == pytest.approx(expect, rel=1e-6)
    assert predict(single).tolist() == [1, 0]
