"""The web surface is closed by default: cross-site requests (CSRF), foreign Host headers (DNS
rebinding), security headers on every response, tokens kept out of logs."""

import base64
import hashlib
import logging
import re
import urllib.error
import urllib.request

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from starlette.websockets import WebSocketDisconnect

from nnplay.api.app import create_app
from nnplay.settings import Settings
from tests.api.helpers import wait_done
from tests.conftest import job_spec
from tests.serverproc import ServerProcess

CSV = b"a,b,label\n" + b"".join(f"{i},{i % 3},{'x' if i % 2 else 'y'}\n".encode() for i in range(40))
EVIL = "http://evil.example"


def upload(client, name: str, headers: dict | None = None):
    return client.post("/api/datasets", files={"file": ("t.csv", CSV, "text/csv")},
                       data={"target": "label", "task": "classification", "name": name}, headers=headers or {})


def dataset_names(client) -> set[str]:
    return {d["name"] for d in client.get("/api/datasets").json()}


# ---- CSRF ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("headers", [
    {"Origin": EVIL, "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"},  # fetch no-cors
    {"Origin": EVIL, "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"},  # a form post
    {"Origin": EVIL},  # a browser without Fetch metadata
    {"Origin": "null", "Sec-Fetch-Site": "cross-site"},  # a sandboxed frame
    {"Origin": "http://localhost:3000", "Sec-Fetch-Site": "same-site"},  # another port on this machine
])
def test_a_cross_site_upload_is_refused_and_changes_nothing(client, headers):
    r = upload(client, "csrf_set", headers)
    assert r.status_code == 403, r.text
    assert "cross-origin" in r.json()["detail"]
    assert "csrf_set" not in dataset_names(client)


def test_cross_site_job_control_is_refused(client):
    job = client.post("/api/jobs", json=job_spec(epochs=1)).json()
    evil = {"Origin": EVIL, "Sec-Fetch-Site": "cross-site"}
    assert client.post("/api/jobs", json=job_spec(), headers=evil).status_code == 403
    assert client.delete(f"/api/jobs/{job['id']}", headers=evil).status_code == 403
    assert client.patch(f"/api/jobs/{job['id']}/settings", json={"lr": 0.1}, headers=evil).status_code == 403
    wait_done(client, job["id"])
    assert len(client.get("/api/jobs").json()) == 1


@pytest.mark.parametrize("headers", [
    {},  # curl, scripts, notebooks: no browser headers at all
    {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},  # the page itself
    {"Origin": "http://testserver"},  # the page, in a browser without Fetch metadata
    {"Sec-Fetch-Site": "none"},  # typed by the user
])
def test_the_page_and_non_browser_clients_may_upload(client, headers):
    assert upload(client, "ok_set", headers).status_code == 201
    assert "ok_set" in dataset_names(client)


def test_cross_site_reads_still_answer(client):
    """GET changes nothing; a cross-site page cannot read the answer without CORS."""
    assert client.get("/api/jobs", headers={"Origin": EVIL, "Sec-Fetch-Site": "cross-site"}).status_code == 200


def test_an_origin_in_cors_origins_is_trusted(settings):
    with TestClient(create_app(settings.model_copy(update={"cors_origins": ["http://teach.example"]}))) as c:
        headers = {"Origin": "http://teach.example", "Sec-Fetch-Site": "cross-site"}
        assert upload(c, "teach_set", headers).status_code == 201
        assert upload(c, "evil_set", {"Origin": EVIL, "Sec-Fetch-Site": "cross-site"}).status_code == 403


def test_a_cross_site_websocket_is_closed_with_1008(client):
    job = client.post("/api/jobs", json=job_spec(epochs=1)).json()
    wait_done(client, job["id"])
    with pytest.raises(WebSocketDisconnect) as info:
        with client.websocket_connect(f"/api/jobs/{job['id']}/stream", headers={"Origin": EVIL}) as ws:
            ws.receive_json()
    assert info.value.code == 1008 and "cross-origin" in info.value.reason
    with client.websocket_connect(f"/api/jobs/{job['id']}/stream", headers={"Origin": "http://testserver"}) as ws:
        assert ws.receive_json()["seq"] == 1


# ---- Host header (DNS rebinding) -------------------------------------------------------------------

