"""POST /api/networks/validate bounds every probe message: the issue's hostile attention spec gets a
window (200, said in the warnings), and a message type without a window past NNPLAY_MAX_MESSAGE_KB
answers 422 naming the field to change."""

from fastapi.testclient import TestClient

from nnplay.api.app import create_app

HOSTILE = {"dataset": {"name": "reverse", "seq_len": 1000, "n_samples": 40},
           "network": {"layers": [{"type": "embedding", "embedding_dim": 64}, {"type": "self_attention", "num_heads": 64},
                                  {"type": "linear", "out_features": 10}]},
           "training": {"epochs": 1, "batch_size": 8, "probe_every": 1000}}


def test_hostile_attention_spec_validates_with_a_bounded_window(client):
    r = client.post("/api/networks/validate", json=HOSTILE)
    assert r.status_code == 200, r.text
    body = r.json()
    assert 0 < body["messages"]["attention"] <= 1024 * 1024
    assert any("of 1000 tokens" in w and "NNPLAY_MAX_MESSAGE_KB" in w for w in body["warnings"])


def test_a_type_without_a_window_past_the_limit_answers_422_naming_the_field(settings):
    spec = {"dataset": {"name": "spiral", "n_samples": 20000},
            "network": {"layers": [{"type": "linear", "out_features": 8}, {"type": "relu"},
                                   {"type": "linear", "out_features": 2}]}}
    with TestClient(create_app(settings.model_copy(update={"max_message_kb": 64}))) as client:
        for path in ("/api/networks/validate", "/api/jobs"):
            r = client.post(path, json=spec)
            assert r.status_code == 422, r.text
            (err,) = r.json()["detail"]
            assert err["field"] == "dataset.n_samples" and "NNPLAY_MAX_MESSAGE_KB" in err["msg"]
            assert "data_points" in err["msg"]
