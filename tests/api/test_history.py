"""Bounded history: stored visual frames are thinned (first and latest kept), metrics are all kept,
a live run's memory window stays bounded, long histories downsample for drawing, and a client that
stops reading is closed so its slot frees."""

import base64
import json
import os
import socket
import time
import urllib.request

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from nnplay.jobs import run as run_module
from nnplay.jobs.history import keep_indices
from tests.api.helpers import wait_done, wait_for
from tests.api.test_control import spiral_spec, step_metrics
from tests.serverproc import ServerProcess


def test_keep_indices_keeps_first_last_and_every_spike():
    values = [1.0] * 1000
    values[337], values[612] = 50.0, None  # a spike and a non-finite loss
    kept = keep_indices(values, 40)
    assert kept[0] == 0 and kept[-1] == 999 and 337 in kept and 612 in kept
    assert len(kept) <= 42 and keep_indices(values[:30], 40) == list(range(30))


def test_frames_are_thinned_metrics_kept_and_the_live_window_bounded(client, monkeypatch):
    monkeypatch.setattr(run_module, "FRAMES_KEPT", 4)
    monkeypatch.setattr(run_module, "LIVE_WINDOW", 16)
    svc = client.app.state.service
    # slow motion (30 steps a second, ~3 s): the job is still running once 200 messages are stored
    job_id = client.post("/api/jobs", json=spiral_spec(epochs=6, probe_every=1, max_steps_per_s=30)).json()["id"]
    wait_for(client, job_id, lambda j: j["last_seq"] > 200)
    client.post(f"/api/jobs/{job_id}/pause")
    assert len(svc.runs[job_id].texts) <= 16 + 1  # the window, plus the status after the last flush
    client.post(f"/api/jobs/{job_id}/resume")
    job = wait_done(client, job_id)
    assert job["status"] == "completed"
    frames = [json.loads(t) for t in svc.store.messages(job_id, types=("decision_boundary",))]
    steps = [m["step"] for m in step_metrics(client, job_id)]
    assert steps == list(range(1, 97))  # 6 epochs of 16 steps: every step metric is kept
    assert 4 <= len(frames) <= 8 and frames[0]["step"] == 0 and frames[-1]["step"] == 96
    with client.websocket_connect(f"/api/jobs/{job_id}/stream") as ws:  # a replay: in order, no repeats
        seqs = []
        while not seqs or json.loads(last)["type"] != "status" or json.loads(last)["status"] != "completed":
            last = ws.receive_text()
            seqs.append(json.loads(last)["seq"])
    assert seqs == sorted(set(seqs)) and len(seqs) == len(svc.store.messages(job_id))


def test_metrics_max_points_downsamples_and_validates(client):
    job_id = client.post("/api/jobs", json=spiral_spec(epochs=5)).json()["id"]
    wait_done(client, job_id)
    full = step_metrics(client, job_id)
    res = client.get(f"/api/jobs/{job_id}/metrics", params={"max_points": 10})
    thin = [m for m in res.json()["metrics"] if m["scope"] == "step"]
    assert len(full) == 80 and len(thin) <= 12  # 5 epochs of 16 steps
    assert thin[0] == full[0] and thin[-1] == full[-1]
    assert min(m["train_loss"] for m in thin) == min(m["train_loss"] for m in full)
    assert client.get(f"/api/jobs/{job_id}/metrics", params={"max_points": 5}).status_code == 422


def _stalled_websocket(url: str, path: str) -> socket.socket:
    """A websocket opened by hand that never reads: its receive buffer fills and the server's sends wait."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
    return sock


def _viewer_gets_a_message(ws_url: str) -> bool:
    """A new viewer's first message, or False when it is turned away with 1013 (the slot is taken)."""
    try:
        with connect(ws_url, open_timeout=30) as ws:
            return "seq" in json.loads(ws.recv(timeout=30))
    except ConnectionClosed as exc:
        if exc.rcvd is not None and exc.rcvd.code == 1013:
            return False
        raise


def test_a_client_that_stops_reading_is_closed_and_frees_its_slot(tmp_path):
    server = ServerProcess(tmp_path, NNPLAY_STREAM_SEND_TIMEOUT_S="2", NNPLAY_MAX_CLIENTS_PER_JOB="1").start()
    stalled = None
    try:
        body = json.dumps(spiral_spec(epochs=300, probe_every=1)).encode()
        req = urllib.request.Request(f"{server.url}/api/jobs", body, {"Content-Type": "application/json"})
        job_id = json.loads(urllib.request.urlopen(req).read())["id"]
        path = f"/api/jobs/{job_id}/stream"
        stalled = _stalled_websocket(server.url, path)
        deadline = time.monotonic() + 120
        while not _viewer_gets_a_message(server.url.replace("http", "ws") + path):
            assert time.monotonic() < deadline, "the client that stopped reading kept its slot"
            time.sleep(0.5)  # polling a remote server's state
    finally:
        if stalled is not None:
            stalled.close()
        server.stop()
