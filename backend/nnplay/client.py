"""A Python client for a running nnplay server, for scripts and Jupyter notebooks.

    from nnplay.client import Client

    client = Client("http://127.0.0.1:8000", token=None)     # token: the server's NNPLAY_API_TOKEN
    job = client.train({"dataset": {"name": "digits"},
                        "network": {"layers": [{"type": "flatten"}, {"type": "linear", "out_features": 10}]},
                        "training": {"epochs": 3}})
    job.watch()                   # a progress bar over the epochs with the live loss; returns the job record
    job.metrics()                 # a pandas DataFrame, one row per metrics message
    net = job.model()             # the trained torch module, eval mode
    job.download("onnx", "net.onnx")

``AsyncClient`` / ``AsyncJob`` are the ``async`` twins (``await job.watch()`` etc.), for code that already
runs an event loop. The client speaks only the public HTTP API and websocket (``/api/...``): it imports
nothing else of nnplay, so it works against a server of another machine or version.

Errors: an HTTP error status raises :class:`ApiError` (``status``, ``detail``: the server's words, e.g. a
422 naming the field); a stream closed with a refusal (unknown job 4404, bad token 1008, too many
clients 1013) raises :class:`ApiError` with the close code as ``status``.
"""

import asyncio
import importlib.util
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import httpx
from tqdm.auto import tqdm

TERMINAL = frozenset({"completed", "stopped", "failed", "diverged", "interrupted"})
DOWNLOADS = {"model": ".pt", "onnx": ".onnx", "code": ".py", "spec": ".spec.json"}  # kind -> file suffix
ROUTE = {"model": "model", "onnx": "model.onnx", "code": "code", "spec": "spec"}
Callback = Callable[[dict], Any]


class ApiError(RuntimeError):
    """The server refused a request: ``status`` (HTTP status or websocket close code), ``detail``."""

    def __init__(self, status: int, detail: Any):
        super().__init__(f"{status}: {detail}")
        self.status, self.detail = status, detail


def _checked(response: httpx.Response) -> httpx.Response:
    if response.is_success:
        return response
    try:
        detail = response.json().get("detail", response.text)
    except (ValueError, AttributeError):
        detail = response.text
    raise ApiError(response.status_code, detail)


def _spec_body(spec) -> dict:
    """A spec as JSON data: a dict, or a pydantic model (``nnplay.spec.network.JobSpec``)."""
    return spec.model_dump(mode="json", exclude_unset=True) if hasattr(spec, "model_dump") else dict(spec)


def _headers(token: str | None) -> dict:
    return {"Authorization": f"Bearer {token}"} if token else {}


def stream_url(base: str, job_id: str, after: int = 0) -> str:
    """``ws(s)://host/api/jobs/{id}/stream?after=N&batch=true`` for an ``http(s)://host`` base URL
    (``batch``: a frame may carry many messages, a JSON array; see ``frame_messages``)."""
    parts = urlsplit(base)
    scheme = "wss" if parts.scheme == "https" else "ws"
    path = f"{parts.path.rstrip('/')}/api/jobs/{quote(job_id)}/stream"
    return urlunsplit((scheme, parts.netloc, path, f"after={after}&batch=true", ""))


def frame_messages(text: str) -> list[dict]:
    """The messages of one stream frame: a JSON array of them (``batch=true``) or one (a server
    older than batching sends one message a frame)."""
    data = json.loads(text)
    return data if isinstance(data, list) else [data]


def metrics_frame(metrics: list[dict]):
    """``GET .../metrics`` as a pandas DataFrame: one row per message, ``step`` / ``epoch`` / ``scope``
    first, then the values (``train_loss`` in nats per example, accuracies in [0, 1], ...)."""
    import pandas as pd

    frame = pd.DataFrame(metrics)
    drop = [c for c in ("v", "type", "job_id") if c in frame.columns]
    first = [c for c in ("seq", "step", "epoch", "scope") if c in frame.columns]
    frame = frame.drop(columns=drop)
    return frame[first + [c for c in frame.columns if c not in first]]


