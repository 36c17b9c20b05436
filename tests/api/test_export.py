"""Export: the .pt weights, the ONNX graph, the standalone code and the spec of a job.

Oracles: nnplay's own network (``build_network`` + the same state_dict) on the first test examples,
the job's reported test accuracy, onnxruntime running the ONNX file, and a new job from the spec.
"""

import io
import json
import subprocess

import numpy as np
import onnx
import onnxruntime
import pytest
import torch
from fastapi.testclient import TestClient

from nnplay.api import export
from nnplay.api.app import create_app
from nnplay.data import load
from nnplay.nn import build_network, onnx_export
from nnplay.nn.onnx_export import EXIT_EXPORT_FAILED, EXIT_MISSING_PACKAGE
from nnplay.spec.network import JobSpec, bind_vocab
from tests.api.helpers import wait_done, wait_for
from tests.conftest import LOGREG, job_spec

PROBE = 8  # the first 8 test examples
MLP_BN = [
    {"type": "flatten"}, {"type": "linear", "out_features": 32}, {"type": "batchnorm1d"}, {"type": "relu"},
    {"type": "dropout", "p": 0.3}, {"type": "linear", "out_features": 16}, {"type": "gelu"},
    {"type": "linear", "out_features": 10},
]
ROUTES = ("model", "model.onnx", "code", "spec")


def trained_job(client, layers) -> dict:
    """A completed 2-epoch job on digits with ``layers``."""
    job = client.post("/api/jobs", json={**job_spec(layers=layers, epochs=2), "name": "export test"}).json()
    done = wait_done(client, job["id"])
    assert done["status"] == "completed", done
    return done


def download_model(client, job_id: str) -> dict:
    r = client.get(f"/api/jobs/{job_id}/model")
    assert r.status_code == 200 and r.headers["content-type"] == "application/octet-stream"
    assert r.headers["content-disposition"].startswith("attachment; filename=")
    assert r.headers["content-disposition"].endswith('.pt"')
    return torch.load(io.BytesIO(r.content), weights_only=True)


def exec_code(client, job_id: str) -> dict:
    """The /code file executed in a fresh namespace (no nnplay import needed)."""
    r = client.get(f"/api/jobs/{job_id}/code")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/x-python")
    assert "nnplay" not in "".join(line for line in r.text.splitlines() if line.startswith(("import", "from")))
    namespace: dict = {"__name__": "exported_net"}
    exec(compile(r.text, "exported_net.py", "exec"), namespace)
    return namespace


def reference(spec: JobSpec, state_dict: dict) -> tuple[torch.nn.Module, torch.Tensor, torch.Tensor]:
    """nnplay's own network with ``state_dict`` (eval mode), the test inputs and targets."""
    split = load(spec.dataset)
    model = build_network(spec.network, split.info.input_shape)
    model.load_state_dict(state_dict)
    return model.eval(), split.x_test, split.y_test


@pytest.mark.parametrize("layers", [pytest.param(None, id="lenet"), pytest.param(MLP_BN, id="mlp_bn_dropout")])
def test_exported_model_and_code_reproduce_the_trained_network(client, lenet, layers, tmp_path):
    done = trained_job(client, layers or lenet)
    saved = download_model(client, done["id"])
    assert set(saved) >= {"state_dict", "spec", "nnplay_version"}
    assert saved["spec"] == done["spec"] and json.loads(json.dumps(saved["spec"])) == saved["spec"]
    spec = JobSpec.model_validate(saved["spec"])
    ref, x_test, y_test = reference(spec, saved["state_dict"])

    ns = exec_code(client, done["id"])
    net = ns["Net"]()
    net.layers.load_state_dict(saved["state_dict"])  # the documented way: keys of the Sequential alone
    net.eval()
    assert [type(m) for m in net.layers] == [type(m) for m in ref]
    with torch.no_grad():
        ours, theirs = net(x_test[:PROBE]), ref(x_test[:PROBE])
        torch.testing.assert_close(ours, theirs, atol=1e-6, rtol=0)
        # The weights are the trained ones: the job's own test accuracy is reproduced exactly.
        accuracy = (net(x_test).argmax(1) == y_test).sum().item() / len(y_test)
    assert accuracy == pytest.approx(done["final"]["test_accuracy"], abs=1e-9)
    assert accuracy > 0.8

    path = tmp_path / "model.pt"
    path.write_bytes(client.get(f"/api/jobs/{done['id']}/model").content)
    loaded = ns["load"](str(path))  # the file's helper: weights in, eval mode
    assert not loaded.training
    with torch.no_grad():
        torch.testing.assert_close(loaded(x_test[:PROBE]), theirs, atol=1e-6, rtol=0)

    r = client.get(f"/api/jobs/{done['id']}/model.onnx")
    assert r.status_code == 200 and r.headers["content-disposition"].endswith('.onnx"')
    check_onnx(r.content, ref, x_test)


