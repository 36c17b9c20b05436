"""Faults and edge cases at the edge: damaged checkpoints answer 409 and change nothing, names
without control characters, batch norm that cannot run refused at validation."""

import pytest
import torch

from tests.api.helpers import wait_done, wait_for
from tests.conftest import job_spec


def stopped_job(client) -> dict:
    """A job stopped mid-run, with its checkpoint (written when a running job is stopped)."""
    job = client.post("/api/jobs", json=job_spec(epochs=200)).json()
    wait_for(client, job["id"], lambda j: j["last_seq"] > 5)
    assert client.post(f"/api/jobs/{job['id']}/stop").json()["status"] == "stopped"
    return client.get(f"/api/jobs/{job['id']}").json()


def checkpoint_path(client, job_id: str):
    return client.app.state.service.checkpoints.path(job_id)


DAMAGE = {"empty": lambda data: b"", "truncated": lambda data: data[: len(data) // 2],
          "random": lambda data: bytes(torch.randint(0, 256, (4096,), generator=torch.Generator().manual_seed(0),
                                                     dtype=torch.uint8).tolist())}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_checkpoint_answers_409_and_changes_nothing(client, damage):
    job = stopped_job(client)
    path = checkpoint_path(client, job["id"])
    path.write_bytes(DAMAGE[damage](path.read_bytes()))
    metrics = client.get(f"/api/jobs/{job['id']}/metrics").json()
    for method, url in (("POST", "resume"), ("GET", "model"), ("GET", "model.onnx")):
        r = client.request(method, f"/api/jobs/{job['id']}/{url}")
        assert r.status_code == 409, (url, r.text)
        assert "checkpoint" in r.json()["detail"] and "cannot be read" in r.json()["detail"], url
    assert client.get(f"/api/jobs/{job['id']}").json() == job
    assert client.get(f"/api/jobs/{job['id']}/metrics").json() == metrics


@pytest.mark.parametrize("field, value", [("step", -5), ("seq", 10**9 * 10**9), ("step", 2.5), ("seq", None)])
def test_an_impossible_checkpoint_is_refused_before_resume_changes_anything(client, field, value):
    import json

    job = stopped_job(client)
    path = client.app.state.service.checkpoints.meta_path(job["id"])  # {"step", "final", "seq"}
    meta = json.loads(path.read_text())
    path.write_text(json.dumps({**meta, field: value}))
    metrics = client.get(f"/api/jobs/{job['id']}/metrics").json()
    r = client.post(f"/api/jobs/{job['id']}/resume")
    assert r.status_code == 409 and f"has {field} {value!r}" in r.json()["detail"]
    assert client.get(f"/api/jobs/{job['id']}").json() == job  # no "resumed from step -5", same last_seq
    assert client.get(f"/api/jobs/{job['id']}/metrics").json() == metrics
    path.write_text(json.dumps(meta))  # the real checkpoint: resume works again
    assert client.post(f"/api/jobs/{job['id']}/resume").status_code == 200
    client.post(f"/api/jobs/{job['id']}/stop")


@pytest.mark.parametrize("name", ["a\x00b", "line\nbreak", "tab\there", "esc\x1b[31m", "del\x7f", "c1\x85"])
def test_control_characters_in_names_are_refused(client, name):
    for url, body in (("/api/jobs", {**job_spec(), "name": name}),
                      ("/api/races", {"name": name, "base": job_spec(), "field": "training.lr", "values": [0.1, 0.2]})):
        r = client.post(url, json=body)
        assert r.status_code == 422, url
        entry = r.json()["detail"][0]
        assert entry["field"] == "name" and "control characters" in entry["msg"]
    assert client.get("/api/jobs").json() == []


def test_printable_names_still_export_code_that_parses(client):
    job = client.post("/api/jobs", json={**job_spec(epochs=1), "name": "naïve \"quoted\" — ünïcode 名前"}).json()
    wait_done(client, job["id"])
    code = client.get(f"/api/jobs/{job['id']}/code").text
    compile(code, "exported.py", "exec")


@pytest.mark.parametrize("layers, dataset", [
    ([{"type": "linear", "out_features": 8}, {"type": "batchnorm1d"}, {"type": "linear", "out_features": 2}],
     {"name": "xor"}),
    ([{"type": "conv2d", "out_channels": 2, "kernel_size": 8}, {"type": "batchnorm2d"}, {"type": "flatten"},
      {"type": "linear", "out_features": 10}], None),  # (2, 1, 1) maps: one value per channel
])
def test_batch_norm_on_one_value_per_channel_is_refused_at_batch_size(client, layers, dataset):
    r = client.post("/api/jobs", json=job_spec(layers=layers, dataset=dataset, batch_size=1))
    assert r.status_code == 422, r.text
    entry = r.json()["detail"][0]
    assert entry["field"] == "training.batch_size" and "batch_size 1" in entry["msg"] and "layer 1" in entry["msg"]
    ok = client.post("/api/networks/validate", json=job_spec(layers=layers, dataset=dataset, batch_size=2))
    assert ok.status_code == 200


def test_batchnorm2d_on_maps_trains_with_batch_size_one(client):
    """(4, 8, 8) maps give 64 values per channel even for one example: torch normalises them."""
    layers = [{"type": "conv2d", "out_channels": 4, "kernel_size": 3, "padding": 1}, {"type": "batchnorm2d"},
              {"type": "flatten"}, {"type": "linear", "out_features": 10}]
    assert client.post("/api/networks/validate", json=job_spec(layers=layers, batch_size=1)).status_code == 200