def load_model(code: str, weights: bytes, name: str = "nnplay_job"):
    """The job's standalone ``/code`` file run as a module, its ``load`` given the ``/model`` file:
    a ``torch.nn.Module`` (``Net``) with the trained weights, in eval mode.

    The code is the file the server generated for the job; run it only from servers you trust (the
    same trust as the token you give them)."""
    spec = importlib.util.spec_from_loader(name, loader=None)
    module = importlib.util.module_from_spec(spec)
    exec(compile(code, f"{name}.py", "exec"), module.__dict__)  # noqa: S102 - the server's generated code
    with tempfile.TemporaryDirectory(prefix="nnplay-model-") as folder:
        path = Path(folder) / "model.pt"
        path.write_bytes(weights)
        return module.load(str(path))


class Progress:
    """What ``watch()`` shows without a callback: a bar over the job's epochs, the live loss beside it."""

    def __init__(self, job_id: str, epochs: int | None, name: str | None):
        self.bar = tqdm(total=epochs, desc=name or job_id[:8], unit="epoch", leave=True)

    def __call__(self, message: dict) -> None:
        if message.get("type") == "metrics":
            loss = message.get("train_loss")
            postfix = {"step": message["step"], **({"loss": f"{loss:.4g}"} if loss is not None else {})}
            if message.get("scope") == "epoch":
                self.bar.update(max(0, message["epoch"] - self.bar.n))
                accuracy = message.get("test_accuracy")
                if accuracy is not None:
                    postfix["test_acc"] = f"{accuracy:.3f}"
            self.bar.set_postfix(postfix, refresh=False)
            self.bar.refresh()
        elif message.get("type") == "status":
            self.bar.set_description_str(f"{self.bar.desc.split(' [')[0]} [{message['status']}]")

    def close(self) -> None:
        self.bar.close()


def _watcher(info: dict, callback: Callback | None, progress: bool) -> tuple[Callback, Callable[[], None]]:
    """The per-message function of ``watch`` and what to run when it ends."""
    if callback is not None:
        return callback, lambda: None
    if not progress:
        return (lambda _m: None), lambda: None
    bar = Progress(info["id"], info["spec"]["training"].get("epochs"), info.get("name"))
    return bar, bar.close


def _close_error(code: int | None, reason: str) -> ApiError | None:
    """A refusal close (anything but a normal 1000 close) as an ApiError."""
    return None if code in (None, 1000) else ApiError(code, reason or "the stream was closed")


# ---- synchronous ---------------------------------------------------------------------------------


