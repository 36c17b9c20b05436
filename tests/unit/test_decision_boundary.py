"""Decision boundary probe: the grid's probabilities are the model's own, oriented (row, col) = (x2, x1)."""

import json

import torch
from torch import nn

from nnplay.probes.arrays import array_payload, class_payload, payload_tensor, quantized_payload
from nnplay.probes.decision_boundary import decision_boundary, grid_axes
from nnplay.protocol import encode
from nnplay.spec import JobSpec
from nnplay.train import train
from tests.conftest import job_spec


def test_probabilities_equal_the_models_softmax_at_grid_points():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 3))
    x1, x2 = torch.linspace(-2, 2, 5), torch.linspace(-1, 3, 7)
    probs = decision_boundary(model, x1, x2)  # (K, G2, G1)
    assert probs.shape == (3, 7, 5)
    i, j = 4, 1
    expected = torch.softmax(model(torch.tensor([[x1[j], x2[i]]])), dim=1)[0]
    assert torch.allclose(probs[:, i, j], expected, atol=1e-6)
    assert torch.allclose(probs.sum(0), torch.ones(7, 5), atol=1e-6)


def test_rows_follow_x2_and_single_logit_gives_two_classes():
    model = nn.Linear(2, 1)
    with torch.no_grad():  # logit = 10 * x2: class 1 above the x1 axis
        model.weight.copy_(torch.tensor([[0.0, 10.0]]))
        model.bias.zero_()
    x1, x2 = torch.linspace(-1, 1, 4), torch.linspace(-1, 1, 6)
    predicted = decision_boundary(model, x1, x2).argmax(0)  # (G2, G1)
    assert predicted.tolist() == [[int(v > 0)] * 4 for v in x2.tolist()]


def test_grid_spans_the_points_with_a_margin():
    pts = torch.tensor([[0.0, -1.0], [2.0, 3.0]])
    x1, x2 = grid_axes(pts, 11, margin=0.1)
    assert abs(x1[0].item() + 0.2) < 1e-6 and abs(x1[-1].item() - 2.2) < 1e-6 and len(x2) == 11
    assert abs(x2[0].item() + 1.4) < 1e-6


def test_2d_runs_stream_points_then_boundaries():
    spec = job_spec(layers=[{"type": "linear", "out_features": 8}, {"type": "tanh"},
                            {"type": "linear", "out_features": 2}],
                    dataset={"name": "gaussian", "n_samples": 200}, epochs=2, probe_every=5)
    events = []
    result = train(JobSpec.model_validate(spec), events.append)
    kinds = [e["type"] for e in events if e["type"] not in ("metrics", "gradients", "data_info", "activation_curves",
                                                             "saturation", "weights")]
    assert kinds[0] == "data_points" and set(kinds[1:]) == {"decision_boundary", "neuron_maps"}
    points = next(e for e in events if e["type"] == "data_points")
    assert len(points["train"]["x1"]) == 160 and len(points["test"]["label"]) == 40
    last = [e for e in events if e["type"] == "decision_boundary"][-1]
    assert last["predicted"]["shape"] == [64, 64] and len(last["x1"]) == 64
    assert 0.5 <= last["confidence"]["vmin"] <= last["confidence"]["vmax"] <= 1.0
    assert last["predicted"]["encoding"] == last["confidence"]["encoding"] == "uint8"
    for seq, event in enumerate(events, 1):
        encode("j", seq, event)  # every event is a valid protocol message
    # the drawn boundary agrees with the model on the test points it was trained for
    model = result.model.eval()
    xs = torch.tensor([points["test"]["x1"], points["test"]["x2"]]).T  # (N, 2)
    grid = payload_tensor(last["predicted"]).round().long()  # (G2, G1) class ids from 8-bit codes
    col = torch.bucketize(xs[:, 0], torch.tensor(last["x1"])).clamp(max=63)
    row = torch.bucketize(xs[:, 1], torch.tensor(last["x2"])).clamp(max=63)
    agree = (grid[row, col] == model(xs).argmax(1)).float().mean().item()
    assert agree > 0.9


def test_class_ids_survive_8_bit_codes_exactly():
    g = torch.Generator().manual_seed(0)
    for k in (1, 2, 3, 10, 256):
        ids = torch.randint(0, k, (64, 64), generator=g)
        payload = class_payload(ids, ["row", "col"])
        assert payload["encoding"] == "uint8"
        assert torch.equal(payload_tensor(payload).round().long(), ids)
    wide = torch.tensor([[0, 300], [7, 1]])  # more than 256 ids apart: sent as exact float32
    assert class_payload(wide, ["row", "col"])["encoding"] == "float32"
    assert torch.equal(payload_tensor(class_payload(wide, ["row", "col"])).long(), wide)


def test_confidence_codes_are_within_half_a_step_of_the_model():
    probs = torch.softmax(torch.randn(3, 64, 64, generator=torch.Generator().manual_seed(1)), 0)  # (K, G2, G1)
    confidence = probs.max(0).values
    payload = quantized_payload(confidence, ["row", "col"])
    step = (payload["vmax"] - payload["vmin"]) / 255
    assert (payload_tensor(payload) - confidence).abs().max() <= step / 2 + 1e-6
    assert payload["vmin"] == confidence.min().item() and payload["vmax"] == confidence.max().item()


def test_non_finite_entries_do_not_break_either_encoding():
    t = torch.tensor([[0.5, float("nan")], [float("inf"), -1.0]])
    plain = array_payload(t, ["row", "col"])
    assert (plain["vmin"], plain["vmax"], plain["encoding"]) == (-1.0, 0.5, "float32")
    back = payload_tensor(plain)  # the non-finite entries come back as they were
    assert back[0, 0] == 0.5 and back[0, 1].isnan() and back[1, 0] == float("inf") and back[1, 1] == -1.0
    json.dumps(plain, allow_nan=False)  # valid JSON: NaN and inf are inside the bytes
    coded = quantized_payload(t, ["row", "col"])
    assert (coded["vmin"], coded["vmax"]) == (-1.0, 0.5) and torch.isfinite(payload_tensor(coded)).all()
    empty = quantized_payload(torch.full((2,), float("nan")), ["x"])
    assert empty["vmin"] is None and empty["vmax"] is None
