"""Export a job: its weights (``.pt``), an ONNX graph, standalone PyTorch code, and its spec.

``GET /api/jobs/{id}/model``       torch.save of ``{"state_dict", "spec", "nnplay_version", "step"}``,
                                   readable with ``torch.load(path, weights_only=True)``
``GET /api/jobs/{id}/model.onnx``  the network in eval mode, batch dimension dynamic (name ``"batch"``),
                                   exported by a child process (nnplay.nn.onnx_export)
``GET /api/jobs/{id}/code``        a ``.py`` file rebuilding the network with plain torch (nnplay.nn.codegen)
``GET /api/jobs/{id}/spec``        the spec that re-creates the job (POST it to /api/jobs)

Weights come from the job's latest checkpoint (end of each epoch, or where it was stopped); a job
without one answers 409. The state_dict keys are those of the builder's Sequential (``"0.weight"``).
"""

import io
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import torch
from fastapi import APIRouter, Depends, HTTPException, Response

from nnplay import __version__
from nnplay.api.routes import ERRORS, service
from nnplay.data import dataset_info
from nnplay.jobs import JobConflict, JobService
from nnplay.jobs.store import JobRow
from nnplay.nn.codegen import render_code
from nnplay.nn.onnx_export import EXIT_MISSING_PACKAGE
from nnplay.spec.network import JobSpec, bind_vocab, network_kind

router = APIRouter(prefix="/api")

BINARY = "application/octet-stream"
ONNX_TIMEOUT_S = 180
_ONNX_LOCK = threading.Lock()  # one export (one child process) at a time
PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the folder holding the nnplay package
log = logging.getLogger("nnplay.api")
NO_WEIGHTS = {409: {"description": "The job has no checkpoint yet (weights are saved at each epoch's end)"}}
ONNX_UNSUPPORTED = {501: {"description": "This network (or this server) cannot be exported to ONNX"}}


# ---- logic -------------------------------------------------------------------------------------


def filename(row: JobRow, suffix: str) -> str:
    """A safe download name from the job's name and id: ``"LeNet on digits"`` -> ``"LeNet-on-digits-1a2b3c4d.pt"``."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", row.name or "").strip("-._")[:60] or "job"
    return f"{stem}-{row.id[:8]}{suffix}"


def attachment(content: bytes | str, name: str, media_type: str) -> Response:
    """A download: ``content`` with ``Content-Disposition: attachment; filename="name"``."""
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def latest_weights(svc: JobService, row: JobRow) -> dict:
    """The job's latest checkpoint (``"model"``: the Sequential's state_dict, ``"step"``, ...).

    Raises JobConflict (409) when the job has not reached a checkpoint yet.
    """
    state = svc.checkpoints.load(row.id)
    if state is None:
        raise JobConflict(f"job {row.id} ({row.status}) has no saved weights yet: weights are saved at the end "
                          "of each epoch and when a running job is stopped")
    return state


def model_file(row: JobRow, state: dict) -> bytes:
    """torch.save bytes of ``{"state_dict", "spec" (plain JSON types), "nnplay_version", "step"}``."""
    buffer = io.BytesIO()
    torch.save({"state_dict": state["model"], "spec": row.spec, "nnplay_version": __version__,
                "step": int(state.get("step", 0))}, buffer)
    return buffer.getvalue()


def onnx_file(spec: JobSpec, state: dict, data_dir=None) -> bytes:
    """The trained network as ONNX (see nnplay.nn.onnx_export), exported by a fresh Python process.

    A process of its own, because torch.export's tracing state is process-wide and broke training
    threads running beside it. One export at a time. Raises HTTP 501 with the reason when the exporter
    is missing, cannot translate an op, or does not finish within ONNX_TIMEOUT_S seconds.
    """
    layer_network_only(spec, "ONNX")
    info = dataset_info(spec.dataset, data_dir)
    network = bind_vocab(spec.network, info.vocab_size)  # a text set's embedding gets its table size
    job = {"network": network.model_dump(mode="json"), "state_dict": state["model"],
           "input_shape": list(info.input_shape), "pad_id": info.pad_id}
    with _ONNX_LOCK, tempfile.TemporaryDirectory(prefix="nnplay-onnx-") as folder:
        src, out = Path(folder) / "in.pt", Path(folder) / "out.onnx"
        torch.save(job, src)
        done = _run_exporter(src, out)
        if done.returncode != 0:
            raise HTTPException(501, _export_refusal(done))
        return out.read_bytes()


def _run_exporter(src: Path, out: Path) -> subprocess.CompletedProcess:
    """``python -m nnplay.nn.onnx_export src out`` with this nnplay importable; 501 after the timeout."""
    path = os.pathsep.join(filter(None, [str(PACKAGE_ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    try:
        return subprocess.run([sys.executable, "-m", "nnplay.nn.onnx_export", str(src), str(out)], env=env,
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=ONNX_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise HTTPException(501, f"the ONNX export did not finish within {ONNX_TIMEOUT_S} s") from None


def _export_refusal(done: subprocess.CompletedProcess) -> str:
    """The 501 detail from the exporter's exit code and the last line of its stderr."""
    lines = done.stderr.decode(errors="replace").strip().splitlines()
    reason = lines[-1] if lines else f"exit code {done.returncode}"
    if done.returncode == EXIT_MISSING_PACKAGE:
        return f"ONNX export needs the onnxscript and onnx packages, missing on this server: {reason}"
    log.warning("ONNX export failed (exit %s): %s", done.returncode, "\n".join(lines[-20:]))
    return f"this network cannot be exported to ONNX: {reason}"


