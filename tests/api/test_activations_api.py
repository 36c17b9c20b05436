"""The activations panel through the API: validation lists it with its message estimates, and the
streamed saturation shares equal a torch recomputation from the job's own downloaded weights on the
probe batch (the first 128 test examples); the streamed curves are the course's formulas."""

import io

import torch

from nnplay.data import load
from nnplay.nn import build_network
from nnplay.probes.arrays import payload_tensor
from nnplay.spec import DatasetSpec, NetworkSpec
from tests.api.test_exact_arrays import run_job

CIRCLE = {"name": "circle", "n_samples": 400}
LAYERS = [{"type": "linear", "out_features": 16, "init": "large_normal"}, {"type": "sigmoid"},
          {"type": "linear", "out_features": 16}, {"type": "relu"}, {"type": "linear", "out_features": 2}]
SPEC = {"dataset": CIRCLE, "network": {"layers": LAYERS},
        "training": {"optimizer": "sgd", "lr": 0.1, "epochs": 2, "batch_size": 32, "probe_every": 5}}


def test_validation_lists_the_activations_panel_and_its_messages(client):
    r = client.post("/api/networks/validate", json=SPEC)
    assert r.status_code == 200, r.text
    body = r.json()
    assert "activations" in body["panels"]
    assert {"activation_curves", "saturation"} <= set(body["messages"])


def test_streamed_shares_equal_a_torch_recomputation_from_the_jobs_weights(client):
    done, messages = run_job(client, SPEC)
    (curves,) = [m for m in messages if m["type"] == "activation_curves"]
    sigmoid = next(c for c in curves["curves"] if c["type"] == "sigmoid")
    y, d = payload_tensor(sigmoid["value"]).double(), payload_tensor(sigmoid["derivative"]).double()
    assert (d - y * (1 - y)).abs().max() < 1e-6 and sigmoid["derivative_formula"] == "σ'(x) = σ(x)·(1 − σ(x))"
    last = [m for m in messages if m["type"] == "saturation"][-1]
    assert last["step"] == done["final"]["steps"] and last["examples"] == 80  # 20% of 400 test examples

    state = torch.load(io.BytesIO(client.get(f"/api/jobs/{done['id']}/model").content), weights_only=True)["state_dict"]
    model = build_network(NetworkSpec.model_validate({"layers": LAYERS}), (2,))
    model.load_state_dict(state)
    x = load(DatasetSpec(**CIRCLE)).x_test[:128]  # (80, 2)
    with torch.no_grad():
        z1 = model[0](x)  # (80, 16) sigmoid pre-activations
        z2 = model[2](torch.sigmoid(z1))  # (80, 16) relu pre-activations
    s = torch.sigmoid(z1)
    low1 = s * (1 - s) < 0.05 * 0.25  # σ' = σ(1 - σ) under 5% of its maximum 1/4
    low2 = z2 <= 0  # relu' = 0
    sig, rel = last["layers"]
    assert (sig["index"], sig["type"], rel["index"], rel["type"]) == (1, "sigmoid", 3, "relu")
    assert abs(sig["saturated"] - low1.double().mean().item()) < 1e-6
    assert abs(sig["dead"] - low1.all(0).double().mean().item()) < 1e-6
    assert abs(rel["saturated"] - low2.double().mean().item()) < 1e-6
    assert abs(rel["dead"] - low2.all(0).double().mean().item()) < 1e-6
    assert sig["saturated"] > 0  # N(0, 1) weights on standardised inputs: some |z| > 4.37
