"""Jobs train in worker processes: a dead worker (kill -9, its memory limit) fails only its own job,
with the cause named, resumable from its last checkpoint; the server and other jobs carry on."""

import os
import signal
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

from nnplay.api.app import create_app
from tests.api.helpers import wait_done, wait_for
from tests.api.test_control import spiral_spec, start_paused_run, step_metrics

# the hostile spec: (batch 8, 64 heads, 1000, 1000) attention scores are 2 GB a forward pass
HOSTILE = {"dataset": {"name": "reverse", "seq_len": 1000, "n_samples": 40},
           "network": {"layers": [{"type": "embedding", "embedding_dim": 64},
                                  {"type": "self_attention", "num_heads": 64},
                                  {"type": "linear", "out_features": 10}]},
           "training": {"epochs": 1, "batch_size": 8, "probe_every": 1000}}


def worker_of(client, job_id: str) -> int:
    pids = [pid for pid, job in client.app.state.service.executor.worker_pids().items() if job == job_id]
    assert len(pids) == 1
    return pids[0]


def test_jobs_train_in_a_worker_process_not_the_server(client):
    job_id, _ = start_paused_run(client)
    assert worker_of(client, job_id) != os.getpid()
    assert client.post(f"/api/jobs/{job_id}/stop").json()["status"] == "stopped"


def test_workers_run_at_the_niceness_the_setting_adds_to_the_servers(settings):
    """NNPLAY_WORKER_NICENESS: each worker's nice value is the server's plus the setting (the kernel caps
    it at 19); the server itself is left as it is."""
    server = os.getpriority(os.PRIO_PROCESS, 0)
    settings.worker_niceness = 7
    with TestClient(create_app(settings)) as c:
        job_id, _ = start_paused_run(c)
        assert os.getpriority(os.PRIO_PROCESS, worker_of(c, job_id)) == min(19, server + 7)
        assert os.getpriority(os.PRIO_PROCESS, 0) == server
        assert c.post(f"/api/jobs/{job_id}/stop").json()["status"] == "stopped"


def test_a_killed_worker_fails_its_job_naming_the_signal_others_carry_on_and_it_resumes(client):
    victim = client.post("/api/jobs", json=spiral_spec()).json()["id"]
    other = client.post("/api/jobs", json=spiral_spec(epochs=3)).json()["id"]
    wait_for(client, victim, lambda j: j["final"] is not None)  # an epoch ended: a checkpoint exists
    os.kill(worker_of(client, victim), signal.SIGKILL)
    failed = wait_done(client, victim)
    assert failed["status"] == "failed"
    assert "killed by signal 9 (SIGKILL)" in failed["detail"] and "resume" in failed["detail"]
    assert wait_done(client, other)["status"] == "completed"
    assert client.get("/api/health").status_code == 200
    at = step_metrics(client, victim)[-1]["step"]
    assert client.post(f"/api/jobs/{victim}/resume").status_code == 200  # a fresh worker takes it
    wait_for(client, victim, lambda j: step_metrics(client, victim)[-1]["step"] > at + 5)
    client.post(f"/api/jobs/{victim}/stop")
    steps = [m["step"] for m in step_metrics(client, victim)]
    assert steps == list(range(1, steps[-1] + 1))  # rolled back to the checkpoint: no gap, no repeat


def test_a_job_past_its_memory_limit_fails_naming_the_setting_and_the_server_carries_on(settings):
    settings.max_job_memory_mb = 1024
    settings.max_activation_mb = 100_000  # let the 2 GB step through validation: the worker must hold
    with TestClient(create_app(settings)) as c:
        created = c.post("/api/jobs", json=HOSTILE)
        assert created.status_code == 201, created.text
        job = wait_done(c, created.json()["id"])
        assert job["status"] == "failed"
        assert "max_job_memory_mb 1024 (setting NNPLAY_MAX_JOB_MEMORY_MB)" in job["detail"]
        small = c.post("/api/jobs", json=spiral_spec(epochs=2)).json()["id"]  # a fresh worker
        assert wait_done(c, small)["status"] == "completed"


