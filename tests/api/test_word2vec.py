"""Word2vec jobs through the REST API: bad input at the edge, neighbour and analogy queries, downloads."""

import json

import pytest

from tests.api.helpers import wait_done, wait_for

W2V = {"type": "word2vec", "model": "skipgram", "embedding_dim": 16, "window": 3, "min_count": 5}


def w2v_job(network=None, dataset="lee_words", **training) -> dict:
    return {"name": "w2v test", "dataset": {"name": dataset}, "network": {**W2V, **(network or {})},
            "training": {"optimizer": "sgd", "lr": 0.025, "epochs": 1, "batch_size": 2048, "probe_every": 10,
                         **training}}


@pytest.fixture
def done_job(client):
    job = client.post("/api/jobs", json=w2v_job()).json()
    done = wait_done(client, job["id"])
    assert done["status"] == "completed", done
    return done


def field_errors(r) -> dict:
    assert r.status_code == 422, r.text
    return {e["field"]: e["msg"] for e in r.json()["detail"]}


@pytest.mark.parametrize(("network", "dataset", "field", "words"), [
    ({"window": 0}, "lee_words", "network.window", "greater than or equal to 1"),
    ({"full_softmax": True, "negatives": 5}, "lee_words", "network.negatives", "exclude each other"),
    ({"min_count": 2000}, "lee_words", "network.min_count", "leaves 1 words"),
    ({"model": "glove"}, "lee_words", "network.model", "skipgram"),
    ({"bogus": 1}, "lee_words", "network.bogus", "Extra inputs"),
    ({}, "digits", "dataset.name", "word corpus"),
])
def test_bad_word2vec_specs_answer_422_naming_the_field(client, network, dataset, field, words):
    for path in ("/api/jobs", "/api/networks/validate"):
        errors = field_errors(client.post(path, json=w2v_job(network, dataset)))
        assert field in errors and words in errors[field], errors


def test_a_layer_network_on_a_corpus_is_refused(client):
    spec = {"dataset": {"name": "lee_words"}, "network": {"layers": [{"type": "flatten"}]}}
    assert "word2vec" in field_errors(client.post("/api/jobs", json=spec))["dataset.name"]


def test_validate_summarises_the_one_hot_input_and_both_matrices(client):
    summary = client.post("/api/networks/validate", json=w2v_job()).json()
    v = summary["input_shape"][0]
    assert summary["layers"][0]["output_shape"] == [16] and summary["layers"][0]["params"] == v * 16
    assert summary["total_params"] == 2 * v * 16 and summary["output_shape"] == [6]
    assert any("vocabulary" in w for w in summary["warnings"])


def test_neighbors_and_analogy_of_a_finished_job(client, done_job):
    r = client.get(f"/api/jobs/{done_job['id']}/neighbors", params={"word": "Government", "k": 5})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["word"] == "government" and len(body["neighbors"]) == 5
    sims = [n["similarity"] for n in body["neighbors"]]
    assert sims == sorted(sims, reverse=True) and "government" not in [n["word"] for n in body["neighbors"]]
    r = client.get(f"/api/jobs/{done_job['id']}/analogy", params={"a": "king", "b": "man", "c": "woman"})
    assert r.status_code == 200, r.text
    assert r.json()["query"] == "king - man + woman" and len(r.json()["results"]) == 5


def test_an_unknown_word_answers_422_with_close_spellings(client, done_job):
    errors = field_errors(client.get(f"/api/jobs/{done_job['id']}/neighbors", params={"word": "goverment"}))
    assert "'goverment' is not in the vocabulary" in errors["word"] and "government" in errors["word"]
    errors = field_errors(client.get(f"/api/jobs/{done_job['id']}/analogy", params={"a": "king", "b": "xqzv", "c": "man"}))
    assert "'xqzv' is not in the vocabulary" in errors["b"]
    assert "word" in field_errors(client.get(f"/api/jobs/{done_job['id']}/neighbors", params={"word": ""}))


def test_queries_on_a_layer_job_or_a_missing_job(client):
    job = client.post("/api/jobs", json={"dataset": {"name": "iris"}, "network": {"layers": [{"type": "linear", "out_features": 3}]},
                                         "training": {"epochs": 1}}).json()
    wait_done(client, job["id"])
    r = client.get(f"/api/jobs/{job['id']}/neighbors", params={"word": "king"})
    assert r.status_code == 409 and "not word2vec" in r.json()["detail"]
    assert client.get("/api/jobs/nope/neighbors", params={"word": "king"}).status_code == 404


def test_embeddings_as_json_and_as_tensorboard_tsv(client, done_job):
    body = client.get(f"/api/jobs/{done_job['id']}/embeddings").json()
    assert body["kind"] == "word2vec" and len(body["labels"]) == len(body["vectors"])
    assert len(body["vectors"][0]) == 16 and body["labels"][0] == "the"
    vectors = client.get(f"/api/jobs/{done_job['id']}/embeddings", params={"format": "tsv", "part": "vectors"})
    metadata = client.get(f"/api/jobs/{done_job['id']}/embeddings", params={"format": "tsv", "part": "metadata"})
    assert vectors.headers["content-type"].startswith("text/tab-separated-values")
    rows = [line.split("\t") for line in vectors.text.splitlines()]
    assert len(rows) == len(body["labels"]) and all(len(r) == 16 for r in rows)
    assert float(rows[0][0]) == pytest.approx(body["vectors"][0][0])
    assert metadata.text.splitlines() == body["labels"]
    assert "format" in field_errors(client.get(f"/api/jobs/{done_job['id']}/embeddings", params={"format": "csv"}))


