"""The websocket: history first, then live messages, seq without gaps, ending with the final status."""

import json

from tests.api.helpers import wait_done, wait_for
from tests.conftest import job_spec


def read_all(ws) -> list[dict]:
    messages = []
    while True:
        msg = ws.receive_json()
        messages.append(msg)
        if msg["type"] == "status" and msg["status"] in ("completed", "stopped", "failed", "diverged"):
            return messages


def test_client_connecting_mid_run_gets_history_then_live(client, lenet):
    job = client.post("/api/jobs", json=job_spec(layers=lenet, epochs=25, probe_every=10)).json()
    mid = wait_for(client, job["id"], lambda j: j["last_seq"] >= 100 or j["status"] == "completed")
    assert mid["status"] == "running", "the job finished before the client connected"
    with client.websocket_connect(f"/api/jobs/{job['id']}/stream") as ws:
        messages = read_all(ws)
    seqs = [m["seq"] for m in messages]
    assert seqs == list(range(1, len(seqs) + 1))
    assert [m["status"] for m in messages if m["type"] == "status"] == ["queued", "running", "completed"]
    assert all(m["v"] == 1 and m["job_id"] == job["id"] for m in messages)
    types = {m["type"] for m in messages}
    # a relu CNN streams its feature maps and its activations' saturation (the activations panel)
    assert types == {"status", "metrics", "data_info", "feature_maps", "gradients", "activation_curves", "saturation",
                     "weights"}
    maps = [m for m in messages if m["type"] == "feature_maps"][-1]
    assert [(layer["type"], layer["shape"]) for layer in maps["layers"]] == [
        ("conv2d", [6, 8, 8]), ("maxpool2d", [6, 4, 4]), ("conv2d", [16, 4, 4]), ("maxpool2d", [16, 2, 2])]
    assert maps["input"]["shape"] == [1, 8, 8] and maps["layers"][0]["vmin"] <= maps["layers"][0]["vmax"]
    final = messages[-1]["final"]
    assert final["test_accuracy"] >= 0.9
    assert len(messages) > mid["last_seq"]  # it kept receiving live messages after connecting


def test_resume_after_seq_and_replay_of_finished_job(client):
    job = client.post("/api/jobs", json=job_spec(epochs=2)).json()
    done = wait_done(client, job["id"])
    with client.websocket_connect(f"/api/jobs/{job['id']}/stream?after=10") as ws:
        messages = read_all(ws)
    assert messages[0]["seq"] == 11 and messages[-1]["seq"] == done["last_seq"]
    with client.websocket_connect(f"/api/jobs/{job['id']}/stream") as ws:
        assert ws.receive_json()["seq"] == 1


def test_two_clients_and_a_vanishing_one_do_not_disturb_the_job(client):
    job = client.post("/api/jobs", json=job_spec(epochs=20, probe_every=20)).json()
    with client.websocket_connect(f"/api/jobs/{job['id']}/stream") as quitter:
        quitter.receive_json()  # reads one message and leaves
    with client.websocket_connect(f"/api/jobs/{job['id']}/stream") as ws:
        messages = read_all(ws)
    assert messages[-1]["status"] == "completed"
    seqs = [m["seq"] for m in messages]
    assert seqs == sorted(set(seqs)) and seqs[0] == 1
    # a reader that falls far behind may skip superseded visual frames, never anything else
    missing = set(range(1, seqs[-1] + 1)) - set(seqs)
    metrics = client.get(f"/api/jobs/{job['id']}/metrics").json()["metrics"]
    assert {m["seq"] for m in metrics} <= set(seqs)
    assert len([m for m in messages if m["type"] == "gradients"]) == 20 * 45
    assert len(missing) <= 20 * 45 // 20 + 1  # at most every feature_maps frame (probe_every 20) but one


def test_unknown_job_closes_with_4404(client):
    from starlette.websockets import WebSocketDisconnect
    import pytest

    with pytest.raises(WebSocketDisconnect) as info:
        with client.websocket_connect("/api/jobs/nope/stream") as ws:
            ws.receive_json()
    assert info.value.code == 4404