class Client:
    """A connection to one nnplay server: ``url`` (``http://host:port``), ``token`` (its
    ``NNPLAY_API_TOKEN``, when set), ``timeout`` in seconds per HTTP request."""

    def __init__(self, url: str = "http://127.0.0.1:8000", token: str | None = None, timeout: float = 60.0):
        self.url, self.token = url.rstrip("/"), token
        self.http = httpx.Client(base_url=self.url, headers=_headers(token), timeout=timeout)

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        """``method /api/path``; ApiError on an error status."""
        return _checked(self.http.request(method, f"/api/{path.lstrip('/')}", **kwargs))

    def health(self) -> dict:
        return self.request("GET", "health").json()

    def validate(self, spec) -> dict:
        """Shape inference for a spec, without training: per-layer shapes, parameters, warnings."""
        return self.request("POST", "networks/validate", json=_spec_body(spec)).json()

    def train(self, spec, name: str | None = None) -> "Job":
        """Submit a job (a JobSpec as a dict or pydantic model); it queues, then trains on the server."""
        body = _spec_body(spec) | ({"name": name} if name else {})
        return Job(self, self.request("POST", "jobs", json=body).json())

    def job(self, job_id: str) -> "Job":
        return Job(self, self.request("GET", f"jobs/{job_id}").json())

    def jobs(self) -> list["Job"]:
        return [Job(self, info) for info in self.request("GET", "jobs").json()]

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Job:
    """One job on the server; ``info`` is its latest record (``GET /api/jobs/{id}``), ``id`` its id."""

    def __init__(self, client: Client, info: dict):
        self.client, self.info = client, info
        self.id: str = info["id"]

    def __repr__(self) -> str:
        return f"Job({self.id!r}, {self.info.get('name')!r}, status={self.status!r})"

    @property
    def status(self) -> str:
        return self.info["status"]

    def refresh(self) -> dict:
        self.info = self.client.request("GET", f"jobs/{self.id}").json()
        return self.info

    def messages(self, after: int = 0):
        """Every message of the job with ``seq > after`` as dicts, history then live, until it ends."""
        from websockets.sync.client import connect
        from websockets.exceptions import ConnectionClosed

        url = stream_url(self.client.url, self.id, after)
        with connect(url, additional_headers=_headers(self.client.token), max_size=None) as ws:
            try:
                for text in ws:
                    yield from frame_messages(text)
            except ConnectionClosed:
                pass
            if (error := _close_error(ws.close_code, ws.close_reason)) is not None:
                raise error

    def watch(self, callback: Callback | None = None, progress: bool = True, after: int = 0) -> dict:
        """Follow the job until it ends: ``callback(message)`` for every message (``seq > after``), or,
        without one, a progress bar (tqdm; a widget in Jupyter) over the epochs with the live loss.
        Returns the final job record."""
        handle, done = _watcher(self.info, callback, progress)
        try:
            for message in self.messages(after):
                handle(message)
        finally:
            done()
        return self.refresh()

    def wait(self) -> dict:
        """Block until the job has ended (following its live stream, no polling); the final record."""
        return self.watch(progress=False, after=max(0, self.refresh()["last_seq"] - 1))

    def metrics(self, max_points: int | None = None):
        """Every ``metrics`` message so far as a pandas DataFrame (``max_points``: step metrics
        downsampled on the server to about that many rows; epoch rows are all kept)."""
        params = {"max_points": max_points} if max_points else {}
        return metrics_frame(self.client.request("GET", f"jobs/{self.id}/metrics", params=params).json()["metrics"])

    def _command(self, name: str) -> dict:
        self.info = self.client.request("POST", f"jobs/{self.id}/{name}").json()
        return self.info

    def stop(self) -> dict:
        """Stop the job; returns once it has ended (its weights so far are saved)."""
        return self._command("stop")

    def pause(self) -> dict:
        return self._command("pause")

    def resume(self) -> dict:
        return self._command("resume")

    def step(self) -> dict:
        """One optimizer step of a paused job; returns once its messages are out."""
        return self._command("step")

    def change(self, **settings) -> dict:
        """Live settings, e.g. ``job.change(lr=0.01)``: applied from the next step."""
        self.info = self.client.request("PATCH", f"jobs/{self.id}/settings", json=settings).json()
        return self.info

    def delete(self) -> None:
        self.client.request("DELETE", f"jobs/{self.id}")

    def fetch(self, kind: str = "model") -> bytes:
        """The bytes of an export: ``model`` (.pt), ``onnx``, ``code`` (.py) or ``spec`` (.json)."""
        if kind not in ROUTE:
            raise ValueError(f"kind must be one of {sorted(ROUTE)}, not {kind!r}")
        return self.client.request("GET", f"jobs/{self.id}/{ROUTE[kind]}").content

    def download(self, kind: str = "model", path: str | Path | None = None) -> Path:
        """Save an export (see ``fetch``) to ``path`` (default: ``<job id><suffix>`` here); its path."""
        target = Path(path) if path is not None else Path(f"{self.id}{DOWNLOADS.get(kind, '')}")
        target.write_bytes(self.fetch(kind))
        return target

    def model(self):
        """The trained network as a ``torch.nn.Module`` in eval mode (latest saved weights: each epoch's
        end or the stop); see :func:`load_model`. ApiError 409 before the first checkpoint."""
        return load_model(self.fetch("code").decode(), self.fetch("model"), f"nnplay_job_{self.id}")


# ---- asynchronous --------------------------------------------------------------------------------


