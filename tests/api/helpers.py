"""Waiting for job states through the public API (no sleeps in assertions; bounded polling)."""

import time

TERMINAL = {"completed", "stopped", "failed", "diverged", "interrupted"}

STATE_TIMEOUT_S = 240.0
"""How long a job may take to reach a state before a test gives up: a bound that only ends a test that
would never pass, not a wait (polling returns as soon as the state is reached). A job's first state can
need a fresh worker process: at load 8 on this 2-core machine importing torch and warming up took 39 s
of wall time (8.5 s of CPU), and a fresh Ray actor also starts a Ray worker first; 60 s was too short."""


def wait_for(client, job_id: str, predicate, timeout: float = STATE_TIMEOUT_S) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if predicate(job):
            return job
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} never reached the state; last: {job['status']}")


def wait_done(client, job_id: str, timeout: float = 2 * STATE_TIMEOUT_S) -> dict:
    return wait_for(client, job_id, lambda j: j["status"] in TERMINAL, timeout)
