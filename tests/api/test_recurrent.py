"""A recurrent job through the REST API: a character LSTM on the Shakespeare text trains, its metrics
are per-character, and its exported code rebuilds the network on token ids."""

import torch

from nnplay.data import dataset_info
from nnplay.spec import DatasetSpec
from tests.api.helpers import wait_done

CHARS = {"name": "shakespeare_chars", "seq_len": 20, "test_fraction": 0.9}  # a small training part


def char_job(vocab: int) -> dict:
    return {"name": "char lstm", "dataset": CHARS,
            "network": {"layers": [{"type": "embedding", "embedding_dim": 8},
                                   {"type": "lstm", "hidden_size": 16, "return_sequences": True},
                                   {"type": "linear", "out_features": vocab}]},
            "training": {"optimizer": "adam", "lr": 0.01, "epochs": 1, "batch_size": 128, "probe_every": 50}}


def test_char_lstm_job_trains_and_exports_code(client):
    want = dataset_info(DatasetSpec(**CHARS)).vocab_size  # the vocabulary of this split's training text
    summary = client.post("/api/networks/validate", json=char_job(want)).json()
    assert summary["output_shape"] == [20, want] and summary["layers"][0]["params"] == want * 8
    wrong = client.post("/api/networks/validate", json=char_job(want + 1))
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["field"] == "network.layers[2].out_features"
    r = client.post("/api/jobs", json=char_job(want))
    assert r.status_code == 201, r.text
    done = wait_done(client, r.json()["id"], timeout=300)
    assert done["status"] == "completed", done
    final = done["final"]
    assert final["test_loss"] < 3.3 and 0.1 < final["test_accuracy"] < 1  # nats per character
    ns: dict = {"__name__": "generated"}
    exec(compile(client.get(f"/api/jobs/{done['id']}/code").text, "generated.py", "exec"), ns)  # noqa: S102
    net = ns["Net"]()
    saved = torch.load(__import__("io").BytesIO(client.get(f"/api/jobs/{done['id']}/model").content),
                       weights_only=True)
    net.layers.load_state_dict(saved["state_dict"])
    x = torch.zeros(2, 20, dtype=ns["INPUT_DTYPE"])
    assert net.eval()(x).shape == (2, 20, want)
