"""One error format for every 4xx: ``{"detail": [{"loc", "field", "msg", "type"}]}`` for bad input,
``{"detail": "message"}`` for a missing job or a conflict. No traceback ever reaches a client."""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from nnplay.jobs import JobConflict, JobNotFound
from nnplay.spec.errors import SpecError


def field_path(loc) -> str:
    """``("body", "network", "layers", 4, "in_features")`` -> ``"network.layers[4].in_features"``."""
    out = ""
    for part in loc:
        if part in ("body", "query", "path") and not out:
            continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _entry(loc, msg: str, kind: str) -> dict:
    return {"loc": list(loc), "field": field_path(loc), "msg": msg, "type": kind}


async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [_entry(e["loc"], e["msg"], e["type"]) for e in exc.errors()]
    return JSONResponse({"detail": errors}, status_code=422)


async def _spec(_request: Request, exc: SpecError) -> JSONResponse:
    return JSONResponse({"detail": [_entry(("body",) + exc.loc, exc.message, exc.kind)]}, status_code=422)


async def _not_found(_request: Request, exc: JobNotFound) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=404)


async def _conflict(_request: Request, exc: JobConflict) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=409)


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(SpecError, _spec)
    app.add_exception_handler(JobNotFound, _not_found)
    app.add_exception_handler(JobConflict, _conflict)
