"""Each optimizer against a hand computation of its update on a tiny model.

The model is a linear regression ``y = x . w + b`` with squared error; the oracle computes the
gradient by hand (``2/N X^T r``) and applies each update rule as written in its paper / torch's
documentation, in numpy, for three steps (so momentum and running averages are exercised). Nothing
in the oracle calls torch.optim.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nnplay.spec import TrainingSpec
from nnplay.train.optim import l1_norm, make_optimizer

X = np.array([[1.0, -2.0], [0.5, 0.3], [-1.5, 2.0]])
Y = np.array([0.7, -0.2, 1.1])
W0 = np.array([0.3, -0.1, 0.05])  # w1, w2, b
STEPS = 3


def grad(theta: np.ndarray, l1: float = 0.0) -> np.ndarray:
    """d/dtheta of mean((X w + b - y)^2) + l1 * ||theta||_1."""
    r = X @ theta[:2] + theta[2] - Y
    g = np.concatenate([2 / len(Y) * X.T @ r, [2 / len(Y) * r.sum()]])
    return g + l1 * np.sign(theta)


def sgd(lr, momentum=0.0, nesterov=False, weight_decay=0.0, l1=0.0):
    # Sutskever et al. 2013 as torch writes it: b = mu b + g (b = g first); nesterov: g + mu b
    theta, buf = W0.copy(), None
    for _ in range(STEPS):
        g = grad(theta, l1) + weight_decay * theta
        if momentum:
            buf = g.copy() if buf is None else momentum * buf + g
            g = g + momentum * buf if nesterov else buf
        theta = theta - lr * g
    return theta


def adagrad(lr, weight_decay=0.0, eps=1e-10):
    # Duchi et al. 2011: G += g^2; theta -= lr g / (sqrt(G) + eps)
    theta, acc = W0.copy(), np.zeros(3)
    for _ in range(STEPS):
        g = grad(theta) + weight_decay * theta
        acc += g * g
        theta = theta - lr * g / (np.sqrt(acc) + eps)
    return theta


def rmsprop(lr, momentum=0.0, weight_decay=0.0, alpha=0.99, eps=1e-8):
    # Hinton, lecture 6e: v = alpha v + (1 - alpha) g^2; with momentum b = mu b + g / (sqrt(v) + eps)
    theta, v, buf = W0.copy(), np.zeros(3), np.zeros(3)
    for _ in range(STEPS):
        g = grad(theta) + weight_decay * theta
        v = alpha * v + (1 - alpha) * g * g
        step = g / (np.sqrt(v) + eps)
        buf = momentum * buf + step if momentum else step
        theta = theta - lr * buf
    return theta


def adam(lr, weight_decay=0.0, decoupled=False, b1=0.9, b2=0.999, eps=1e-8):
    # Kingma & Ba 2015, bias-corrected; AdamW (Loshchilov & Hutter 2019): theta *= 1 - lr wd first
    theta, m, v = W0.copy(), np.zeros(3), np.zeros(3)
    for t in range(1, STEPS + 1):
        g = grad(theta)
        if decoupled:
            theta = theta * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * theta
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    return theta


CASES = [
    ({"optimizer": "sgd", "lr": 0.1}, sgd(0.1)),
    ({"optimizer": "sgd", "lr": 0.1, "weight_decay": 0.05}, sgd(0.1, weight_decay=0.05)),
    ({"optimizer": "sgd", "lr": 0.1, "momentum": 0.9}, sgd(0.1, momentum=0.9)),
    ({"optimizer": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": True}, sgd(0.1, momentum=0.9, nesterov=True)),
    ({"optimizer": "sgd", "lr": 0.1, "l1": 0.02}, sgd(0.1, l1=0.02)),
    ({"optimizer": "adagrad", "lr": 0.1, "weight_decay": 0.01}, adagrad(0.1, weight_decay=0.01)),
    ({"optimizer": "rmsprop", "lr": 0.01}, rmsprop(0.01)),
    ({"optimizer": "rmsprop", "lr": 0.01, "momentum": 0.5}, rmsprop(0.01, momentum=0.5)),
    ({"optimizer": "adam", "lr": 0.01, "weight_decay": 0.01}, adam(0.01, weight_decay=0.01)),
    ({"optimizer": "adamw", "lr": 0.01, "weight_decay": 0.1}, adam(0.01, weight_decay=0.1, decoupled=True)),
]


@pytest.mark.parametrize("training, expected", CASES, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items())
                         if isinstance(c, dict) else "")
def test_three_steps_match_the_hand_computed_update(training, expected):
    spec = TrainingSpec(**training)
    model = torch.nn.Linear(2, 1).double()
    with torch.no_grad():
        model.weight.copy_(torch.tensor(W0[None, :2]))
        model.bias.copy_(torch.tensor([W0[2]]))
    opt = make_optimizer(model.parameters(), spec)
    x, y = torch.tensor(X), torch.tensor(Y)
    for _ in range(STEPS):  # what the training loop does: data term + l1 term, backward, step
        opt.zero_grad()
        loss = F.mse_loss(model(x)[:, 0], y) + spec.l1 * l1_norm(model.parameters())
        loss.backward()
        opt.step()
    got = np.concatenate([model.weight.detach().numpy()[0], model.bias.detach().numpy()])
    assert np.allclose(got, expected, rtol=1e-10, atol=1e-12), (got, expected)
    assert not np.allclose(got, W0)  # the update did move the weights
