"""Regression: the sine and plane sets, MSE training with R^2, and the streamed prediction."""

import numpy as np
import pytest
import torch
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split

from nnplay.data import load
from nnplay.data.toy import PLANE_COEF, PLANE_INTERCEPT, plane
from nnplay.probes.arrays import payload_tensor
from nnplay.protocol import encode
from nnplay.settings import Settings
from nnplay.spec import DatasetSpec, JobSpec
from nnplay.spec.errors import ShapeError, SpecError
from nnplay.spec.presets import PRESETS
from nnplay.train import train
from nnplay.train.check import check_job

MLP = [{"type": "linear", "out_features": 32}, {"type": "tanh"},
       {"type": "linear", "out_features": 32}, {"type": "tanh"}, {"type": "linear", "out_features": 1}]


def spec(dataset: dict, layers: list, **training) -> JobSpec:
    return JobSpec.model_validate({"dataset": dataset, "network": {"layers": layers},
                                   "training": {"loss": "mse", **training}})


def test_sine_and_plane_are_seeded_float_targets():
    a, b = load(DatasetSpec(name="sine", n_samples=100, seed=1)), load(DatasetSpec(name="sine", n_samples=100, seed=1))
    assert a.x_train.shape == (80, 1) and a.y_train.shape == (80, 1) and a.y_train.dtype == torch.float32
    assert torch.equal(a.y_train, b.y_train)
    p = load(DatasetSpec(name="plane"))
    assert p.x_train.shape == (320, 2) and p.info.task == "regression" and p.info.classes == ()


def test_mlp_fits_sine_to_noise_level():
    """noise 0.1 -> the best possible test MSE is about 0.01; the MLP gets within 0.02 of it."""
    events = []
    result = train(spec({"name": "sine", "n_samples": 200, "noise": 0.1}, MLP, optimizer="adam", lr=0.03,
                        epochs=150, batch_size="full", probe_every=50), events.append)
    assert result.status == "completed"
    assert result.final["test_loss"] < 0.03 and result.final["test_r2"] > 0.94
    assert result.final["test_accuracy"] is None and result.final["train_accuracy"] is None
    # R^2 is sklearn's on the same test predictions
    split = load(DatasetSpec(name="sine", n_samples=200, noise=0.1))
    with torch.no_grad():
        pred = result.model.eval()(split.x_test).numpy()
    assert result.final["test_r2"] == pytest.approx(r2_score(split.y_test.numpy(), pred), abs=1e-5)
    rmse = float(np.sqrt(((pred - split.y_test.numpy()) ** 2).mean()))  # sine's targets are in data units
    assert result.final["test_rmse"] == pytest.approx(rmse, rel=1e-4)
    for seq, event in enumerate(events, 1):
        encode("j", seq, event)
    curve = [e for e in events if e["type"] == "decision_boundary"][-1]
    assert curve["task"] == "regression" and curve["x2"] == [] and curve["predicted"]["shape"] == [64]
    grid = torch.tensor(curve["x1"])[:, None]  # (64, 1)
    with torch.no_grad():
        expected = result.model(grid)[:, 0]
    assert np.allclose(payload_tensor(curve["predicted"]).numpy(), expected.numpy(), atol=1e-3)  # x1 is sent to 4 decimals


def test_linear_regression_recovers_the_plane():
    preset = next(p for p in PRESETS if p["id"] == "linreg_plane")
    result = train(preset["spec"], lambda e: None)
    split = load(preset["spec"].dataset)
    ols = LinearRegression().fit(split.x_train.numpy(), split.y_train.numpy()[:, 0])  # the oracle
    weight, bias = result.model[0].weight.detach()[0].numpy(), float(result.model[0].bias.detach())
    assert np.allclose(weight, ols.coef_, atol=0.02) and bias == pytest.approx(ols.intercept_, abs=0.02)
    # in data units (the inputs are standardised): the generating coefficients 2, -3 and intercept 0.5
    x_raw, y_raw = plane(400, 0.1, 0)
    x_tr_raw, _, y_tr_raw, _ = train_test_split(x_raw, y_raw, test_size=0.2, random_state=0)
    assert np.allclose((x_tr_raw - x_tr_raw.mean(0)) / x_tr_raw.std(0), split.x_train.numpy(), atol=1e-5)
    std = x_tr_raw.std(0)
    assert np.allclose(weight / std, PLANE_COEF, atol=0.05)
    assert bias - (weight / std) @ x_tr_raw.mean(0) == pytest.approx(PLANE_INTERCEPT, abs=0.05)


def test_plane_streams_a_surface_under_its_points():
    events = []
    train(spec({"name": "plane", "n_samples": 100}, [{"type": "linear", "out_features": 1}],
               optimizer="sgd", lr=0.1, epochs=3, batch_size="full", probe_every=1), events.append)
    points = next(e for e in events if e["type"] == "data_points")
    assert points["task"] == "regression" and len(points["train"]["target"]) == 80 and points["train"]["label"] == []
    surface = [e for e in events if e["type"] == "decision_boundary"][-1]
    assert surface["predicted"]["shape"] == [64, 64] and surface["confidence"] is None
    for seq, event in enumerate(events, 1):
        encode("j", seq, event)


def test_regression_refuses_classification_losses_and_shapes():
    settings = Settings(data_dir="/nonexistent")
    bad_loss = spec({"name": "sine"}, MLP)
    bad_loss.training.loss = "cross_entropy"
    with pytest.raises(SpecError) as info:
        check_job(bad_loss.dataset, bad_loss.network, bad_loss.training, settings)
    assert info.value.loc == ("training", "loss") and "mse" in info.value.message
    two = spec({"name": "plane"}, [{"type": "linear", "out_features": 2}])
    with pytest.raises(ShapeError) as info:
        check_job(two.dataset, two.network, two.training, settings)
    assert info.value.loc == ("network", "layers", 0, "out_features") and "1 output" in info.value.message


def test_classification_metrics_unchanged():
    result = train(spec({"name": "gaussian", "n_samples": 100}, [{"type": "linear", "out_features": 2}],
                        epochs=2), lambda e: None)
    assert result.final["test_accuracy"] is not None and "test_r2" not in result.final


def test_series_rmse_is_in_the_series_units():
    """Sunspots are standardised for training; the reported RMSE puts the scale back (sunspot numbers)."""
    layers = [{"type": "lstm", "hidden_size": 8}, {"type": "linear", "out_features": 1}]
    result = train(spec({"name": "sunspots", "window": 12}, layers, optimizer="adam", lr=0.01, epochs=2,
                        batch_size=32, probe_every=10**6), lambda e: None)
    split = load(DatasetSpec(name="sunspots", window=12))
    with torch.no_grad():
        pred = result.model.eval()(split.x_test)  # (N, 1) standardised
    std = split.meta["std"]
    rmse = float(((pred - split.y_test) * std).pow(2).mean().sqrt())  # in sunspot numbers
    assert result.final["test_rmse"] == pytest.approx(rmse, rel=1e-4) and rmse > 5 * result.final["test_loss"] ** 0.5