AE = [{"type": "flatten"}, {"type": "linear", "out_features": 16}, {"type": "tanh"},
      {"type": "linear", "out_features": 2}, {"type": "linear", "out_features": 16}, {"type": "tanh"},
      {"type": "linear", "out_features": 64}]


def ae_job(layers=AE, loss="mse") -> dict:
    return {"dataset": {"name": "digits", "target": "input"}, "network": {"layers": layers},
            "training": {"optimizer": "adam", "lr": 0.005, "epochs": 1, "batch_size": 64, "loss": loss,
                         "probe_every": 100}}


def test_autoencoder_bad_input(client):
    assert "needs loss 'mse'" in field_errors(client.post("/api/jobs", json=ae_job(loss="cross_entropy")))["training.loss"]
    short = AE[:-1] + [{"type": "linear", "out_features": 10}]
    msg = field_errors(client.post("/api/networks/validate", json=ae_job(short)))["network.layers[6].out_features"]
    assert "reconstructs its input (1, 8, 8)" in msg and "out_features 64" in msg
    body = ae_job()
    body["dataset"]["target"] = "pixels"
    assert "dataset.target" in field_errors(client.post("/api/jobs", json=body))


def test_autoencoder_codes_download_with_labels(client):
    job = client.post("/api/jobs", json=ae_job()).json()
    assert wait_done(client, job["id"])["status"] == "completed"
    body = client.get(f"/api/jobs/{job['id']}/embeddings").json()
    assert body["kind"] == "autoencoder" and body["dims"] == ["example", "code"]
    assert len(body["vectors"]) == len(body["labels"]) == 360 and len(body["vectors"][0]) == 2
    assert set(body["labels"]) == {str(d) for d in range(10)}
    meta = client.get(f"/api/jobs/{job['id']}/embeddings", params={"format": "tsv", "part": "metadata"}).text
    assert meta.splitlines() == body["labels"]
    messages = client.get(f"/api/jobs/{job['id']}/metrics").json()["metrics"]
    assert messages[-1]["scope"] == "epoch" and messages[-1]["test_accuracy"] is None and messages[-1]["test_loss"] > 0


def test_a_classifier_has_no_representation_to_download(client):
    job = client.post("/api/jobs", json={"dataset": {"name": "iris"}, "network": {"layers": [{"type": "linear", "out_features": 3}]},
                                         "training": {"epochs": 1}}).json()
    wait_done(client, job["id"])
    r = client.get(f"/api/jobs/{job['id']}/embeddings")
    assert r.status_code == 409 and "classifier" in r.json()["detail"]


def test_code_and_onnx_exports_refuse_word2vec_and_point_at_the_vectors(client, done_job):
    for route in ("code", "model.onnx"):
        r = client.get(f"/api/jobs/{done_job['id']}/{route}")
        assert r.status_code == 409 and "/embeddings" in r.json()["detail"], route
    assert client.get(f"/api/jobs/{done_job['id']}/model").status_code == 200


def test_a_live_lr_reaches_a_paused_word2vec_job_at_its_next_step(client):
    """PATCH /settings on a word2vec job: the next step's streamed lr is the new one and a ``settings``
    message records it; a live grad_clip is refused (word2vec does not clip)."""
    job = client.post("/api/jobs", json=w2v_job(epochs=40, batch_size=256, probe_every=1000)).json()
    wait_for(client, job["id"], lambda j: j["status"] == "running")
    assert client.post(f"/api/jobs/{job['id']}/pause").json()["status"] == "paused"
    r = client.patch(f"/api/jobs/{job['id']}/settings", json={"grad_clip": 1.0})
    assert r.status_code == 422 and field_errors(r)["grad_clip"].startswith("word2vec jobs do not clip")
    assert client.patch(f"/api/jobs/{job['id']}/settings", json={"lr": 0.5}).status_code == 200
    assert client.post(f"/api/jobs/{job['id']}/step").status_code == 200
    history = client.get(f"/api/jobs/{job['id']}/metrics").json()["metrics"]
    last = [m for m in history if m["scope"] == "step"][-1]
    assert last["lr"] == 0.5, last
    svc = client.app.state.service
    svc.runs[job["id"]].flush()
    changes = [m for m in map(json.loads, svc.store.messages(job["id"])) if m["type"] == "settings"]
    assert [(c["step"], c["changes"]) for c in changes] == [(last["step"] - 1, {"lr": 0.5})]
    assert client.post(f"/api/jobs/{job['id']}/stop").json()["status"] == "stopped"


def test_a_full_softmax_over_the_whole_corpus_in_one_step_is_refused_by_its_memory(client):
    """Full batch, full softmax, min_count 1 on Milton: logits over the whole vocabulary for every pair
    of the corpus at once (tens of GB): refused at training.batch_size before it can exhaust the memory."""
    network = {"full_softmax": True, "min_count": 1, "embedding_dim": 4}
    errors = field_errors(client.post("/api/jobs", json=w2v_job(network, "milton_words", batch_size="full")))
    assert "max_activation_mb" in errors["training.batch_size"] and "negative sampling" in errors["training.batch_size"]
    ok = client.post("/api/networks/validate", json=w2v_job(network, "milton_words", batch_size=256))
    assert ok.status_code == 200, ok.text
