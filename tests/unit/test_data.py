"""Data sets: sizes from their sources, stratified seeded splits, scaling from the training part only."""

import pytest
import torch

from nnplay.data import DATASETS, load
from nnplay.spec import DatasetSpec


def test_digits_is_the_uci_set_as_images():
    split = load(DatasetSpec(name="digits", test_fraction=0.2, seed=0))
    assert len(split.x_train) + len(split.x_test) == 1797
    assert split.x_train.shape[1:] == (1, 8, 8) and split.x_train.dtype == torch.float32
    assert len(split.x_test) == 360 and set(split.y_test.tolist()) == set(range(10))


@pytest.mark.parametrize("name,total,features", [("iris", 150, 4), ("wine", 178, 13), ("breast_cancer", 569, 30)])
def test_tabular_sizes(name, total, features):
    split = load(DatasetSpec(name=name))
    assert len(split.x_train) + len(split.x_test) == total and split.x_train.shape[1] == features
    assert DATASETS[name].input_shape == (features,)


def test_scaling_uses_training_statistics_only():
    split = load(DatasetSpec(name="wine", test_fraction=0.3))
    assert torch.allclose(split.x_train.mean(0), torch.zeros(13), atol=1e-5)
    assert torch.allclose(split.x_train.std(0, unbiased=False), torch.ones(13), atol=1e-4)
    assert not torch.allclose(split.x_test.mean(0), torch.zeros(13), atol=1e-3)


@pytest.mark.parametrize("name", ["circle", "xor", "gaussian", "spiral"])
def test_toy_sets_are_seeded(name):
    a = load(DatasetSpec(name=name, n_samples=100, noise=0.2, seed=3))
    b = load(DatasetSpec(name=name, n_samples=100, noise=0.2, seed=3))
    c = load(DatasetSpec(name=name, n_samples=100, noise=0.2, seed=4))
    assert torch.equal(a.x_train, b.x_train) and not torch.equal(a.x_train, c.x_train)
    assert a.x_train.shape == (80, 2) and set(a.y_train.tolist()) == {0, 1}
