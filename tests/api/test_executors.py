"""The job lifecycle on every executor, through one parametrised fixture (``any_client``): the worker
processes (the default) and Ray actors on a real local Ray (started once per test session, 2 CPUs).

The same REST and websocket tests run on both, unchanged: create and a contiguous stream, pause /
single step / resume / stop, live settings, reset, stop then resume from the checkpoint, a clean
server restart then resume, an uploaded data set (on Ray it reaches the worker through the object
store), a killed worker, the memory limit; and where each job trained (``placement``, ``/api/health``).
"""

import os
import signal

from fastapi.testclient import TestClient

from nnplay.api.app import create_app
from tests.api import test_control, test_datasets, test_jobs, test_workers
from tests.api.helpers import wait_done, wait_for
from tests.api.test_control import spiral_spec, step_metrics
from tests.api.test_stream import read_all
from tests.conftest import job_spec


def test_lifecycle_contiguous_stream_and_placement(any_client, executor_settings):
    test_jobs.test_job_lifecycle(any_client)
    job = any_client.get("/api/jobs").json()[0]
    with any_client.websocket_connect(f"/api/jobs/{job['id']}/stream") as ws:
        seqs = [m["seq"] for m in read_all(ws)]
    assert seqs == list(range(1, job["last_seq"] + 1))
    placement = job["placement"]
    health = any_client.get("/api/health").json()
    assert placement["executor"] == health["executor"] == executor_settings.executor
    assert placement["node"] in [n["node"] for n in health["nodes"]] and placement["pid"] != os.getpid()


def test_pause_step_resume_stop(any_client):
    test_control.test_pause_blocks_step_advances_by_one_resume_continues(any_client)


def test_live_settings(any_client):
    test_control.test_live_lr_change_applies_at_the_next_step_and_is_stored(any_client)


def test_reset(any_client):
    test_control.test_reset_starts_a_new_job_from_step_0_and_keeps_the_old_one(any_client)


def test_stop_then_resume_from_the_checkpoint(any_client):
    test_control.test_stop_while_paused_then_resume_from_checkpoint(any_client)


def test_server_restart_then_resume(executor_settings):
    test_control.test_a_job_paused_when_the_server_stops_comes_back_interrupted_and_resumes(executor_settings)


def test_uploaded_data_set(any_client):
    test_datasets.test_uploaded_iris_trains_like_builtin_iris(any_client)


def test_a_killed_worker_fails_its_job_naming_the_cause_and_it_resumes(any_client, executor_settings):
    victim = any_client.post("/api/jobs", json=spiral_spec()).json()["id"]
    wait_for(any_client, victim, lambda j: j["final"] is not None)  # an epoch ended: a checkpoint exists
    os.kill(test_workers.worker_of(any_client, victim), signal.SIGKILL)
    failed = wait_done(any_client, victim)
    assert failed["status"] == "failed" and "resume" in failed["detail"]
    if executor_settings.executor == "ray":
        assert failed["detail"].startswith(f"the Ray worker on Ray node {failed['placement']['node'][:12]}")
        assert "died" in failed["detail"]
    else:
        assert "killed by signal 9 (SIGKILL)" in failed["detail"]
    assert any_client.get("/api/health").status_code == 200
    at = step_metrics(any_client, victim)[-1]["step"]
    assert any_client.post(f"/api/jobs/{victim}/resume").status_code == 200  # a fresh worker takes it
    wait_for(any_client, victim, lambda j: step_metrics(any_client, victim)[-1]["step"] > at + 5)
    any_client.post(f"/api/jobs/{victim}/stop")
    steps = [m["step"] for m in step_metrics(any_client, victim)]
    assert steps == list(range(1, steps[-1] + 1))


def test_memory_limit(executor_settings):
    executor_settings.max_job_memory_mb = 1024
    executor_settings.max_activation_mb = 100_000  # let the 2 GB step through validation: the worker must hold
    with TestClient(create_app(executor_settings)) as c:
        created = c.post("/api/jobs", json=test_workers.HOSTILE)
        assert created.status_code == 201, created.text
        job = wait_done(c, created.json()["id"])
        assert job["status"] == "failed"
        assert "max_job_memory_mb 1024 (setting NNPLAY_MAX_JOB_MEMORY_MB)" in job["detail"]
        small = c.post("/api/jobs", json=job_spec(epochs=1)).json()["id"]  # a fresh worker
        assert wait_done(c, small)["status"] == "completed"
