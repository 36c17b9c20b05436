"""Start-paused jobs (Step from step 0) and a linear regression's learned line beside least squares."""

import numpy as np
import pytest

from nnplay.data import load
from nnplay.data.registry import train_features
from nnplay.spec.data import DatasetSpec
from nnplay.spec.presets import PRESETS
from tests.api.helpers import wait_done, wait_for
from tests.api.test_control import spiral_spec, step_metrics

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def preset(pid: str) -> dict:
    return next(p["spec"] for p in PRESETS if p["id"] == pid).model_dump(mode="json")


def test_a_job_created_paused_waits_before_its_first_step(client):
    job = client.post("/api/jobs?paused=true", json=spiral_spec()).json()
    paused = wait_for(client, job["id"], lambda j: j["status"] == "paused")
    assert step_metrics(client, job["id"]) == []  # nothing trained: it waits at step 0
    assert paused["detail"] == "paused between two steps"
    for expected in ([1], [1, 2]):
        stepped = client.post(f"/api/jobs/{job['id']}/step")
        assert stepped.status_code == 200 and stepped.json()["status"] == "paused"
        assert [m["step"] for m in step_metrics(client, job["id"])] == expected
    assert client.post(f"/api/jobs/{job['id']}/stop").json()["status"] == "stopped"


def test_a_step_right_after_a_paused_create_waits_for_the_job_to_arrive(client):
    job = client.post("/api/jobs", params={"paused": "true"}, json=spiral_spec()).json()
    stepped = client.post(f"/api/jobs/{job['id']}/step")  # no waiting for "paused" first
    assert stepped.status_code == 200, stepped.text
    assert [m["step"] for m in step_metrics(client, job["id"])] == [1]
    client.post(f"/api/jobs/{job['id']}/stop")


def test_paused_must_be_a_boolean(client):
    answer = client.post("/api/jobs?paused=maybe", json=spiral_spec())
    assert answer.status_code == 422 and "paused" in answer.text


def test_train_features_are_what_the_network_sees_in_data_units():
    spec = DatasetSpec.model_validate(preset("linreg_plane")["dataset"])
    x, y, mean, std = train_features(spec)
    split = load(spec)
    np.testing.assert_allclose((x - mean) / std, split.x_train.double().numpy(), atol=1e-5)
    np.testing.assert_allclose(y, split.y_train.double().numpy().reshape(-1), atol=1e-5)


def test_linear_regression_learns_the_least_squares_line_in_data_units(client):
    spec = preset("linreg_plane")
    job = client.post("/api/jobs", json=spec).json()
    assert wait_done(client, job["id"])["status"] == "completed"
    fit = client.get(f"/api/jobs/{job['id']}/linear_fit").json()

    x, y, _, _ = train_features(DatasetSpec.model_validate(spec["dataset"]))  # the oracle: numpy's lstsq
    coef, *_ = np.linalg.lstsq(np.hstack([x, np.ones((len(x), 1))]), y, rcond=None)
    np.testing.assert_allclose(fit["least_squares"]["weights"] + [fit["least_squares"]["bias"]], coef, rtol=1e-9)
    np.testing.assert_allclose(coef, [2.0, -3.0, 0.5], atol=0.05)  # the plane the data was drawn from
    np.testing.assert_allclose(fit["learned"]["weights"] + [fit["learned"]["bias"]], coef, atol=1e-3)
    assert fit["learned"]["train_mse"] == pytest.approx(fit["least_squares"]["train_mse"], rel=1e-3)
    assert fit["features"] == ["x1", "x2"] and fit["step"] == 100


def test_linear_fit_refuses_a_network_that_is_not_a_linear_regression(client):
    job = client.post("/api/jobs?paused=true", json=preset("mlp_sine")).json()
    answer = client.get(f"/api/jobs/{job['id']}/linear_fit")
    assert answer.status_code == 409 and "not a linear regression" in answer.text
    client.post(f"/api/jobs/{job['id']}/stop")
