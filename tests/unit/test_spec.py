"""Spec validation: every bad input is refused with its location and a message that says why."""

import pytest
from pydantic import ValidationError

from nnplay.spec import LAYER_TYPES, JobSpec, NetworkSpec, ShapeError, TrainingSpec, summarize
from nnplay.spec.presets import LENET


def errors_of(model, data) -> list[dict]:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return info.value.errors()


def test_unknown_layer_type_lists_the_valid_ones():
    (err,) = errors_of(NetworkSpec, {"layers": [{"type": "flatten"}, {"type": "conv3x"}]})
    assert err["loc"] == ("layers", 1)
    for name in LAYER_TYPES:
        assert f"'{name}'" in err["msg"]


def test_unknown_extra_field_is_refused_at_its_place():
    (err,) = errors_of(NetworkSpec, {"layers": [{"type": "linear", "out_features": 3, "units": 4}]})
    assert err["loc"] == ("layers", 0, "linear", "units")
    assert err["type"] == "extra_forbidden"


@pytest.mark.parametrize("layer,field", [
    ({"type": "linear", "out_features": 0}, "out_features"),
    ({"type": "conv2d", "out_channels": -1, "kernel_size": 3}, "out_channels"),
    ({"type": "conv2d", "out_channels": 4, "kernel_size": 0}, "kernel_size"),
    ({"type": "conv2d", "out_channels": 4, "kernel_size": 3, "padding": -1}, "padding"),
    ({"type": "maxpool2d", "kernel_size": 0}, "kernel_size"),
    ({"type": "dropout", "p": 1.0}, "p"),
])
def test_zero_or_negative_sizes(layer, field):
    errs = errors_of(NetworkSpec, {"layers": [layer]})
    assert any(field in e["loc"] for e in errs), errs


@pytest.mark.parametrize("training,field", [
    ({"lr": 0}, "lr"), ({"lr": -0.1}, "lr"), ({"batch_size": 0}, "batch_size"),
    ({"epochs": 0}, "epochs"), ({"optimizer": "lbfgs"}, "optimizer"), ({"loss": "hinge"}, "loss"),
    ({"grad_clip": 0}, "grad_clip"), ({"momentum": 1.5}, "momentum"),
])
def test_training_ranges(training, field):
    errs = errors_of(TrainingSpec, training)
    assert any(e["loc"] and e["loc"][0] == field for e in errs), errs


def test_batch_size_full_and_nesterov_rules():
    assert TrainingSpec(batch_size="full").batch_size == "full"
    (err,) = errors_of(TrainingSpec, {"optimizer": "sgd", "nesterov": True})
    assert "nesterov" in err["msg"] and "momentum" in err["msg"]


def test_unknown_dataset():
    """A well-formed name may be an uploaded set, so the job check (which sees the data dir) refuses it."""
    from nnplay.settings import Settings
    from nnplay.spec.errors import SpecError
    from nnplay.train.check import check_job

    spec = JobSpec.model_validate({"dataset": {"name": "fashion_mnist"}, "network": {"layers": [{"type": "flatten"}]}})
    with pytest.raises(SpecError) as info:
        check_job(spec.dataset, spec.network, spec.training, Settings(data_dir="/nonexistent"))
    assert info.value.loc == ("dataset", "name") and "digits" in info.value.message
    errs = errors_of(JobSpec, {"dataset": {"name": "MNIST!"}, "network": {"layers": [{"type": "flatten"}]}})
    assert errs[0]["loc"] == ("dataset", "name") and "pattern" in errs[0]["msg"]


def shape_error(layers, input_shape=(1, 8, 8), classes=10, loss="cross_entropy") -> ShapeError:
    with pytest.raises(ShapeError) as info:
        summarize(NetworkSpec(layers=layers), input_shape, classes, loss)
    return info.value


def test_conv_on_a_non_image_names_the_layer():
    err = shape_error([{"type": "conv2d", "out_channels": 4, "kernel_size": 3}], input_shape=(4,), classes=3)
    assert err.loc == ("network", "layers", 0)
    assert "(4,)" in err.message and "(channels, height, width)" in err.message


def test_pooling_below_one_pixel_names_layer_and_size():
    layers = LENET[:6] + [{"type": "maxpool2d", "kernel_size": 4}] + LENET[6:]
    err = shape_error(layers)
    assert err.loc == ("network", "layers", 6, "kernel_size")
    assert "2x2" in err.message and "below 1x1" in err.message


def test_wrong_explicit_in_features():
    err = shape_error([{"type": "flatten"}, {"type": "linear", "out_features": 10, "in_features": 100}])
    assert err.loc == ("network", "layers", 1, "in_features")
    assert "100" in err.message and "(64,)" in err.message


def test_kernel_larger_than_image():
    err = shape_error([{"type": "conv2d", "out_channels": 2, "kernel_size": 9}])
    assert err.loc == ("network", "layers", 0, "kernel_size") and "8x8" in err.message


def test_same_padding_needs_stride_one():
    err = shape_error([{"type": "conv2d", "out_channels": 2, "kernel_size": 3, "stride": 2, "padding": "same"}])
    assert err.loc == ("network", "layers", 0, "padding")


def test_output_must_match_classes_and_loss():
    err = shape_error([{"type": "flatten"}, {"type": "linear", "out_features": 7}])
    assert err.loc == ("network", "layers", 1, "out_features") and "10 classes" in err.message
    err = shape_error([{"type": "conv2d", "out_channels": 10, "kernel_size": 3}])
    assert "flatten" in err.message
    ok = summarize(NetworkSpec(layers=[{"type": "linear", "out_features": 1}]), (2,), 2, "bce_with_logits")
    assert ok.output_shape == [1]


def test_softmax_before_cross_entropy_warns():
    net = NetworkSpec(layers=[{"type": "flatten"}, {"type": "linear", "out_features": 10}, {"type": "softmax"}])
    (warning,) = summarize(net, (1, 8, 8), 10, "cross_entropy").warnings
    assert "twice" in warning
    assert summarize(net, (1, 8, 8), 10, "mse").warnings != [warning]