def test_messages_are_valid_json_text(client):
    job = client.post("/api/jobs", json=job_spec(epochs=1)).json()
    wait_done(client, job["id"])
    with client.websocket_connect(f"/api/jobs/{job['id']}/stream") as ws:
        text = ws.receive_text()
    assert json.loads(text)["type"] == "status" and "NaN" not in text


def read_frames(ws) -> list[str]:
    """Raw ``batch=true`` frames up to the one holding the final status."""
    frames = []
    while True:
        frames.append(ws.receive_text())
        last = json.loads(frames[-1])[-1]
        if last["type"] == "status" and last["status"] in ("completed", "stopped", "failed", "diverged"):
            return frames


def test_batched_frames_carry_the_same_messages_in_order_as_single_ones(client):
    from nnplay.api.stream import BATCH_BYTES

    job = client.post("/api/jobs", json=job_spec(epochs=3, probe_every=2)).json()
    wait_done(client, job["id"])
    with client.websocket_connect(f"/api/jobs/{job['id']}/stream") as ws:
        single = read_all(ws)
    with client.websocket_connect(f"/api/jobs/{job['id']}/stream?batch=true&max_points=10") as ws:
        frames = read_frames(ws)
    with client.websocket_connect(f"/api/jobs/{job['id']}/stream?max_points=10") as ws:
        downsampled = read_all(ws)
    batched = [json.loads(frame) for frame in frames]
    assert all(isinstance(b, list) and b for b in batched)
    assert [m for b in batched for m in b] == downsampled  # the same messages, max_points applied alike
    assert len(downsampled) < len(single)
    with client.websocket_connect(f"/api/jobs/{job['id']}/stream?batch=1") as ws:
        frames = read_frames(ws)
    assert [m for frame in frames for m in json.loads(frame)] == single
    assert len(frames) < len(single) / 10  # far fewer frames than messages
    assert all(len(frame) <= BATCH_BYTES or len(json.loads(frame)) == 1 for frame in frames)


def test_batched_live_stream_is_contiguous_from_history_into_live(client, lenet):
    job = client.post("/api/jobs", json=job_spec(layers=lenet, epochs=25, probe_every=10)).json()
    mid = wait_for(client, job["id"], lambda j: j["last_seq"] >= 100 or j["status"] == "completed")
    assert mid["status"] == "running", "the job finished before the client connected"
    with client.websocket_connect(f"/api/jobs/{job['id']}/stream?batch=true") as ws:
        messages = [m for frame in read_frames(ws) for m in json.loads(frame)]
    seqs = [m["seq"] for m in messages]
    assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) > mid["last_seq"]
    assert messages[-1]["status"] == "completed"


def test_frames_split_at_the_byte_bound_and_keep_a_large_message_whole():
    from nnplay.api.stream import BATCH_BYTES, frames

    small, large = '{"a":1}', '{"b":"' + "x" * BATCH_BYTES + '"}'
    texts = [small] * 3 + [large] + [small] * 2
    out = frames(texts)
    assert [json.loads(f) for f in out] == [[{"a": 1}] * 3, [json.loads(large)], [{"a": 1}] * 2]
    many = [small] * (BATCH_BYTES // len(small) * 3)
    out = frames(many)
    assert len(out) == 4 and all(len(f) <= BATCH_BYTES for f in out)
    assert sum(len(json.loads(f)) for f in out) == len(many)
    assert frames([]) == []
    wide = '{"c":"' + "\u2423" * 1000 + '"}'  # 1,008 characters, 3,008 bytes of UTF-8
    out = frames([wide] * 200)
    assert all(len(f.encode()) <= BATCH_BYTES for f in out) and len(out) == 3
    assert sum(len(json.loads(f)) for f in out) == 200


def test_stream_batch_other_than_true_or_false_closes_naming_it(client):
    import pytest
    from starlette.websockets import WebSocketDisconnect

    job = client.post("/api/jobs", json=job_spec(epochs=1)).json()
    with pytest.raises(WebSocketDisconnect) as info:
        with client.websocket_connect(f"/api/jobs/{job['id']}/stream?batch=yes") as ws:
            ws.receive_json()
    assert info.value.code == 1008 and "batch" in info.value.reason