def check_onnx(data: bytes, ref: torch.nn.Module, x_test: torch.Tensor) -> None:
    """The ONNX file passes the checker, has a dynamic batch dimension and matches torch to 1e-5."""
    proto = onnx.load_from_string(data)
    onnx.checker.check_model(proto, full_check=True)
    batch_dim = proto.graph.input[0].type.tensor_type.shape.dim[0]
    assert batch_dim.dim_param and not batch_dim.dim_value, "the batch dimension should be symbolic"
    session = onnxruntime.InferenceSession(data, providers=["CPUExecutionProvider"])
    for n in (PROBE, 3, 1):  # several batch sizes through one graph
        (out,) = session.run(None, {"input": x_test[:n].numpy()})
        with torch.no_grad():
            expected = ref(x_test[:n]).numpy()
        assert out.shape == expected.shape
        np.testing.assert_allclose(out, expected, atol=1e-5, rtol=0)


def test_spec_round_trips_through_a_new_job(client, lenet):
    first = client.post("/api/jobs", json={**job_spec(layers=lenet, epochs=1), "name": "round trip"}).json()
    r = client.get(f"/api/jobs/{first['id']}/spec")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.headers["content-disposition"] == f'attachment; filename="round-trip-{first["id"][:8]}.spec.json"'
    spec = r.json()
    assert spec == first["spec"] and spec["network"]["layers"][0]["type"] == "conv2d"
    second = client.post("/api/jobs", json=spec)
    assert second.status_code == 201
    assert client.get(f"/api/jobs/{second.json()['id']}/spec").json() == spec
    for job in (first, second.json()):
        wait_done(client, job["id"])


def test_unknown_job_is_404_on_every_export(client):
    for route in ROUTES:
        r = client.get(f"/api/jobs/no-such-job/{route}")
        assert r.status_code == 404, route
        assert "no-such-job" in r.json()["detail"]


def test_weights_before_any_checkpoint_are_409_but_code_and_spec_answer(settings):
    settings.max_concurrent_jobs = 1
    with TestClient(create_app(settings)) as client:
        running = client.post("/api/jobs", json=job_spec(epochs=300)).json()
        wait_for(client, running["id"], lambda j: j["status"] == "running")
        queued = client.post("/api/jobs", json=job_spec(epochs=1)).json()
        assert client.get(f"/api/jobs/{queued['id']}").json()["status"] == "queued"
        for route in ("model", "model.onnx"):
            r = client.get(f"/api/jobs/{queued['id']}/{route}")
            assert r.status_code == 409, route
            assert "no saved weights yet" in r.json()["detail"]
        assert client.get(f"/api/jobs/{queued['id']}/code").status_code == 200
        assert client.get(f"/api/jobs/{queued['id']}/spec").json() == queued["spec"]
        for job in (queued, running):
            client.post(f"/api/jobs/{job['id']}/stop")
        # Stopped while queued: still nothing to export.
        assert client.get(f"/api/jobs/{queued['id']}/model").status_code == 409


