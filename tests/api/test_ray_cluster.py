"""A second Ray node joined to the test session's local Ray (``ray start --address ... --num-cpus 1`` on
this machine) receives jobs: three jobs of one CPU each on a 2-CPU head and a 1-CPU node must use
both; each job's record names its node, and ``/api/health`` lists both nodes with their jobs."""

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from nnplay.api.app import create_app
from tests.api.helpers import wait_for
from tests.api.test_control import spiral_spec

JOIN_TIMEOUT_S = 120


@pytest.fixture
def second_node(local_ray):
    """A 1-CPU Ray node of the session's cluster, as a child process; its id."""
    before = {n["NodeID"] for n in local_ray.nodes() if n["Alive"]}
    address = local_ray.get_runtime_context().gcs_address
    ray_cli = Path(sys.executable).parent / "ray"
    proc = subprocess.Popen([str(ray_cli), "start", "--address", address, "--num-cpus", "1", "--block",
                             "--object-store-memory", str(100 * 2**20), "--disable-usage-stats"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + JOIN_TIMEOUT_S
        while not (new := {n["NodeID"] for n in local_ray.nodes() if n["Alive"]} - before):
            assert proc.poll() is None and time.monotonic() < deadline, "the second Ray node did not join"
            time.sleep(0.5)  # polling the cluster's node table while the node starts
        yield new.pop()
    finally:
        proc.terminate()  # `ray start --block` stops the node's processes when it ends
        proc.wait(timeout=60)
        current = Path(tempfile.gettempdir()) / "ray" / "ray_current_cluster"  # written by `ray start`
        if current.is_file() and current.read_text().strip() == address:
            current.unlink()


def test_a_second_node_receives_jobs_and_placement_names_it(second_node, settings, local_ray):
    settings.executor, settings.ray_warm_actors = "ray", 0
    with TestClient(create_app(settings)) as client:
        ids = [client.post("/api/jobs", json=spiral_spec()).json()["id"] for _ in range(3)]
        for job_id in ids:  # each waits before its first step, holding its CPU, until stopped
            assert client.post(f"/api/jobs/{job_id}/pause").status_code == 200
        jobs = [wait_for(client, job_id, lambda j: j["status"] == "paused" and j["placement"], timeout=300)
                for job_id in ids]
        health = client.get("/api/health").json()
        for job_id in ids:
            assert client.post(f"/api/jobs/{job_id}/stop").json()["status"] == "stopped"
    head = local_ray.get_runtime_context().get_node_id()
    assert {job["placement"]["node"] for job in jobs} == {head, second_node}  # the 2-CPU head holds 2
    assert health["executor"] == "ray" and health["free_cpus"] == 0
    listed = {n["node"]: n for n in health["nodes"] if n["alive"]}
    assert (listed[head]["cpus"], listed[head]["jobs"]) == (2, 2)
    assert (listed[second_node]["cpus"], listed[second_node]["jobs"]) == (1, 1)
