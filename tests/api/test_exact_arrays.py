"""Arrays read back from the websocket are the probes' float32 values, exactly: streamed attention rows
sum to 1 to float32 precision, and streamed LSTM gates rebuild torch's own nn.LSTM states."""

import io

import torch
from torch import nn

from nnplay.data import load
from nnplay.probes.arrays import payload_tensor
from nnplay.spec import DatasetSpec
from tests.api.helpers import wait_done

REVERSE = {"name": "reverse", "n_samples": 200, "seq_len": 12}
CHARS = {"name": "shakespeare_chars", "seq_len": 24, "test_fraction": 0.9}


def stream(client, job_id: str) -> list[dict]:
    """Every message of a finished job, replayed through the websocket."""
    with client.websocket_connect(f"/api/jobs/{job_id}/stream") as ws:
        messages = []
        while not messages or messages[-1]["type"] != "status" or messages[-1]["status"] not in ("completed", "failed"):
            messages.append(ws.receive_json())
    return messages


def run_job(client, spec: dict) -> tuple[dict, list[dict]]:
    r = client.post("/api/jobs", json=spec)
    assert r.status_code == 201, r.text
    done = wait_done(client, r.json()["id"], timeout=300)
    assert done["status"] == "completed", done
    return done, stream(client, done["id"])


def test_streamed_attention_rows_sum_to_one_within_1e_6(client):
    layers = [{"type": "embedding", "embedding_dim": 16}, {"type": "positional_encoding"},
              {"type": "transformer_encoder", "num_heads": 2, "num_layers": 2},
              {"type": "linear", "out_features": 10}]
    _, messages = run_job(client, {"dataset": REVERSE, "network": {"layers": layers},
                                   "training": {"epochs": 1, "probe_every": 4, "batch_size": 32}})
    snaps = [m for m in messages if m["type"] == "attention"]
    assert len(snaps) >= 2
    for snap in snaps:
        assert snap["window"] is None and len(snap["layers"]) == 2
        for layer in snap["layers"]:
            assert layer["encoding"] == "float32" and layer["shape"] == [2, 12, 12] and layer["heads_total"] == 2
            probs = payload_tensor(layer)  # (heads, T, T)
            assert (probs >= 0).all()
            assert (probs.double().sum(-1) - 1).abs().max() < 1e-6


def _lstm_from(state: dict, vocab: int) -> tuple[nn.Embedding, nn.LSTM]:
    """The job's embedding (layer 0) and LSTM (layer 1) as torch modules with its trained weights."""
    emb = nn.Embedding(vocab, 8)
    emb.load_state_dict({"weight": state["0.weight"]})
    lstm = nn.LSTM(8, 16, batch_first=True)
    lstm.load_state_dict({k[2:]: v for k, v in state.items() if k.startswith("1.")})
    return emb.eval(), lstm.eval()


def test_streamed_lstm_gates_rebuild_torch_states_within_1e_5(client):
    split = load(DatasetSpec(**CHARS))
    vocab = split.info.vocab_size
    spec = {"dataset": CHARS, "network": {"layers": [
        {"type": "embedding", "embedding_dim": 8}, {"type": "lstm", "hidden_size": 16, "return_sequences": True},
        {"type": "linear", "out_features": vocab}]},
        "training": {"optimizer": "adam", "lr": 0.01, "epochs": 1, "batch_size": 128, "probe_every": 20}}
    done, messages = run_job(client, spec)
    gates = [m for m in messages if m["type"] == "gates"]
    last = gates[-1]
    assert last["step"] == done["final"]["steps"] and last["window"] is None
    arrays = {a["name"]: payload_tensor(a).double() for a in last["layers"][0]["arrays"]}  # (unit, time) each
    assert all(a["encoding"] == "float32" for a in last["layers"][0]["arrays"])
    i, f, g, o, c, h = (arrays[k] for k in ("i", "f", "g", "o", "c", "h"))
    c_prev = torch.cat([torch.zeros(16, 1, dtype=c.dtype), c[:, :-1]], dim=1)  # c_0 = 0
    assert (f * c_prev + i * g - c).abs().max() < 1e-5  # c_t = f * c_{t-1} + i * g
    assert (o * torch.tanh(c) - h).abs().max() < 1e-5  # h_t = o * tanh(c_t)
    # against torch's own nn.LSTM with the trained weights, on the probe sequence (the first test example)
    state = torch.load(io.BytesIO(client.get(f"/api/jobs/{done['id']}/model").content), weights_only=True)["state_dict"]
    emb, lstm = _lstm_from(state, vocab)
    with torch.no_grad():
        out, _ = lstm(emb(split.x_test[:1]))  # (1, T, 16)
    assert (out[0].T.double() - h).abs().max() < 1e-5
