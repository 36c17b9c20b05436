"""Uploaded CSV data sets: upload, list, train by name, survive a restart, delete; malformed files."""

import csv
import io

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sklearn.datasets import load_iris

from nnplay.api.app import create_app
from nnplay.probes.arrays import payload_tensor
from tests.api.helpers import wait_done
from tests.conftest import job_spec

MLP = [{"type": "linear", "out_features": 16}, {"type": "relu"}, {"type": "linear", "out_features": 3}]


def iris_csv() -> bytes:
    """Iris written out as CSV: the four measurements (repr floats, exact) and the species name."""
    bunch = load_iris()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["sepal_length", "sepal_width", "petal_length", "petal_width", "species"])
    for row, label in zip(bunch.data, bunch.target):
        writer.writerow([repr(float(v)) for v in row] + [bunch.target_names[label]])
    return out.getvalue().encode()


def upload(client, content: bytes, target="species", task="classification", name="iris_csv", filename="iris.csv"):
    data = {"target": target, "task": task}
    if name:
        data["name"] = name
    return client.post("/api/datasets", files={"file": (filename, content, "text/csv")}, data=data)


def test_uploaded_iris_trains_like_builtin_iris(client):
    r = upload(client, iris_csv())
    assert r.status_code == 201, r.text
    info = r.json()
    assert info["name"] == "iris_csv" and info["input_shape"] == [4] and info["n_samples"] == 150
    assert info["classes"] == ["setosa", "versicolor", "virginica"] and info["uploaded"] is True
    assert "iris_csv" in [d["name"] for d in client.get("/api/datasets").json()]
    finals = []
    for name in ("iris", "iris_csv"):
        job = client.post("/api/jobs", json=job_spec(MLP, {"name": name, "seed": 3}, epochs=20, batch_size=16)).json()
        done = wait_done(client, job["id"])
        assert done["status"] == "completed"
        finals.append(done["final"])
    assert finals[0]["test_accuracy"] == finals[1]["test_accuracy"] and finals[0]["test_accuracy"] >= 0.9
    assert finals[0]["train_loss"] == pytest.approx(finals[1]["train_loss"], abs=1e-6)


def test_upload_survives_restart_and_deletes(settings):
    with TestClient(create_app(settings)) as client:
        assert upload(client, iris_csv(), name=None, filename="My Iris.csv").status_code == 201
    with TestClient(create_app(settings)) as client:
        names = [d["name"] for d in client.get("/api/datasets").json()]
        assert "my_iris" in names
        assert client.post("/api/networks/validate", json={"dataset": {"name": "my_iris"},
                                                           "network": {"layers": MLP}}).status_code == 200
        assert upload(client, iris_csv(), name="my_iris").status_code == 409
        assert upload(client, iris_csv(), name="iris").status_code == 409
        assert client.delete("/api/datasets/iris").status_code == 409
        assert client.delete("/api/datasets/my_iris").status_code == 204
        assert client.delete("/api/datasets/my_iris").status_code == 404
        r = client.post("/api/jobs", json=job_spec(MLP, {"name": "my_iris"}))
        assert r.status_code == 422 and r.json()["detail"][0]["field"] == "dataset.name"


def test_categorical_columns_are_one_hot_and_regression_targets_float(client):
    rows = ["size,colour,price"] + [f"{i},{['red', 'green', 'blue'][i % 3]},{2 * i + 1}" for i in range(30)]
    r = upload(client, "\n".join(rows).encode(), target="price", task="regression", name="prices")
    assert r.status_code == 201, r.text
    info = r.json()
    assert info["task"] == "regression" and info["classes"] == []
    assert info["features"] == ["size", "colour=blue", "colour=green", "colour=red"]
    job = client.post("/api/jobs", json=job_spec([{"type": "linear", "out_features": 1}], {"name": "prices"},
                                                  loss="mse", optimizer="sgd", lr=0.2, epochs=100, batch_size="full"))
    assert job.status_code == 201, job.text
    done = wait_done(client, job.json()["id"])
    assert done["final"]["test_r2"] > 0.9 and done["final"]["test_accuracy"] is None


