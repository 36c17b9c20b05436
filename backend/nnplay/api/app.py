"""The FastAPI app factory: REST routes, the websocket and the static frontend (with its vendored plotly.js)."""

import asyncio
import os
from contextlib import asynccontextmanager
from pathlib import Path

import fastapi_offline
import torch
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles

from nnplay import __version__
from nnplay.api import compare, course, datasets, errors, export, lab, learned, representations, routes, stream
from nnplay.api import active, foundations, replicates
from nnplay.api.security import (BodyLimitMiddleware, CrossOriginGuard, HostCheckMiddleware,
                                 SecurityHeadersMiddleware, TokenAuthMiddleware, content_security_policy,
                                 inline_script_hashes, redact_tokens_in_logs)
from nnplay.data import uploads
from nnplay.jobs import JobService, LocalExecutor, Store, resolve_device
from nnplay.jobs.checkpoints import Checkpoints
from nnplay.jobs.executor import warm_up
from nnplay.jobs.processes import ProcessExecutor
from nnplay.settings import Settings, get_settings

FRONTEND = Path(__file__).resolve().parents[3] / "frontend"
SWAGGER_STATIC = Path(fastapi_offline.__file__).parent / "static"


def torch_threads(settings: Settings) -> int:
    """Intra-op threads per process: the setting, else the cores shared among concurrent jobs."""
    return settings.torch_threads or max(1, (os.cpu_count() or 1) // settings.max_concurrent_jobs)


def make_executor(settings: Settings):
    """The executor of ``settings.executor``: warm worker processes (default), threads in this process,
    or Ray actors (``device`` is then resolved on each worker: a GPU node's jobs use its GPU under ``auto``)."""
    device = resolve_device(settings.device)
    if settings.executor == "thread":
        return LocalExecutor(settings.max_concurrent_jobs, device, settings.max_feature_map_channels,
                             settings.data_dir, settings.max_neuron_units, settings.neuron_map_resolution,
                             settings.max_message_kb, settings.probe_fps, settings.probe_share)
    options = {"max_channels": settings.max_feature_map_channels, "data_dir": settings.data_dir,
               "max_units": settings.max_neuron_units, "unit_resolution": settings.neuron_map_resolution,
               "max_message_kb": settings.max_message_kb, "probe_fps": settings.probe_fps,
               "probe_share": settings.probe_share}
    if settings.executor == "ray":
        from nnplay.jobs.cluster import RayExecutor  # the optional `ray` extra: imported only when chosen

        return RayExecutor(settings.ray_address, settings.job_cpus, settings.device, options,
                           settings.max_job_memory_mb, object_store_mb=settings.ray_object_store_mb,
                           warm=settings.ray_warm_actors, connect_timeout_s=settings.ray_connect_timeout_s)
    return ProcessExecutor(settings.max_concurrent_jobs, device, options, torch_threads(settings),
                           settings.max_job_memory_mb, niceness=settings.worker_niceness)


def create_app(settings: Settings | None = None) -> FastAPI:
    """A new app on the settings' database; jobs left running by a dead server become ``interrupted``."""
    settings = settings or get_settings()
    uploads.clean_temp(settings.data_dir)  # what an upload killed midway left
    torch.set_num_threads(torch_threads(settings))
    executor = make_executor(settings)
    service = JobService(settings, Store(settings.resolved_database_url()), executor,
                         Checkpoints(settings.data_dir / "checkpoints"))

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        redact_tokens_in_logs()  # after uvicorn configured its loggers
        await asyncio.to_thread(warm_up)
        service.start(asyncio.get_running_loop())
        yield
        await asyncio.to_thread(service.shutdown)

    app = FastAPI(title="nnplay", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="A neural network playground backed by real PyTorch: build networks from "
                              "JSON layer specs, train them as jobs, stream what happens.")
    app.state.settings, app.state.service = settings, service
    errors.install(app)
    app.include_router(routes.router)
    app.include_router(stream.router)
    app.include_router(export.router)
    app.include_router(lab.router)
    app.include_router(datasets.router)
    app.include_router(compare.router)
    app.include_router(representations.router)
    app.include_router(learned.router)
    app.include_router(course.router)
    app.include_router(foundations.router)
    app.include_router(active.router)
    app.include_router(replicates.router)

    @app.get("/docs", include_in_schema=False)
    def docs():
        """Swagger UI from local files (the fastapi-offline package's copy), so /docs works offline."""
        page = get_swagger_ui_html(openapi_url=app.openapi_url, title="nnplay API",
                                   swagger_js_url="/vendor/swagger/swagger-ui-bundle.js",
                                   swagger_css_url="/vendor/swagger/swagger-ui.css",
                                   swagger_favicon_url="/vendor/swagger/favicon.png")
        # Its one inline script (the SwaggerUIBundle call) is allowed by its hash, nothing else inline.
        csp = content_security_policy(inline_script_hashes(page.body.decode()))
        page.headers["Content-Security-Policy"] = csp
        return page

    app.mount("/vendor/swagger", StaticFiles(directory=SWAGGER_STATIC), name="swagger")

    if FRONTEND.is_dir():
        app.mount("/", StaticFiles(directory=FRONTEND, html=True), name="frontend")
    install_middleware(app, settings)
    return app


def install_middleware(app: FastAPI, settings: Settings) -> None:
    """Outermost first: the Host check, security headers (CSP, nosniff, no framing), CORS (if origins
    are set), the cross-origin guard, auth (if a token is set), then body size."""
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes,
                       uploads={"/api/datasets": (settings.max_upload_bytes, "max_upload_bytes")})
    if settings.api_token:
        app.add_middleware(TokenAuthMiddleware, token=settings.api_token)
    app.add_middleware(CrossOriginGuard, trusted=settings.cors_origins)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"],
                           allow_headers=["Authorization", "Content-Type"])
    app.add_middleware(SecurityHeadersMiddleware, csp=content_security_policy())
    app.add_middleware(HostCheckMiddleware, allowed=settings.served_hosts())
