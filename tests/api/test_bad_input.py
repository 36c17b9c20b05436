"""Bad input: each answers a 4xx naming the field, and the server keeps serving."""

import pytest

from tests.api.helpers import wait_done, wait_for
from tests.conftest import job_spec


def post_job(client, body):
    return client.post("/api/jobs", json=body)


def only_error(r, status=422) -> dict:
    assert r.status_code == status, r.text
    errors = r.json()["detail"]
    assert errors, r.text
    return errors[0]


def test_unknown_layer_type_lists_valid_ones(client):
    err = only_error(post_job(client, job_spec(layers=[{"type": "flatten"}, {"type": "dense", "out_features": 10}])))
    assert err["field"] == "network.layers[1]" and "'linear'" in err["msg"] and "'conv2d'" in err["msg"]


def test_a_misspelt_layer_type_suggests_the_closest_then_lists_all(client):
    err = only_error(post_job(client, job_spec(layers=[{"type": "flatten"}, {"type": "rleu"}])))
    assert err["field"] == "network.layers[1]", err
    assert err["msg"].startswith("unknown layer type 'rleu'; did you mean 'relu'? known types: 'linear', 'conv2d'"), err
    assert "Input tag" not in err["msg"] and "'gru'" in err["msg"], err
    err = only_error(post_job(client, job_spec(layers=[{"type": "flatten"}, {"type": "zzz"}])))  # nothing close
    assert err["msg"].startswith("unknown layer type 'zzz'; known types: 'linear'"), err
    err = only_error(post_job(client, job_spec(layers=[{"out_features": 3}])))  # no type at all
    assert err["field"] == "network.layers[0]" and err["msg"].startswith('a layer needs a "type": one of \'linear\''), err


def test_misspelt_names_of_other_fixed_sets_suggest_the_closest(client):
    err = only_error(post_job(client, job_spec(lr_schedule={"type": "stpe"})))
    assert err["field"] == "training.lr_schedule" and "unknown lr_schedule type 'stpe'; did you mean 'step'?" in err["msg"], err
    err = only_error(post_job(client, job_spec(optimizer="adma")))
    assert err["field"] == "training.optimizer" and err["msg"].endswith("did you mean 'adam'?"), err
    err = only_error(post_job(client, job_spec(dataset={"name": "mnits"})))
    assert err["field"] == "dataset.name" and err["msg"].startswith("unknown data set 'mnits'; did you mean 'mnist'? known: digits"), err


def test_an_empty_layer_list_says_to_add_a_layer(client):
    body = job_spec()
    body["network"]["layers"] = []
    for path in ("/api/jobs", "/api/networks/validate"):
        err = only_error(client.post(path, json=body))
        assert (err["field"], err["msg"]) == ("network.layers", "the network has no layers: add at least one layer"), err


def test_conv_on_non_image_dataset(client):
    body = job_spec(layers=[{"type": "conv2d", "out_channels": 4, "kernel_size": 2}], dataset={"name": "iris"})
    err = only_error(post_job(client, body))
    assert err["field"] == "network.layers[0]" and "(4,)" in err["msg"]


def test_pooling_below_one_by_one(client, lenet):
    lenet.insert(6, {"type": "avgpool2d", "kernel_size": 3})
    err = only_error(post_job(client, job_spec(layers=lenet)))
    assert err["field"] == "network.layers[6].kernel_size" and "2x2" in err["msg"]


def test_wrong_in_features(client):
    err = only_error(post_job(client, job_spec(layers=[{"type": "flatten"}, {"type": "linear", "in_features": 8,
                                                                             "out_features": 10}])))
    assert err["field"] == "network.layers[1].in_features"


@pytest.mark.parametrize("layers,field", [
    ([{"type": "flatten"}, {"type": "linear", "out_features": 0}], "network.layers[1].out_features"),
    ([{"type": "conv2d", "out_channels": -3, "kernel_size": 3}], "network.layers[0].out_channels"),
])
def test_zero_or_negative_sizes(client, layers, field):
    err = only_error(post_job(client, job_spec(layers=layers)))
    assert err["field"] == field and "greater than" in err["msg"]


@pytest.mark.parametrize("training,field", [
    ({"lr": 0}, "training.lr"), ({"lr": -1}, "training.lr"), ({"batch_size": 0}, "training.batch_size"),
    ({"epochs": 0}, "training.epochs"),
])
def test_training_ranges(client, training, field):
    err = only_error(post_job(client, job_spec(**training)))
    assert err["field"] == field


def test_epochs_over_the_limit_names_it(client, settings):
    err = only_error(post_job(client, job_spec(epochs=settings.max_epochs + 1)))
    assert err["field"] == "training.epochs" and "max_epochs" in err["msg"] and str(settings.max_epochs + 1) in err["msg"]


def test_network_over_parameter_limit(client, settings):
    layers = [{"type": "flatten"}, {"type": "linear", "out_features": 4000}, {"type": "linear", "out_features": 10}]
    err = only_error(post_job(client, job_spec(layers=layers)))
    assert err["field"] == "network" and "max_params" in err["msg"] and "300,010" in err["msg"]