def test_empty_cells_are_missing_values_and_imputed(client):
    rows = ["a,b,label"] + [f"{'' if i % 5 == 0 else i},{i % 7},{'x' if i % 2 else 'y'}" for i in range(40)]
    info = upload(client, "\n".join(rows).encode(), target="label", name="gappy").json()
    assert info["n_missing"] == 8
    job = client.post("/api/jobs", json=job_spec([{"type": "linear", "out_features": 2}],
                                                  {"name": "gappy", "impute": "mean_with_indicator"}, epochs=1)).json()
    wait_done(client, job["id"])
    with client.websocket_connect(f"/api/jobs/{job['id']}/stream") as ws:
        first = [ws.receive_json() for _ in range(3)]
    data_info = next(m for m in first if m["type"] == "data_info")
    assert data_info["missing"] == 8 and data_info["total_values"] == 80 and data_info["input_shape"] == [4]


MALFORMED = [
    ("ragged", b"a,b,y\n1,2,x\n3,4\n5,6,y\n", "y", 3, None, "row 3 has 2 fields"),
    ("no numeric", b"a,b,y\nu,v,x\nw,z,y\nu,z,x\nw,v,y\n", "y", None, None, "no numeric feature column"),
    ("unknown target", b"a,b,y\n1,2,x\n3,4,y\n", "label", None, "label", "unknown target column 'label'"),
    ("single class", b"a,b,y\n1,2,x\n3,4,x\n5,6,x\n", "y", None, "y", "single class"),
    ("not utf-8", "a,b,y\n1,2,caf\u00e9\n".encode("latin-1"), "y", 2, None, "not UTF-8"),
    ("empty", b"", "y", None, None, "empty"),
    ("header only", b"a,b,y\n", "y", None, None, "no data rows"),
    ("infinite", b"a,b,y\n1,2,x\ninf,4,y\n1,2,x\n3,4,y\n", "y", 3, "a", "not a finite number"),
    ("duplicate column", b"a,a,y\n1,2,x\n3,4,y\n", "y", 1, "a", "appears twice"),
]