def test_a_checkpoint_the_server_cannot_write_fails_its_job_and_the_next_job_gets_a_fresh_worker(settings):
    """A full disk while a job's checkpoint is written (the server's side of the pipe): the job fails
    naming it; its worker, which would still be training it, is replaced, so the next job's stream
    holds that job's own steps only, from 1 without a gap."""
    settings.max_concurrent_jobs = 1  # one slot: the next job would go to the same worker
    with TestClient(create_app(settings)) as c:
        svc = c.app.state.service
        save, calls = svc.checkpoints.save, []

        def full_disk_once(*args):
            calls.append(args[0])
            if len(calls) == 1:
                raise OSError(28, "No space left on device")
            save(*args)

        svc.checkpoints.save = full_disk_once
        first = c.post("/api/jobs", json=spiral_spec(epochs=200, probe_every=1000)).json()["id"]
        failed = wait_done(c, first)
        assert failed["status"] == "failed" and "No space left on device" in failed["detail"], failed
        assert first not in svc.executor.worker_pids().values()
        second = c.post("/api/jobs", json=spiral_spec(epochs=3, probe_every=1000)).json()["id"]
        done = wait_done(c, second)
        assert done["status"] == "completed" and done["final"]["epochs_done"] == 3
        steps = [m["step"] for m in step_metrics(c, second)]
        assert steps == list(range(1, done["final"]["steps"] + 1))


def test_parallel_creates_never_pass_max_stored_jobs(settings):
    settings.max_stored_jobs = 10
    with TestClient(create_app(settings)) as c, ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(lambda _: c.post("/api/jobs", json=spiral_spec(epochs=1)).status_code, range(20)))
        assert sorted(codes) == [201] * 10 + [409] * 10
        assert len(c.get("/api/jobs").json()) == 10


def test_delete_racing_resume_step_and_pause_leaves_no_ghost(client):
    """Many attempts: whichever wins, a deleted job has no run, no rows, no checkpoint, no worker."""
    svc = client.app.state.service
    commands = ["resume", "step", "pause", "reset"]
    for attempt in range(8):
        job_id, _ = start_paused_run(client)
        if attempt % 2:
            client.post(f"/api/jobs/{job_id}/stop")  # a stopped job: resume restarts it from its checkpoint
        with ThreadPoolExecutor(2) as pool:
            other = pool.submit(client.post, f"/api/jobs/{job_id}/{commands[attempt % 4]}")
            deleted = pool.submit(client.delete, f"/api/jobs/{job_id}")
            assert deleted.result().status_code == 204
            assert other.result().status_code in (200, 201, 404, 409)
        assert client.get(f"/api/jobs/{job_id}").status_code == 404
        assert job_id not in svc.runs and job_id not in svc.executor.worker_pids().values()
        assert svc.store.messages(job_id) == [] and svc.checkpoints.meta(job_id) is None
        for job in client.get("/api/jobs").json():  # a reset's new job: stopped, then removed
            if job["status"] not in ("completed", "stopped", "failed"):
                client.post(f"/api/jobs/{job['id']}/stop")
            client.delete(f"/api/jobs/{job['id']}")


def test_a_job_being_deleted_is_not_listed_though_its_rows_are_still_there(client):
    """A running job's delete stops it first: its stream ends "stopped" while its rows still exist. A
    page that reads the list on that status must not find it (it would show "stopped" for a job that
    is gone); the list is read here at the last moment before the rows go."""
    svc = client.app.state.service
    job_id, _ = start_paused_run(client)
    listed, delete_job = [], svc.store.delete_job

    def list_then_delete(job: str) -> None:
        listed.append(([row.id for row in svc.list_jobs()], svc.store.get_job(job) is not None))
        delete_job(job)

    svc.store.delete_job = list_then_delete
    assert client.delete(f"/api/jobs/{job_id}").status_code == 204
    assert listed == [([], True)]  # its row was there, the list left it out
    assert client.get("/api/jobs").json() == []


def test_deleting_a_data_set_racing_a_new_job_on_it_ends_consistent(client):
    """Either the job is created (and the set, in use, refuses deletion: 409) or the set is deleted
    (and the job is refused, 422 at dataset.name): never a queued job on a deleted set."""
    from tests.api.test_datasets import iris_csv, upload

    spec = {"dataset": {"name": "iris_csv"}, "network": {"layers": [{"type": "linear", "out_features": 3}]},
            "training": {"epochs": 300, "batch_size": 8}}
    for _ in range(6):
        assert upload(client, iris_csv()).status_code == 201
        with ThreadPoolExecutor(2) as pool:
            created = pool.submit(client.post, "/api/jobs", json=spec)
            deleted = pool.submit(client.delete, "/api/datasets/iris_csv")
            created, deleted = created.result(), deleted.result()
        if created.status_code == 201:  # the job came first: the set it uses stays
            assert deleted.status_code == 409, deleted.text
            client.post(f"/api/jobs/{created.json()['id']}/stop")
            assert client.delete("/api/datasets/iris_csv").status_code == 204
        else:
            assert created.status_code == 422 and deleted.status_code == 204
            assert created.json()["detail"][0]["loc"][-1] == "name"
