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


def test_running_correct_counts_in_windows_what_n_correct_counts_step_by_step():
    from nnplay.train.optim import RunningCorrect, n_correct

    gen = torch.Generator().manual_seed(0)
    cases = [  # (logits, ids) of a step: classes, one logit, per-step (N, T) with a short last batch
        lambda n: (torch.randn(n, 10, generator=gen), torch.randint(0, 10, (n,), generator=gen)),
        lambda n: (torch.randn(n, 1, generator=gen), torch.randint(0, 2, (n,), generator=gen)),
        lambda n: (torch.randn(n, 7, 5, generator=gen), torch.randint(0, 5, (n, 7), generator=gen)),
    ]
    for make in cases:
        steps = [make(n) for n in [32] * 9 + [5]]
        oracle = sum(n_correct(logits, y) for logits, y in steps)
        for window in (1, 3, 64):
            running = RunningCorrect(window)
            counted = sum(running.add(logits.requires_grad_(), y) for logits, y in steps)
            assert counted + running.take() == pytest.approx(oracle, abs=1e-9)
            assert running.take() == 0 and running.ids == []  # taken once, then nothing waits
    mixed = RunningCorrect()  # per-step targets of two lengths (never in one run, still counted right)
    a, b = cases[2](4), (torch.randn(3, 2, 5, generator=gen), torch.randint(0, 5, (3, 2), generator=gen))
    assert mixed.add(*a) + mixed.add(*b) + mixed.take() == pytest.approx(n_correct(*a) + n_correct(*b))
    assert RunningCorrect().add(torch.randn(4, 1), torch.randn(4, 1)) == 0  # regression: nothing kept
