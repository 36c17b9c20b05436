"""Limits that protect the server: each refusal is a 4xx naming the limit and the value."""

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from nnplay.api.app import create_app
from nnplay.cli import is_loopback, main
from tests.api.helpers import wait_done, wait_for
from tests.conftest import job_spec


def app_client(settings, **overrides):
    return TestClient(create_app(settings.model_copy(update=overrides)))


def test_body_size_limit(settings):
    with app_client(settings, max_body_bytes=2048) as client:
        body = job_spec()
        body["name"] = "x" * 150
        assert client.post("/api/networks/validate", json={k: body[k] for k in ("dataset", "network")}).status_code == 200
        big = b'{"dataset": {"name": "digits"}, "pad": "' + b"x" * 5000 + b'"}'
        r = client.post("/api/jobs", content=big, headers={"content-type": "application/json"})
        assert r.status_code == 413 and "max_body_bytes" in r.json()["detail"][0]["msg"] and "5,0" in r.json()["detail"][0]["msg"]

        def chunks():  # no content-length: counted while reading
            yield b'{"pad": "'
            for _ in range(10):
                yield b"y" * 1000
            yield b'"}'
        r = client.post("/api/jobs", content=chunks(), headers={"content-type": "application/json"})
        assert r.status_code == 413 and "max_body_bytes" in r.json()["detail"][0]["msg"]
        assert client.get("/api/health").status_code == 200


def test_activation_memory_limit(settings):
    with app_client(settings, max_activation_mb=1.0) as client:
        layers = [{"type": "conv2d", "out_channels": 64, "kernel_size": 3, "padding": "same"},
                  {"type": "flatten"}, {"type": "linear", "out_features": 10}]
        r = client.post("/api/jobs", json=job_spec(layers=layers, batch_size=256))
        assert r.status_code == 422
        err = r.json()["detail"][0]
        assert err["field"] == "training.batch_size" and "max_activation_mb" in err["msg"] and "MiB" in err["msg"]
        assert client.post("/api/jobs", json=job_spec(layers=layers, batch_size=8)).status_code == 201


def test_clients_per_job_limit(settings):
    with app_client(settings, max_clients_per_job=1) as client:
        job = client.post("/api/jobs", json=job_spec(epochs=100)).json()
        with client.websocket_connect(f"/api/jobs/{job['id']}/stream") as first:
            first.receive_json()
            with pytest.raises(WebSocketDisconnect) as info:
                with client.websocket_connect(f"/api/jobs/{job['id']}/stream") as second:
                    second.receive_json()
            assert info.value.code == 1013 and "max_clients_per_job" in info.value.reason
        client.post(f"/api/jobs/{job['id']}/stop")
        with client.websocket_connect(f"/api/jobs/{job['id']}/stream") as again:  # the slot was freed
            assert again.receive_json()["seq"] == 1


def test_stored_jobs_limit_refuses_or_prunes(settings):
    with app_client(settings, max_stored_jobs=2) as client:
        ids = [client.post("/api/jobs", json=job_spec(epochs=1)).json()["id"] for _ in range(2)]
        for job_id in ids:
            wait_done(client, job_id)
        r = client.post("/api/jobs", json=job_spec(epochs=1))
        assert r.status_code == 409 and "max_stored_jobs" in r.json()["detail"] and "2 jobs" in r.json()["detail"]
    with app_client(settings, max_stored_jobs=2, prune_finished_jobs=True) as client:
        r = client.post("/api/jobs", json=job_spec(epochs=1))
        assert r.status_code == 201
        remaining = {j["id"] for j in client.get("/api/jobs").json()}
        assert remaining == {ids[1], r.json()["id"]}  # the oldest finished job went


def test_queue_position_under_the_concurrency_limit(settings):
    with app_client(settings, max_concurrent_jobs=1) as client:
        first = client.post("/api/jobs", json=job_spec(epochs=300)).json()
        wait_for(client, first["id"], lambda j: j["status"] == "running")
        queued = client.post("/api/jobs", json=job_spec(epochs=1)).json()
        assert queued["status"] == "queued" and queued["queue_position"] == 1
        client.post(f"/api/jobs/{first['id']}/stop")
        assert wait_done(client, queued["id"])["status"] == "completed"


def test_serve_refuses_a_public_address_without_token(monkeypatch, capsys):
    from nnplay.settings import get_settings

    monkeypatch.delenv("NNPLAY_API_TOKEN", raising=False)
    get_settings.cache_clear()
    try:
        assert main(["serve", "--host", "0.0.0.0", "--port", "1"]) == 2
    finally:
        get_settings.cache_clear()
    assert "NNPLAY_API_TOKEN" in capsys.readouterr().err
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4")
