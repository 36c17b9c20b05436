"""Neuron heatmaps: each hidden unit's map is that unit's own activation at the grid point, taken from
the same forward pass as the decision boundary, with the weights between the units drawn."""

import base64
import json

import pytest
import torch
from torch import nn

from nnplay.probes.arrays import payload_tensor
from nnplay.probes.decision_boundary import GRID_DIMS, grid_axes, grid_points
from nnplay.probes.neurons import grid_forward, hidden_blocks, thumbnail_index, thumbnail_points, unit_maps
from nnplay.protocol import encode
from nnplay.spec import JobSpec
from nnplay.train import train
from tests.conftest import job_spec

MLP = [{"type": "linear", "out_features": 6}, {"type": "tanh"}, {"type": "dropout", "p": 0.1},
       {"type": "linear", "out_features": 20}, {"type": "relu"}, {"type": "linear", "out_features": 2}]


def test_hidden_blocks_end_at_their_last_activation():
    types = [m["type"] for m in MLP]
    assert hidden_blocks(types) == [(0, 1), (3, 4)]
    assert hidden_blocks(["linear", "linear", "sigmoid", "linear"]) == [(0, 0), (1, 2)]
    assert hidden_blocks(["linear"]) == []


def test_unit_maps_are_the_units_own_activations_at_the_grid_points():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 5), nn.Tanh(), nn.Linear(5, 3))
    x1, x2 = torch.linspace(-2, 2, 9), torch.linspace(-1, 3, 7)
    logits, captured = grid_forward(model, grid_points(x1, x2), [1])
    rows, cols = thumbnail_index(7, 4), thumbnail_index(9, 5)
    maps = unit_maps(captured[1], thumbnail_points(9, rows, cols), 4, 5, max_units=4)  # (4, 4, 5)
    assert maps.shape == (4, 4, 5)
    i, j, u = 2, 3, 1
    point = torch.tensor([[x1[cols[j]], x2[rows[i]]]])
    assert torch.allclose(maps[u, i, j], torch.tanh(model[0](point))[0, u], atol=1e-6)
    assert torch.allclose(logits, model(grid_points(x1, x2)), atol=1e-6)  # the same pass gives the logits


def test_grid_forward_runs_in_eval_mode_and_restores_training():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 2))
    model(torch.randn(64, 2))  # running statistics away from their initial values
    grid = grid_points(torch.linspace(-2, 2, 8), torch.linspace(-2, 2, 8))
    logits, captured = grid_forward(model.train(), grid, [3])
    assert model.training and all(m.training for m in model)  # restored
    with torch.no_grad():
        expected = model.eval()(grid)  # dropout off, running statistics
    assert torch.allclose(logits, expected, atol=1e-6) and (captured[3] != 0).float().mean() > 0.3
    mode_free = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 2)).train()
    grid_forward(mode_free, grid, [1])
    assert mode_free.training


def test_2d_runs_stream_neuron_maps_capped_and_valid():
    spec = JobSpec.model_validate(job_spec(layers=MLP, dataset={"name": "spiral", "n_samples": 200},
                                           epochs=1, probe_every=5))
    events = []
    result = train(spec, events.append, max_units=16, unit_resolution=32)
    frames = [e for e in events if e["type"] == "neuron_maps"]
    boundaries = [e for e in events if e["type"] == "decision_boundary"]
    assert len(frames) == len(boundaries) >= 2 and [f["step"] for f in frames] == [b["step"] for b in boundaries]
    last = frames[-1]
    a, b = last["layers"]
    assert (a["index"], a["linear"], a["type"], a["units_total"]) == (1, 0, "tanh", 6)
    assert (b["index"], b["units_total"], b["shape"]) == (4, 20, [16, 32, 32])  # capped at 16 units
    assert a["dims"] == ["unit", *GRID_DIMS] and -1 <= a["vmin"] <= a["vmax"] <= 1 and b["vmin"] >= 0
    assert a["encoding"] == "uint8"
    assert [w["shape"] for w in last["weights"]] == [[6, 2], [16, 6], [2, 16]]
    model = result.model
    assert torch.equal(payload_tensor(last["weights"][1]), model[3].weight[:16].detach())  # float32, exact
    # the thumbnail of unit 2 of the tanh layer at a grid point equals the trained model's unit there
    x = torch.tensor([[last["x1"][5], last["x2"][7]]])
    codes = torch.tensor(list(base64.b64decode(a["data"])), dtype=torch.float32).reshape(a["shape"])
    values = a["vmin"] + codes * (a["vmax"] - a["vmin"]) / 255  # (6, 32, 32)
    half_step = (a["vmax"] - a["vmin"]) / 255 / 2 + 1e-6
    assert abs(values[2, 7, 5].item() - torch.tanh(model[0](x))[0, 2].item()) <= half_step
    text = encode("j", 1, last)
    assert len(text) < 40_000, len(text)  # a sane message: 22 units x 32 x 32, one byte each in base64
    assert json.loads(text)["type"] == "neuron_maps"


def test_grid_axes_thumbnail_index_spreads_evenly():
    assert thumbnail_index(64, 32).tolist() == [round(i * 63 / 31) for i in range(32)]
    assert thumbnail_index(8, 32).tolist() == list(range(8))
    x1, _ = grid_axes(torch.tensor([[0.0, 0.0], [1.0, 1.0]]), 64)
    assert len(x1[thumbnail_index(64, 32)]) == 32


def test_quantized_payload_round_trips_within_half_a_step_and_marks_non_finite():
    from nnplay.probes.arrays import quantized_payload

    t = torch.tensor([[-2.0, 0.5], [1.0, float("nan")]])
    p = quantized_payload(t, ["row", "col"])
    codes = list(base64.b64decode(p["data"]))
    assert (p["vmin"], p["vmax"], p["shape"], codes[0], codes[3]) == (-2.0, 1.0, [2, 2], 0, 0)
    assert abs(-2.0 + codes[1] * 3 / 255 - 0.5) <= 3 / 255 / 2 and codes[2] == 255
    flat = quantized_payload(torch.full((3,), 0.25), ["unit"])
    assert (flat["vmin"], flat["vmax"], list(base64.b64decode(flat["data"]))) == (0.25, 0.25, [0, 0, 0])


@pytest.mark.usefixtures("one_torch_thread")  # tiny matrices: one thread is fastest
def test_tanh_2x8_preset_reaches_95_percent_on_the_spiral():
    """Issue 4: a tanh MLP with 2 hidden layers of 8 on spiral (noise 0.1) reaches >= 0.95 test accuracy."""
    from nnplay.spec.presets import PRESETS

    spec = next(p["spec"] for p in PRESETS if p["id"] == "tanh_spiral").model_copy(deep=True)
    layers = [(layer.type, getattr(layer, "out_features", None)) for layer in spec.network.layers]
    assert layers == [("linear", 8), ("tanh", None), ("linear", 8), ("tanh", None), ("linear", 2)]
    assert (spec.dataset.name, spec.dataset.noise) == ("spiral", 0.1)
    spec.training.probe_every = 10**6  # the accuracy, not the pictures
    result = train(spec, lambda e: None)
    assert result.final["test_accuracy"] >= 0.95, result.final


def test_max_units_zero_sends_no_neuron_maps():
    spec = JobSpec.model_validate(job_spec(layers=MLP, dataset={"name": "xor", "n_samples": 100}, epochs=1,
                                           probe_every=2))
    events = []
    train(spec, events.append, max_units=0)
    kinds = {e["type"] for e in events}
    assert "decision_boundary" in kinds and "neuron_maps" not in kinds