def test_a_foreign_host_header_is_refused(settings):
    plain = settings.model_copy(update={"allowed_hosts": Settings().allowed_hosts})  # the defaults
    with TestClient(create_app(plain), base_url="http://127.0.0.1:8104") as c:
        r = c.get("/api/jobs", headers={"Host": "evil.example:8104"})
        assert r.status_code == 400 and "NNPLAY_ALLOWED_HOSTS" in r.json()["detail"]
        assert c.get("/", headers={"Host": "evil.example"}).status_code == 400
        for host in ("127.0.0.1:8104", "localhost:8104", "[::1]:8104", "LOCALHOST"):
            assert c.get("/api/jobs", headers={"Host": host}).status_code == 200, host
        with pytest.raises(WebSocketDisconnect) as info:
            with c.websocket_connect("/api/jobs/x/stream", headers={"Host": "evil.example"}) as ws:
                ws.receive_json()
        assert info.value.code == 1008


def test_the_address_served_on_and_the_setting_are_allowed(settings):
    s = settings.model_copy(update={"allowed_hosts": ["*.lab.example"], "host": "10.1.2.3"})
    with TestClient(create_app(s), base_url="http://10.1.2.3:8000") as c:
        assert c.get("/api/health").status_code == 200
        assert c.get("/api/health", headers={"Host": "nnplay.lab.example"}).status_code == 200
        assert c.get("/api/health", headers={"Host": "localhost"}).status_code == 400


def test_host_name_parsing():
    from nnplay.api.security import host_name

    assert host_name("[::1]:8000") == "::1" and host_name("Example.ORG") == "example.org"
    assert host_name("a@evil.example") is None and host_name("x:port") is None and host_name("") is None


# ---- security headers ------------------------------------------------------------------------------

def csp_of(response) -> dict[str, str]:
    return {d.split()[0]: d for d in (p.strip() for p in response.headers["content-security-policy"].split(";"))}


def test_every_response_carries_the_security_headers(client):
    for path in ("/", "/api/jobs", "/js/main.js", "/api/jobs/nope"):
        r = client.get(path)
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert r.headers["referrer-policy"] == "no-referrer", path
        csp = csp_of(r)
        assert csp["script-src"] == "script-src 'self'", path
        assert csp["frame-ancestors"] == "frame-ancestors 'none'" and csp["object-src"] == "object-src 'none'"


def test_docs_page_allows_only_its_own_inline_script(client):
    r = client.get("/docs")
    script = re.search(r"<script>(.*?)</script>", r.text, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert csp_of(r)["script-src"] == f"script-src 'self' 'sha256-{digest}'"


# ---- the API token ---------------------------------------------------------------------------------

def test_a_blank_token_is_refused_and_a_padded_one_stripped(tmp_path):
    with pytest.raises(ValidationError, match="blank"):
        Settings(data_dir=tmp_path, api_token="          ")
    assert Settings(data_dir=tmp_path, api_token="  s3cret-token \n").api_token == "s3cret-token"
    assert Settings(data_dir=tmp_path, api_token="").api_token is None


def test_the_log_filter_redacts_tokens():
    from nnplay.api.security import RedactTokens

    # uvicorn.access's record: '%s - "%s %s HTTP/%s" %d' with the path and its query string as args
    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "GET", "/api/jobs/a/stream?after=3&token=s3cret-x", "1.1", 101), None)
    assert RedactTokens().filter(record)
    assert "s3cret-x" not in record.getMessage() and "after=3&token=<redacted>" in record.getMessage()


def test_the_token_never_reaches_the_server_log(tmp_path):
    """A real `nnplay serve` (uvicorn's own access and websocket log lines) with a token in the URL."""
    import websockets.sync.client as wsc

    token = "never-in-logs-9f8e7d"
    server = ServerProcess(tmp_path, NNPLAY_API_TOKEN=token).start()
    try:
        with pytest.raises(urllib.error.HTTPError):  # 401: the token is accepted only in the header
            urllib.request.urlopen(f"{server.url}/api/jobs?token={token}", timeout=10)
        ws_url = server.url.replace("http", "ws") + f"/api/jobs/none/stream?after=0&token={token}"
        with wsc.connect(ws_url, open_timeout=10) as ws:
            with pytest.raises(Exception):
                ws.recv(timeout=10)  # closed: 4404, no such job
    finally:
        server.stop()
    log = server.log.read_text()
    assert "/api/jobs?token=<redacted>" in log and "stream?after=0&token=<redacted>" in log, log[-2000:]
    assert token not in log
