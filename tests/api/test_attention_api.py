"""Attention networks through the REST API: bad input answers 422 at the layer and field, with both
values named; the causal + CLS pooling combination is a warning, not a refusal."""

from tests.api.helpers import wait_done

REVERSE = {"name": "reverse", "n_samples": 400, "seq_len": 8}


def layers(*middle):
    return [{"type": "embedding", "embedding_dim": 32}, *middle, {"type": "linear", "out_features": 10}]


def validate(client, dataset, network_layers, training=None):
    body = {"dataset": dataset, "network": {"layers": network_layers}}
    if training:
        body["training"] = training
    return client.post("/api/networks/validate", json=body)


def only_error(r) -> dict:
    assert r.status_code == 422, r.text
    (err,) = r.json()["detail"]
    return err


def test_heads_not_dividing_embed_dim_names_both(client):
    err = only_error(validate(client, REVERSE, layers({"type": "self_attention", "num_heads": 3})))
    assert err["field"] == "network.layers[1].num_heads"
    assert "embed_dim 32" in err["msg"] and "num_heads 3" in err["msg"]


def test_num_heads_zero(client):
    err = only_error(validate(client, REVERSE, layers({"type": "transformer_encoder", "num_heads": 0})))
    assert err["field"].startswith("network.layers[1]") and "num_heads" in err["field"]


def test_self_attention_on_images_is_refused(client):
    net = [{"type": "self_attention", "num_heads": 1}, {"type": "flatten"}, {"type": "linear", "out_features": 10}]
    err = only_error(validate(client, {"name": "digits"}, net))
    assert err["field"] == "network.layers[0]" and "(time, features)" in err["msg"] and "(1, 8, 8)" in err["msg"]


def test_sequence_longer_than_max_len(client):
    net = layers({"type": "positional_encoding", "max_len": 6}, {"type": "self_attention", "num_heads": 2})
    err = only_error(validate(client, REVERSE, net))
    assert err["field"] == "network.layers[1].max_len" and "8 time steps" in err["msg"]


def test_causal_cls_pooling_is_a_warning(client):
    net = [{"type": "embedding", "embedding_dim": 16}, {"type": "transformer_encoder", "num_heads": 2, "causal": True},
           {"type": "sequence_pool", "mode": "first"}, {"type": "linear", "out_features": 2}]
    r = validate(client, {"name": "authors", "n_samples": 200, "seq_len": 32}, net)
    assert r.status_code == 200, r.text
    assert any("layers[2].mode" in w and "causal" in w for w in r.json()["warnings"])


def test_reverse_job_streams_attention_through_the_api(client):
    spec = {"dataset": REVERSE, "network": {"layers": layers(
        {"type": "positional_encoding", "kind": "learned", "max_len": 8}, {"type": "self_attention", "num_heads": 2})},
        "training": {"epochs": 1, "probe_every": 5, "lr": 0.003}}
    job = client.post("/api/jobs", json=spec).json()
    assert wait_done(client, job["id"])["status"] == "completed"
    with client.websocket_connect(f"/api/jobs/{job['id']}/stream") as ws:
        messages = []
        while not messages or messages[-1]["type"] != "status" or messages[-1]["status"] != "completed":
            messages.append(ws.receive_json())
    snaps = [m for m in messages if m["type"] == "attention"]
    assert [s["step"] for s in snaps][:2] == [0, 5] and len(snaps[0]["tokens"]) == 8
    layer = snaps[-1]["layers"][0]
    assert layer["dims"] == ["head", "query", "key"] and layer["shape"] == [2, 8, 8] and layer["index"] == 2
