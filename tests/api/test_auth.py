"""With NNPLAY_API_TOKEN set, every /api route (but health) and the websocket require the token."""

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from nnplay.api.app import create_app
from tests.api.helpers import wait_done
from tests.conftest import job_spec

TOKEN = "s3cret-token-for-tests"


@pytest.fixture
def secured(settings):
    with TestClient(create_app(settings.model_copy(update={"api_token": TOKEN}))) as client:
        yield client


def api_routes(client) -> list[tuple[str, str]]:
    """Every REST route from the app's own OpenAPI schema, path parameters filled in."""
    schema = client.app.openapi()
    return [(method, path.replace("{job_id}", "abc")) for path, ops in schema["paths"].items()
            for method in ops if path.startswith("/api/") and path != "/api/health"]


def test_every_route_needs_the_token(secured):
    routes = api_routes(secured)
    assert len(routes) >= 9
    for method, path in routes:
        r = secured.request(method.upper(), path, json={})
        assert r.status_code == 401, (method, path)
        assert r.headers["www-authenticate"] == "Bearer"
        r = secured.request(method.upper(), path, json={}, headers={"Authorization": "Bearer wrong-token-x"})
        assert r.status_code == 401, (method, path)
    assert secured.get("/api/health").status_code == 200
    assert secured.get("/").status_code == 200  # the page itself loads and asks for the token


def test_the_token_opens_everything(secured):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert secured.get("/api/jobs", headers=auth).status_code == 200
    job = secured.post("/api/jobs", json=job_spec(epochs=1), headers=auth).json()
    secured.headers.update(auth)
    wait_done(secured, job["id"])
    secured.headers.pop("Authorization")
    with secured.websocket_connect(f"/api/jobs/{job['id']}/stream?token={TOKEN}") as ws:
        assert ws.receive_json()["seq"] == 1


def test_websocket_without_token_closes_with_1008(secured):
    for url in ("/api/jobs/abc/stream", "/api/jobs/abc/stream?token=nope"):
        with pytest.raises(WebSocketDisconnect) as info:
            with secured.websocket_connect(url) as ws:
                ws.receive_json()
        assert info.value.code == 1008


def test_cors_origins_setting(settings):
    with TestClient(create_app(settings.model_copy(update={"cors_origins": ["http://teach.example"]}))) as client:
        r = client.options("/api/jobs", headers={"Origin": "http://teach.example",
                                                 "Access-Control-Request-Method": "POST"})
        assert r.headers["access-control-allow-origin"] == "http://teach.example"
        r = client.get("/api/health", headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in r.headers
