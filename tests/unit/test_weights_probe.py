"""The Weights panel's probe: histograms against numpy's, templates against the layer's own weights, and
messages within their estimate and the limit."""

import numpy as np
import pytest
import torch
from torch import nn

from nnplay.data import load
from nnplay.nn import build_network
from nnplay.probes.arrays import payload_tensor
from nnplay.probes.weights import BINS, MAX_TEMPLATES, WeightsProbe, template_layer, weight_histogram
from nnplay.protocol import encode
from nnplay.spec import JobSpec

CPU = torch.device("cpu")


def job(layers, dataset="digits", **data) -> JobSpec:
    return JobSpec.model_validate({"dataset": {"name": dataset, **data}, "network": {"layers": layers},
                                   "training": {"epochs": 1}})


def built(spec: JobSpec):
    split = load(spec.dataset)
    torch.manual_seed(0)
    model = build_network(spec.network, split.info.input_shape, split.info.vocab_size, pad_id=split.info.pad_id)
    return split, model


def test_histogram_equals_numpy_over_the_weights_without_biases():
    torch.manual_seed(1)
    lstm = nn.LSTM(3, 5)
    h = weight_histogram(lstm)
    weights = np.concatenate([lstm.weight_ih_l0.detach().numpy().ravel(), lstm.weight_hh_l0.detach().numpy().ravel()])
    counts, edges = np.histogram(weights.astype(np.float64), bins=BINS, range=(weights.min(), weights.max()))
    assert h["count"] == weights.size == 4 * 5 * 3 + 4 * 5 * 5  # biases left out
    assert h["counts"] == counts.tolist()
    assert h["lo"] == pytest.approx(edges[0]) and h["hi"] == pytest.approx(edges[-1])
    assert h["mean"] == pytest.approx(weights.mean(), rel=1e-5)
    assert h["std"] == pytest.approx(weights.std(), rel=1e-5)


def test_equal_weights_get_a_unit_wide_range_and_layers_without_weights_none():
    layer = nn.Linear(4, 2)
    nn.init.constant_(layer.weight, 0.25)
    h = weight_histogram(layer)
    assert (h["lo"], h["hi"], sum(h["counts"])) == (-0.25, 0.75, 8)
    assert weight_histogram(nn.ReLU()) is None


def test_logistic_regression_on_digits_sends_ten_8x8_class_templates_equal_to_its_weights():
    spec = job([{"type": "flatten"}, {"type": "linear", "out_features": 10}])
    split, model = built(spec)
    (msg,) = WeightsProbe(spec, split, CPU).events(model, 3, 1)
    t = msg["templates"]
    assert t["index"] == 1 and t["units_total"] == 10 and t["labels"] == [str(c) for c in split.info.classes]
    maps = payload_tensor(t["maps"])
    assert maps.shape == (10, 8, 8)
    assert torch.equal(maps, model[1].weight.detach().reshape(10, 8, 8))  # exact: float32 on the wire
    # unit u's logit is the image times its template, summed, plus the bias
    x = split.x_test[:1]
    assert torch.allclose((maps * x[0, 0]).sum((1, 2)) + model[1].bias, model(x)[0], atol=1e-5)
    assert [layer["index"] for layer in msg["layers"]] == [1]


def test_every_message_carries_the_first_probe_histograms():
    spec = job([{"type": "flatten"}, {"type": "linear", "out_features": 10}])
    split, model = built(spec)
    probe = WeightsProbe(spec, split, CPU)
    (first,) = probe.events(model, 0, 0)
    with torch.no_grad():
        model[1].weight.mul_(3.0)
    (later,) = probe.events(model, 40, 2)
    assert later["first"] == {"step": 0, "layers": first["layers"]} and first["first"]["step"] == 0
    assert later["layers"][0]["std"] == pytest.approx(3 * first["layers"][0]["std"], rel=1e-6)


def test_a_hidden_layer_sends_its_first_units_unlabelled():
    spec = job([{"type": "flatten"}, {"type": "linear", "out_features": 40}, {"type": "relu"},
                {"type": "linear", "out_features": 10}])
    split, model = built(spec)
    (msg,) = WeightsProbe(spec, split, CPU).events(model, 0, 0)
    t = msg["templates"]
    assert (t["units_total"], t["labels"], t["maps"]["shape"]) == (40, [], [MAX_TEMPLATES, 8, 8])
    assert [layer["index"] for layer in msg["layers"]] == [1, 3]


@pytest.mark.parametrize("types, kind, shape", [
    (["conv2d", "flatten", "linear"], "image", (1, 8, 8)),  # a conv first: its filters are the feature maps' business
    (["linear"], "tabular", (30,)),
    (["flatten", "linear"], "image", (3, 8, 8)),  # colour images are not drawn
    (["flatten", "linear"], "image", (1, 65, 64)),  # too many pixels
])
def test_no_templates_where_the_first_weights_do_not_read_one_channel_pixels(types, kind, shape):
    assert template_layer(types, kind, shape) is None


@pytest.mark.parametrize("limit_kb", [16, 1024])
def test_messages_stay_within_their_estimate_and_the_limit(limit_kb):
    spec = job([{"type": "flatten"}, {"type": "linear", "out_features": 64}, {"type": "relu"},
                {"type": "linear", "out_features": 10}], dataset="mnist")
    split, model = built(spec)
    (msg,) = WeightsProbe(spec, split, CPU, max_message_kb=limit_kb).events(model, 0, 0)
    size = len(encode("0" * 32, 10**9, msg).encode())
    estimate = WeightsProbe.message_sizes(spec.network.layers, split.info, limit_kb)["weights"]
    assert size <= estimate <= limit_kb * 1024
    k = msg["templates"]["maps"]["shape"][0]
    assert (k < MAX_TEMPLATES) if limit_kb == 16 else (k == MAX_TEMPLATES)
