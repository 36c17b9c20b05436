"""Encoder-decoder attention through the REST API: the dates data set is listed, a cross_attention
network validates with the cross_attention panel and a bounded message, bad source_len and score answer
422 at their fields, and a job streams the weights with the three stages, which agree with each other
(softmax of the scores, weighted sum of the values) as decoded from the stream."""

import torch

from nnplay.data.dates import SOURCE_LEN, VOCAB
from nnplay.probes.arrays import payload_tensor
from tests.api.helpers import wait_done

DATES = {"name": "dates", "n_samples": 400}


def net(score="additive", source_len=SOURCE_LEN, heads=2):
    return [{"type": "embedding", "embedding_dim": 16},
            {"type": "cross_attention", "source_len": source_len, "num_heads": heads, "score": score},
            {"type": "linear", "out_features": len(VOCAB)}]


def validate(client, layers):
    return client.post("/api/networks/validate", json={"dataset": DATES, "network": {"layers": layers}})


def test_dates_is_listed_with_its_shapes(client):
    sets = {d["name"]: d for d in client.get("/api/datasets").json()}
    assert sets["dates"]["input_shape"] == [28] and sets["dates"]["vocab_size"] == len(VOCAB)


def test_cross_attention_network_validates_with_its_panel_and_message_size(client):
    r = validate(client, net())
    assert r.status_code == 200, r.text
    body = r.json()
    assert "cross_attention" in body["panels"] and "attention" not in body["panels"]
    assert body["layers"][1]["output_shape"] == [10, 16]
    assert 0 < body["messages"]["cross_attention"] < 64 * 1024


def test_wrong_source_len_and_unknown_score_name_their_fields(client):
    r = validate(client, net(source_len=12))
    assert r.status_code == 422
    (err,) = r.json()["detail"]
    assert err["field"] == "network.layers[1].source_len" and "set source_len to 18" in err["msg"]
    r = client.post("/api/networks/validate", json={"dataset": {**DATES, "seq_len": 20}, "network": {"layers": net()}})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "dataset.seq_len"
    assert "leave seq_len out" in r.json()["detail"][0]["msg"]
    r = validate(client, net(score="euclidean"))
    assert r.status_code == 422 and any("score" in e["field"] for e in r.json()["detail"])


def test_dates_job_streams_cross_attention_with_consistent_stages(client):
    spec = {"dataset": DATES, "network": {"layers": net(score="cosine")},
            "training": {"epochs": 1, "probe_every": 5, "lr": 0.005}}
    job = client.post("/api/jobs", json=spec).json()
    assert wait_done(client, job["id"])["status"] == "completed"
    with client.websocket_connect(f"/api/jobs/{job['id']}/stream") as ws:
        messages = []
        while not messages or messages[-1]["type"] != "status" or messages[-1]["status"] != "completed":
            messages.append(ws.receive_json())
    snaps = [m for m in messages if m["type"] == "cross_attention"]
    assert [s["step"] for s in snaps][:2] == [0, 5]
    last = snaps[-1]
    keys = len(last["tokens"])
    assert 0 < keys <= SOURCE_LEN and len(last["target"]) == len(last["decoder_input"]) == 10
    assert last["decoder_input"][0] == "<bos>" and last["decoder_input"][1:] == last["target"][:-1]
    layer = last["layers"][0]
    probs, scores = payload_tensor(layer), payload_tensor(layer["scores"])  # (2, 10, keys)
    values, context = payload_tensor(layer["values"]), payload_tensor(layer["context"])  # (2, keys, 8), (2, 10, 8)
    assert layer["dims"] == ["head", "query", "key"] and list(probs.shape) == [2, 10, keys]
    torch.testing.assert_close(probs, torch.softmax(scores, -1), atol=1e-5, rtol=0)  # padding keys had weight 0
    torch.testing.assert_close(context, probs @ values, atol=1e-5, rtol=0)