@pytest.mark.parametrize("case,content,target,row,column,text", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_files_answer_422_naming_the_spot(client, case, content, target, row, column, text):
    r = upload(client, content, target=target, name="bad")
    assert r.status_code == 422, r.text
    (err,) = r.json()["detail"]
    assert text in err["msg"] and err["row"] == row and err["column"] == column
    assert "bad" not in [d["name"] for d in client.get("/api/datasets").json()]


def test_bad_form_fields_and_size_limit(settings):
    settings.max_upload_bytes = 2048
    with TestClient(create_app(settings)) as client:
        r = client.post("/api/datasets", files={"file": ("x.csv", b"a,y\n1,2\n", "text/csv")},
                        data={"target": "y", "task": "clustering"})
        assert r.status_code == 422 and r.json()["detail"][0]["field"] == "task"
        r = upload(client, b"a,y\n1,2\n", target="y", name="Bad Name!")
        assert r.status_code == 422 and r.json()["detail"][0]["field"] == "name"
        assert "lower-case letters, digits and _, starting with a letter" in r.json()["detail"][0]["msg"]
        r = client.post("/api/jobs", json={"dataset": {"name": "My Set"}, "network": {"layers": []}})
        assert "'My Set' is not a data set name" in r.json()["detail"][0]["msg"]  # the same words in a spec
        big = b"a,y\n" + b"1,2\n" * 1000
        r = upload(client, big, target="y", name="big")
        assert r.status_code == 413 and "max_upload_bytes" in r.json()["detail"][0]["msg"]
        assert client.get("/api/health").json()["status"] == "ok"


def test_an_autoencoder_on_an_uploaded_csv_downloads_its_codes(client):
    assert upload(client, iris_csv(), name="iris_up").status_code == 201
    layers = [{"type": "linear", "out_features": 2}, {"type": "linear", "out_features": 4}]
    spec = {"dataset": {"name": "iris_up", "target": "input"}, "network": {"layers": layers},
            "training": {"optimizer": "adam", "lr": 0.01, "epochs": 2, "batch_size": 16, "loss": "mse"}}
    job = client.post("/api/jobs", json=spec).json()
    assert wait_done(client, job["id"])["status"] == "completed"
    r = client.get(f"/api/jobs/{job['id']}/embeddings")
    assert r.status_code == 200, r.text
    assert len(r.json()["vectors"]) == 30 and set(r.json()["labels"]) <= {"setosa", "versicolor", "virginica"}


def _history(client, job_id: str) -> list[dict]:
    """A finished job's stream, read to its final status."""
    out = []
    with client.websocket_connect(f"/api/jobs/{job_id}/stream") as ws:
        while not (out and out[-1]["type"] == "status" and out[-1]["status"] in ("completed", "failed", "diverged")):
            out.append(ws.receive_json())
    return out


def test_an_uploaded_two_feature_table_gets_the_prediction_surface_and_the_boundary(client):
    """A 2-feature CSV is drawn over its input plane like the built-in 2-D sets: regression gets the
    prediction surface (for one linear layer, a plane: least squares fits the drawn grid exactly),
    classification the decision boundary and neuron maps; a 3-feature one neither."""
    rows = ["x1,x2,t,c"] + [f"{(i % 13) / 6 - 1:.4f},{(i % 7) / 3 - 1:.4f},{2 * (i % 13) - (i % 7):.1f},{'ab'[i % 13 > 6]}"
                             for i in range(120)]
    table = "\n".join(rows)
    two = "\n".join(",".join(r.split(",")[:3]) for r in table.split("\n")).encode()  # x1, x2, t
    assert upload(client, two, target="t", task="regression", name="reg2").status_code == 201
    job = client.post("/api/jobs", json=job_spec([{"type": "linear", "out_features": 1}], {"name": "reg2"},
                                                  loss="mse", epochs=2)).json()
    assert "decision_boundary" in job["panels"]
    assert wait_done(client, job["id"])["status"] == "completed"
    history = _history(client, job["id"])
    points = next(m for m in history if m["type"] == "data_points")
    n = [len(points[part]["x1"]) for part in ("train", "test")]
    assert sum(n) == 120 and len(points["train"]["target"]) == n[0]
    surface = [m for m in history if m["type"] == "decision_boundary"][-1]
    assert surface["task"] == "regression"
    z = payload_tensor(surface["predicted"]).double().numpy()  # (G, G)
    g1, g2 = np.meshgrid(surface["x1"], surface["x2"])  # z[i, j]: at x2[i], x1[j]
    design = np.column_stack([g1.ravel(), g2.ravel(), np.ones(g1.size)])
    fit, residual, *_ = np.linalg.lstsq(design, z.ravel().astype(np.float64), rcond=None)
    assert np.abs(design @ fit - z.ravel()).max() < 1e-3 * max(1.0, np.abs(z).max())  # a plane

    cls = "\n".join(",".join(r.split(",")[:2] + r.split(",")[3:]) for r in table.split("\n")).encode()  # x1, x2, c
    assert upload(client, cls, target="c", name="cls2").status_code == 201
    layers = [{"type": "linear", "out_features": 4}, {"type": "tanh"}, {"type": "linear", "out_features": 2}]
    panels = client.post("/api/jobs", json=job_spec(layers, {"name": "cls2"}, epochs=1)).json()["panels"]
    assert {"decision_boundary", "neuron_maps"} <= set(panels)

    three = "\n".join(",".join(r.split(",")[:2] + [r.split(",")[2], r.split(",")[2]]) for r in table.split("\n"))
    three = three.replace("x1,x2,t,t", "x1,x2,x3,t", 1).encode()
    assert upload(client, three, target="t", task="regression", name="reg3").status_code == 201
    panels = client.post("/api/jobs", json=job_spec([{"type": "linear", "out_features": 1}], {"name": "reg3"},
                                                     loss="mse", epochs=1)).json()["panels"]
    assert "decision_boundary" not in panels