class AsyncClient:
    """The ``async`` twin of :class:`Client` (``await client.train(spec)`` ...)."""

    def __init__(self, url: str = "http://127.0.0.1:8000", token: str | None = None, timeout: float = 60.0):
        self.url, self.token = url.rstrip("/"), token
        self.http = httpx.AsyncClient(base_url=self.url, headers=_headers(token), timeout=timeout)

    async def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        return _checked(await self.http.request(method, f"/api/{path.lstrip('/')}", **kwargs))

    async def health(self) -> dict:
        return (await self.request("GET", "health")).json()

    async def validate(self, spec) -> dict:
        return (await self.request("POST", "networks/validate", json=_spec_body(spec))).json()

    async def train(self, spec, name: str | None = None) -> "AsyncJob":
        body = _spec_body(spec) | ({"name": name} if name else {})
        return AsyncJob(self, (await self.request("POST", "jobs", json=body)).json())

    async def job(self, job_id: str) -> "AsyncJob":
        return AsyncJob(self, (await self.request("GET", f"jobs/{job_id}")).json())

    async def jobs(self) -> list["AsyncJob"]:
        return [AsyncJob(self, info) for info in (await self.request("GET", "jobs")).json()]

    async def close(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()


class AsyncJob:
    """The ``async`` twin of :class:`Job`."""

    def __init__(self, client: AsyncClient, info: dict):
        self.client, self.info = client, info
        self.id: str = info["id"]

    def __repr__(self) -> str:
        return f"AsyncJob({self.id!r}, {self.info.get('name')!r}, status={self.status!r})"

    @property
    def status(self) -> str:
        return self.info["status"]

    async def refresh(self) -> dict:
        self.info = (await self.client.request("GET", f"jobs/{self.id}")).json()
        return self.info

    async def messages(self, after: int = 0):
        """Async iterator over the job's messages with ``seq > after``, history then live."""
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed

        url = stream_url(self.client.url, self.id, after)
        async with connect(url, additional_headers=_headers(self.client.token), max_size=None) as ws:
            try:
                async for text in ws:
                    for message in frame_messages(text):
                        yield message
            except ConnectionClosed:
                pass
            if (error := _close_error(ws.close_code, ws.close_reason)) is not None:
                raise error

    async def watch(self, callback: Callback | None = None, progress: bool = True, after: int = 0) -> dict:
        """As ``Job.watch``; ``callback`` may be a plain function or a coroutine function."""
        handle, done = _watcher(self.info, callback, progress)
        try:
            async for message in self.messages(after):
                result = handle(message)
                if asyncio.iscoroutine(result):
                    await result
        finally:
            done()
        return await self.refresh()

    async def wait(self) -> dict:
        return await self.watch(progress=False, after=max(0, (await self.refresh())["last_seq"] - 1))

    async def metrics(self, max_points: int | None = None):
        params = {"max_points": max_points} if max_points else {}
        response = await self.client.request("GET", f"jobs/{self.id}/metrics", params=params)
        return metrics_frame(response.json()["metrics"])

    async def _command(self, name: str) -> dict:
        self.info = (await self.client.request("POST", f"jobs/{self.id}/{name}")).json()
        return self.info

    async def stop(self) -> dict:
        return await self._command("stop")

    async def pause(self) -> dict:
        return await self._command("pause")

    async def resume(self) -> dict:
        return await self._command("resume")

    async def step(self) -> dict:
        return await self._command("step")

    async def change(self, **settings) -> dict:
        self.info = (await self.client.request("PATCH", f"jobs/{self.id}/settings", json=settings)).json()
        return self.info

    async def delete(self) -> None:
        await self.client.request("DELETE", f"jobs/{self.id}")

    async def fetch(self, kind: str = "model") -> bytes:
        if kind not in ROUTE:
            raise ValueError(f"kind must be one of {sorted(ROUTE)}, not {kind!r}")
        return (await self.client.request("GET", f"jobs/{self.id}/{ROUTE[kind]}")).content

    async def download(self, kind: str = "model", path: str | Path | None = None) -> Path:
        target = Path(path) if path is not None else Path(f"{self.id}{DOWNLOADS.get(kind, '')}")
        target.write_bytes(await self.fetch(kind))
        return target

    async def model(self):
        code, weights = await asyncio.gather(self.fetch("code"), self.fetch("model"))
        return load_model(code.decode(), weights, f"nnplay_job_{self.id}")
