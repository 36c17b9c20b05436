"""A second Ray node joined to the test session's local Ray (``ray start --address ... --num-cpus 1`` on
this machine) receives jobs: three jobs of one CPU each on a 2-CPU head and a 1-CPU node must use
both; each job's record names its node, and ``/api/health`` lists both nodes with their jobs."""

import os
import secrets
import socket
import subprocess
import sys
import threading
import tempfile
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from nnplay.api.app import create_app
from tests.api.helpers import wait_for
from tests.api.test_control import spiral_spec
from tests.conftest import job_spec
from tests.serverproc import ServerProcess, free_port

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


def test_a_new_actor_waiting_for_cpus_that_warm_actors_hold_takes_a_warm_one(local_ray, tmp_path):
    """Both CPUs of the 2-CPU Ray held by actors that become warm only after a job's new actor was
    created: the new actor can never be placed, so the job takes a warm actor and the new one is ended
    (a classroom of queued jobs once waited forever here, the queue stuck behind two warm actors)."""
    from nnplay.jobs.cluster import RayExecutor
    from nnplay.jobs.executor import RunRequest
    from nnplay.spec.network import JobSpec

    executor = RayExecutor(None, 1, "cpu", {"data_dir": tmp_path}, warm=2)
    executor.start()
    try:
        holders = [executor.actor_class.remote(executor.options) for _ in range(2)]
        wheres = local_ray.get([a.where.remote() for a in holders])
        created, real_class = threading.Event(), executor.actor_class

        class Recorded:  # the actor class, telling the test when the job's new actor exists
            @staticmethod
            def remote(options):
                actor = real_class.remote(options)
                created.set()
                return actor

        executor.actor_class = Recorded
        request = RunRequest("waiting", JobSpec.model_validate(job_spec()), emit=print, publish=print,
                             should_stop=lambda: False, before=lambda: True)
        got = {}
        chooser = threading.Thread(target=lambda: got.update(result=executor._actor_for(request)), daemon=True)
        chooser.start()
        assert created.wait(JOIN_TIMEOUT_S), "no new actor was created"
        with executor.idle_lock:  # the two holders' jobs end: they are kept warm, holding both CPUs
            executor.idle.extend(zip(holders, wheres))
        chooser.join(JOIN_TIMEOUT_S)
        assert "result" in got, "the job still waits for a CPU that only warm actors hold"
        actor, where = got["result"]
        assert where["pid"] in {w["pid"] for w in wheres}
        local_ray.kill(actor)
    finally:
        executor.shutdown()