def test_onnx_export_beside_a_training_job_leaves_it_training(client, lenet):
    """torch.export's tracing state is process-wide: exported in-process, it made a training thread fail
    (KeyError 'custom' in torch.fx); the server exports in a child process instead."""
    finished = trained_job(client, LOGREG)
    busy = client.post("/api/jobs", json=job_spec(layers=lenet, epochs=300)).json()
    wait_for(client, busy["id"], lambda j: j["status"] == "running")
    assert client.get(f"/api/jobs/{finished['id']}/model.onnx").status_code == 200
    assert client.get(f"/api/jobs/{busy['id']}").json()["status"] == "running"
    assert client.post(f"/api/jobs/{busy['id']}/stop").json()["status"] == "stopped"


def test_exporter_failures_answer_501_with_the_reason(client, monkeypatch):
    done = trained_job(client, LOGREG)
    url = f"/api/jobs/{done['id']}/model.onnx"
    outcomes = {
        EXIT_EXPORT_FAILED: "this network cannot be exported to ONNX: Unsupported op aten::foo",
        EXIT_MISSING_PACKAGE: "ONNX export needs the onnxscript and onnx packages, missing on this server: "
                              "Unsupported op aten::foo",
    }
    for code, detail in outcomes.items():
        child = subprocess.CompletedProcess([], code, b"", b"some warning\nUnsupported op aten::foo\n")
        monkeypatch.setattr(export, "_run_exporter", lambda src, out, child=child: child)
        r = client.get(url)
        assert r.status_code == 501 and r.json()["detail"] == detail


def test_exporter_process_reports_a_missing_package(tmp_path, monkeypatch, capsys):
    src = tmp_path / "in.pt"
    weights = torch.nn.Sequential(torch.nn.Linear(3, 2)).state_dict()  # the builder's keys: "0.weight", "0.bias"
    torch.save({"network": {"layers": [{"type": "linear", "out_features": 2}]}, "input_shape": [3],
                "state_dict": weights}, src)
    assert onnx_export.main([str(src), str(tmp_path / "ok.onnx")]) == 0
    onnx.checker.check_model(onnx.load(str(tmp_path / "ok.onnx")))

    def missing(*_args):
        raise ModuleNotFoundError("No module named 'onnxscript'")

    monkeypatch.setattr(onnx_export, "export_onnx", missing)
    assert onnx_export.main([str(src), str(tmp_path / "no.onnx")]) == EXIT_MISSING_PACKAGE
    assert capsys.readouterr().err.strip().splitlines()[-1] == "No module named 'onnxscript'"
    assert not (tmp_path / "no.onnx").exists()


def test_onnx_of_a_padded_text_classifier_masks_padding_as_nnplay_does(client):
    """Lines of verse are padded to seq_len: the exported graph masks <pad> in attention and mean
    pooling, so padded examples score as in nnplay (without the mask they differ by ~0.1)."""
    layers = [{"type": "embedding", "embedding_dim": 16},
              {"type": "positional_encoding", "kind": "learned", "max_len": 48},
              {"type": "transformer_encoder", "num_layers": 1, "num_heads": 2, "dim_feedforward": 32,
               "dropout": 0.0, "norm_first": True},
              {"type": "sequence_pool", "mode": "mean"}, {"type": "linear", "out_features": 2}]
    body = {"name": "authors onnx", "dataset": {"name": "authors", "n_samples": 200, "seq_len": 48},
            "network": {"layers": layers}, "training": {"epochs": 1, "batch_size": 32, "seed": 0}}
    job = client.post("/api/jobs", json=body).json()
    done = wait_done(client, job["id"])
    assert done["status"] == "completed", done
    spec = JobSpec.model_validate(done["spec"])
    split = load(spec.dataset)
    info = split.info
    ref = build_network(bind_vocab(spec.network, info.vocab_size), info.input_shape, info.vocab_size, info.pad_id)
    ref.load_state_dict(download_model(client, done["id"])["state_dict"])
    padded = split.x_test[(split.x_test == info.pad_id).any(1)][:PROBE]  # (n, T) lines shorter than seq_len
    assert len(padded) == PROBE
    r = client.get(f"/api/jobs/{done['id']}/model.onnx")
    assert r.status_code == 200
    check_onnx(r.content, ref.eval(), padded)
