"""Waiting for job states through the public API (no sleeps in assertions; bounded polling)."""

import time

TERMINAL = {"completed", "stopped", "failed", "diverged", "interrupted"}


def wait_for(client, job_id: str, predicate, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if predicate(job):
            return job
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} never reached the state; last: {job['status']}")


def wait_done(client, job_id: str, timeout: float = 120.0) -> dict:
    return wait_for(client, job_id, lambda j: j["status"] in TERMINAL, timeout)