def layer_network_only(spec: JobSpec, what: str) -> None:
    """JobConflict (409) for a word2vec job: its export is its vectors (``/embeddings``)."""
    if network_kind(spec.network) == "word2vec":
        raise JobConflict(f"{what} export covers layer networks; a word2vec job's weights are its word vectors: "
                          "GET /api/jobs/{id}/embeddings (JSON or TensorBoard TSV) or /model")


def code_file(row: JobRow, data_dir=None) -> str:
    """The standalone PyTorch source of the job's network (see nnplay.nn.codegen)."""
    spec = JobSpec.model_validate(row.spec)
    layer_network_only(spec, "Code")
    info = dataset_info(spec.dataset, data_dir)
    return render_code(spec, tuple(info.input_shape), title=row.name or "", classes=info.classes,
                       version=__version__, vocab_size=info.vocab_size, pad_id=info.pad_id)


# ---- routes ------------------------------------------------------------------------------------


@router.get("/jobs/{job_id}/model", response_class=Response,
            responses={200: {"content": {BINARY: {}}, "description": "A .pt file"}, 404: ERRORS[404], **NO_WEIGHTS})
def download_model(job_id: str, svc: JobService = Depends(service)):
    """The latest weights as a ``.pt`` file: ``torch.load(path, weights_only=True)`` gives
    ``{"state_dict", "spec", "nnplay_version", "step"}``; the state_dict loads into the ``/code`` file's
    ``Net().layers``."""
    row = svc.get(job_id)
    return attachment(model_file(row, latest_weights(svc, row)), filename(row, ".pt"), BINARY)


@router.get("/jobs/{job_id}/model.onnx", response_class=Response,
            responses={200: {"content": {BINARY: {}}, "description": "An ONNX model"}, 404: ERRORS[404],
                       **NO_WEIGHTS, **ONNX_UNSUPPORTED})
def download_onnx(job_id: str, svc: JobService = Depends(service)):
    """The trained network (eval mode) as ONNX: input ``"input"`` shaped ``(batch, ...)``, output ``"output"``."""
    row = svc.get(job_id)
    data = onnx_file(JobSpec.model_validate(row.spec), latest_weights(svc, row), svc.settings.data_dir)
    return attachment(data, filename(row, ".onnx"), BINARY)


@router.get("/jobs/{job_id}/code", response_class=Response,
            responses={200: {"content": {"text/x-python": {}}, "description": "A Python file"}, 404: ERRORS[404],
                       409: {"description": "A word2vec job: its weights are word vectors (GET /embeddings)"}})
def download_code(job_id: str, svc: JobService = Depends(service)):
    """A standalone Python file that rebuilds the network with plain torch (``class Net``, ``load(path)``)."""
    row = svc.get(job_id)
    return attachment(code_file(row, svc.settings.data_dir), filename(row, ".py"), "text/x-python; charset=utf-8")


@router.get("/jobs/{job_id}/spec", response_class=Response,
            responses={200: {"model": JobSpec, "description": "The job spec"}, 404: ERRORS[404]})
def download_spec(job_id: str, svc: JobService = Depends(service)):
    """The job's spec as stored (all fields, JSON types): POST it to /api/jobs to run the job again."""
    row = svc.get(job_id)
    return attachment(json.dumps(row.spec, indent=2), filename(row, ".spec.json"), "application/json")