@pytest.fixture
def ray_client_head():
    """A Ray cluster of its own (a head of 1 CPU, ``ray start --head --block`` as a child process) with
    a Ray Client server and token authentication on: the ``ray://`` address and its environment."""
    env = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)}
    client_port = free_port()
    ray_cli = Path(sys.executable).parent / "ray"
    proc = subprocess.Popen([str(ray_cli), "start", "--head", "--port", str(free_port()), "--ray-client-server-port",
                             str(client_port), "--num-cpus", "1", "--block", "--disable-usage-stats",
                             "--include-dashboard", "false", "--object-store-memory", str(100 * 2**20)],
                            env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + JOIN_TIMEOUT_S
        while True:  # polling the Ray Client server's port while the head starts
            assert proc.poll() is None and time.monotonic() < deadline, "the Ray head did not start"
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", client_port)) == 0:
                    break
            time.sleep(0.5)
        yield f"ray://127.0.0.1:{client_port}", env
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def test_a_server_on_a_ray_client_address_trains_there(ray_client_head, tmp_path):
    """NNPLAY_RAY_ADDRESS=ray://host:port (Ray Client, token auth): a digits CNN trains on that cluster
    (its record names the cluster's node, /api/health lists it) and its stream is whole."""
    import httpx

    address, env = ray_client_head
    server = ServerProcess(tmp_path, NNPLAY_EXECUTOR="ray", NNPLAY_RAY_ADDRESS=address, **env).start()
    try:
        with httpx.Client(base_url=server.url, timeout=60) as http:
            health = http.get("/api/health").json()
            assert health["executor"] == "ray" and [n["cpus"] for n in health["nodes"]] == [1.0]
            job_id = http.post("/api/jobs", json=job_spec(epochs=1)).json()["id"]
            deadline = time.monotonic() + JOIN_TIMEOUT_S
            while (job := http.get(f"/api/jobs/{job_id}").json())["status"] in ("queued", "running"):
                assert time.monotonic() < deadline, f"the job is still {job['status']}"
                time.sleep(0.5)  # polling the job's record while it trains on the cluster
            assert job["status"] == "completed", job.get("detail")
            assert job["placement"]["node"] == health["nodes"][0]["node"]
            assert 0.5 < job["final"]["test_accuracy"] <= 1
            steps = [m["step"] for m in http.get(f"/api/jobs/{job_id}/metrics").json()["metrics"] if m["scope"] == "step"]
            assert steps == list(range(1, steps[-1] + 1))
    finally:
        server.stop()


def test_a_ray_client_address_that_does_not_answer_yet_is_tried_again_until_the_deadline(monkeypatch):
    """Ray Client gives up after ~30 s; a head that starts later (compose starting both, a loaded
    machine) is tried again until ``connect_timeout_s``; past it the error names the address and the
    setting. A local (non-``ray://``) failure is not retried."""
    import ray

    from nnplay.jobs.cluster import RayExecutor

    calls = []

    def failing_twice(**kwargs):
        calls.append(kwargs["address"])
        if len(calls) <= 2:
            raise ConnectionError("ray client connection timeout")

    monkeypatch.setattr(ray, "init", failing_twice)
    RayExecutor("ray://head:10001", 1, "cpu", {}, connect_timeout_s=60)._init({"address": "ray://head:10001"})
    assert calls == ["ray://head:10001"] * 3

    def never(**kwargs):
        raise ConnectionError("ray client connection timeout")

    monkeypatch.setattr(ray, "init", never)
    with pytest.raises(ConnectionError, match=r"ray://head:10001 within 0.001 s \(setting NNPLAY_RAY_CONNECT_TIMEOUT_S\)"):
        RayExecutor("ray://head:10001", 1, "cpu", {}, connect_timeout_s=0.001)._init({"address": "ray://head:10001"})
    calls.clear()
    monkeypatch.setattr(ray, "init", lambda **kw: (calls.append(1), never())[1])
    with pytest.raises(ConnectionError, match="NNPLAY_RAY_CONNECT_TIMEOUT_S"):
        RayExecutor("auto", 1, "cpu", {}, connect_timeout_s=60)._init({"address": "auto"})
    assert calls == [1]


def test_serve_on_a_ray_client_address_that_never_answers_says_so_in_one_line(tmp_path):
    """``nnplay serve`` joins the cluster before it serves: past NNPLAY_RAY_CONNECT_TIMEOUT_S it exits 2
    with one line naming the address (no traceback, no server that answers with no executor). In a
    process of its own: this test session's own Ray is initialised."""
    env = {**os.environ, "NNPLAY_DATA_DIR": str(tmp_path), "NNPLAY_EXECUTOR": "ray",
           "NNPLAY_RAY_ADDRESS": f"ray://127.0.0.1:{free_port()}", "NNPLAY_RAY_CONNECT_TIMEOUT_S": "1",
           "RAY_CLIENT_INITIAL_CONNECTION_TIMEOUT_S": "1", "RAY_CLIENT_MAX_CONNECTION_TIMEOUT_S": "1"}
    done = subprocess.run([str(Path(sys.executable).parent / "nnplay"), "serve", "--port", str(free_port())], env=env,
                          capture_output=True, text=True, timeout=JOIN_TIMEOUT_S)
    assert done.returncode == 2, done.stderr
    err = [line for line in done.stderr.splitlines() if line.startswith("error")]
    assert len(err) == 1 and err[0].startswith("error: cannot start the Ray executor: no Ray cluster answered at ray://")
    assert "NNPLAY_RAY_CONNECT_TIMEOUT_S" in err[0] and "Traceback" not in done.stderr