def test_unknown_dataset_and_extra_field(client):
    err = only_error(post_job(client, job_spec(dataset={"name": "imagenet"})))
    assert err["field"] == "dataset.name"
    body = job_spec()
    body["training"]["learning_rate"] = 0.1
    err = only_error(post_job(client, body))
    assert err["field"] == "training.learning_rate" and err["type"] == "extra_forbidden"


@pytest.mark.parametrize("raw", ["[1, 2]", "42", '"spec"', "{not json", ""])
def test_body_that_is_not_a_json_object(client, raw):
    r = client.post("/api/jobs", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"]
    assert client.get("/api/health").json()["status"] == "ok"


def test_unknown_job_id_is_404(client):
    for method, path in (("get", ""), ("get", "/metrics"), ("post", "/stop"), ("delete", "")):
        r = getattr(client, method)(f"/api/jobs/nope{path}")
        assert r.status_code == 404 and "nope" in r.json()["detail"]


def test_stopping_a_job_twice(client):
    job = post_job(client, job_spec(epochs=200)).json()
    wait_for(client, job["id"], lambda j: j["status"] == "running")
    first = client.post(f"/api/jobs/{job['id']}/stop")
    assert first.status_code == 200 and first.json()["status"] == "stopped"
    second = client.post(f"/api/jobs/{job['id']}/stop")
    assert second.status_code == 409 and "stopped" in second.json()["detail"]


def test_deleting_a_running_job_stops_it_first(client):
    job = post_job(client, job_spec(epochs=200)).json()
    wait_for(client, job["id"], lambda j: j["status"] == "running")
    assert client.delete(f"/api/jobs/{job['id']}").status_code == 204
    assert client.get(f"/api/jobs/{job['id']}").status_code == 404
    assert client.get("/api/health").json()["running_jobs"] == 0
    other = post_job(client, job_spec(epochs=1)).json()
    assert wait_done(client, other["id"])["status"] == "completed"


def test_json_nested_too_deeply_is_a_422_at_body(client):
    for raw in ("[" * 100_000 + "]" * 100_000, '{"a":' * 5000 + "1" + "}" * 5000):
        r = client.post("/api/jobs", content=raw, headers={"content-type": "application/json"})
        err = only_error(r)
        assert err["field"] == "body" and "nested too deeply" in err["msg"]
    assert client.get("/api/jobs/nope").json() == {"detail": "no job with id 'nope'"}  # other errors unchanged
    assert client.get("/api/health").status_code == 200


def test_json_syntax_error_names_line_and_column(client):
    raw = b'{"dataset": {"name": "digits"},\n "network": {"layers": [{"type": "flatten"},]}}'
    r = client.post("/api/jobs", content=raw, headers={"content-type": "application/json"})
    err = only_error(r)
    assert err["field"] == "body" and "line 2, column 45" in err["msg"] and "trailing comma" in err["msg"]


def test_body_without_json_content_type_says_so(client):
    import json
    r = client.post("/api/jobs", content=json.dumps(job_spec()))
    assert "Content-Type: application/json" in only_error(r)["msg"]


@pytest.mark.parametrize("training,field,words", [
    ({"epochs": "10"}, "training.epochs", "valid integer"), ({"epochs": True}, "training.epochs", "valid integer"),
    ({"lr": float("nan")}, "training.lr", "finite"), ({"lr": float("inf")}, "training.lr", "finite"),
])
def test_strict_types_and_finite_numbers(client, training, field, words):
    import json
    body = json.dumps(job_spec(**training), allow_nan=True)
    err = only_error(client.post("/api/jobs", content=body, headers={"content-type": "application/json"}))
    assert err["field"] == field and words in err["msg"]


def test_validate_accepts_a_whole_job_spec(client):
    assert client.post("/api/networks/validate", json={**job_spec(), "name": "mine"}).status_code == 200


@pytest.mark.parametrize("after", ["-1", "abc", "99999999999999999999999", "9223372036854775808",
                                   "\u00b2", "\u0661", "1\u0661"])  # superscript two, Arabic-Indic one
def test_stream_after_out_of_range_closes_naming_it(client, after):
    from urllib.parse import quote

    from starlette.websockets import WebSocketDisconnect
    job = post_job(client, job_spec(epochs=1)).json()
    with pytest.raises(WebSocketDisconnect) as info:
        with client.websocket_connect(f"/api/jobs/{job['id']}/stream?after={quote(after)}") as ws:
            ws.receive_json()
    assert info.value.code == 1008 and "after" in info.value.reason
    assert client.get("/api/health").status_code == 200


def test_docs_are_served_without_a_cdn(client):
    page = client.get("/docs").text
    assert "/vendor/swagger/swagger-ui-bundle.js" in page and "cdn" not in page
    assert client.get("/vendor/swagger/swagger-ui-bundle.js").status_code == 200


# ---- recurrent networks and sequence data ----------------------------------------------------------

LSTM_FORECASTER = [{"type": "lstm", "hidden_size": 8}, {"type": "linear", "out_features": 1}]


@pytest.mark.parametrize("dataset,layers,field", [
    ({"name": "sunspots"}, [{"type": "flatten"}] + LSTM_FORECASTER, "network.layers[1]"),
    ({"name": "sunspots"}, [{"type": "rnn", "hidden_size": 4}] + LSTM_FORECASTER, "network.layers[0].return_sequences"),
    ({"name": "sunspots"}, [{"type": "gru", "hidden_size": 0}, {"type": "linear", "out_features": 1}],
     "network.layers[0].hidden_size"),
    ({"name": "sunspots", "window": 500}, LSTM_FORECASTER, "dataset.window"),
    ({"name": "adding"}, [{"type": "embedding", "embedding_dim": 4}] + LSTM_FORECASTER, "network.layers[0]"),
    ({"name": "co2", "seq_len": 0}, LSTM_FORECASTER, "dataset.seq_len"),
])
def test_bad_recurrent_specs_name_the_layer_or_field(client, dataset, layers, field):
    err = only_error(post_job(client, job_spec(layers=layers, dataset=dataset, loss="mse")))
    assert err["field"] == field, err
    assert client.get("/api/health").status_code == 200


def test_datasets_list_sequence_shapes_and_vocabulary(client):
    datasets = {d["name"]: d for d in client.get("/api/datasets").json()}
    chars = datasets["shakespeare_chars"]
    assert chars["kind"] == "text" and chars["vocab"][0] == "<unk>" and chars["vocab_size"] == len(chars["vocab"])
    assert chars["target_shape"] == [100] and chars["n_samples"] > 10_000
    assert datasets["sunspots"]["input_shape"] == [22, 1] and datasets["sunspots"]["target_shape"] == [1]
    assert "window" in datasets["sunspots"]["params"] and datasets["adding"]["kind"] == "sequence"
    layers = {entry["type"]: entry for entry in client.get("/api/layers").json()}
    assert layers["lstm"]["probe"] == "gates" and layers["embedding"]["probe"] == "weights"


def test_temperature_must_be_positive(client):
    layers = [{"type": "embedding", "embedding_dim": 4}, {"type": "lstm", "hidden_size": 4, "return_sequences": True},
              {"type": "linear", "out_features": 74}]
    err = only_error(post_job(client, job_spec(layers=layers, dataset={"name": "shakespeare_chars"}, temperature=0)))
    assert err["field"] == "training.temperature" and "greater than 0" in err["msg"]


def test_a_5000_digit_number_is_a_422_saying_so(client):
    raw = '{"dataset": {"name": "digits", "seed": ' + "9" * 5000 + "}}"
    err = only_error(client.post("/api/jobs", content=raw, headers={"content-type": "application/json"}))
    assert err["field"] == "body" and "number is too long" in err["msg"] and "nested" not in err["msg"]


def test_a_form_with_too_many_parts_is_a_422_in_the_one_format(client):
    fields = [(f"f{i}", (None, b"x")) for i in range(1001)]
    r = client.post("/api/datasets", files=[("file", ("t.csv", b"a,y\n1,2\n", "text/csv")), *fields])
    err = only_error(r)
    assert err["field"] == "body" and "Too many fields" in err["msg"] and "multipart/form-data" in err["msg"]


@pytest.mark.parametrize("extra, status", [(0, 201), (1, 413)])
def test_a_file_of_exactly_max_upload_bytes_is_accepted(settings, extra, status):
    """413 only past the limit: the multipart envelope around the file does not count."""
    from fastapi.testclient import TestClient

    from nnplay.api.app import create_app
    limit = 4096
    with TestClient(create_app(settings.model_copy(update={"max_upload_bytes": limit}))) as c:
        content = (b"a,y\n" + b"1,2\n" * limit)[: limit + extra]  # 4 + 4 * 1023 = 4096: whole rows
        r = c.post("/api/datasets", files={"file": ("t.csv", content, "text/csv")},
                   data={"target": "y", "task": "regression", "name": "exact"})
        assert r.status_code == status, r.text
        if status == 413:
            assert r.json()["detail"][0]["field"] == "file" and "max_upload_bytes 4,096" in r.json()["detail"][0]["msg"]


@pytest.mark.parametrize("max_points", ["\u00b2\u00b2", "\u0661\u0660\u0660"])
def test_stream_max_points_in_non_ascii_digits_closes_naming_it(client, max_points):
    from urllib.parse import quote

    from starlette.websockets import WebSocketDisconnect
    job = post_job(client, job_spec(epochs=1)).json()
    with pytest.raises(WebSocketDisconnect) as info:
        with client.websocket_connect(f"/api/jobs/{job['id']}/stream?max_points={quote(max_points)}") as ws:
            ws.receive_json()
    assert info.value.code == 1008 and "max_points" in info.value.reason
