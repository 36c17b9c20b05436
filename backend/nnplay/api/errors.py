"""One error format for every 4xx, always ``{"detail": ...}``: bad input (a field, a body that cannot be
parsed, a body or file too large: 413 and 422) is a list of ``{"loc", "field", "msg", "type"}``; a
refusal that is not about the input (401 token, 403 cross-origin, 400 Host header, 404 missing, 409
conflict) is one message string. No traceback ever reaches a client."""

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from nnplay.data.csv_import import CsvError
from nnplay.data.uploads import DatasetExists
from nnplay.jobs import JobConflict, JobNotFound
from nnplay.jobs.checkpoints import CheckpointError
from nnplay.spec.data import NAME_PATTERN
from nnplay.spec.errors import SpecError
from nnplay.spec.layers import LAYER_TYPES
from nnplay.spec.network import NETWORK_KINDS
from nnplay.spec.training import LR_SCHEDULE_TYPES

# FastAPI's 400 detail when reading the body fails other than by a JSON syntax error: JSON nested
# deeper than the parser's recursion limit, or a malformed multipart form.
BODY_NOT_PARSED = "There was an error parsing the body"
UNION_LABELS = {"int", "constrained-int", "float", "constrained-float", "str", "bool", "none", "list", "dict"}


def field_path(loc) -> str:
    """``("body", "network", "layers", 4, "in_features")`` -> ``"network.layers[4].in_features"``;
    the body as a whole is ``"body"``."""
    out = ""
    for part in loc:
        if part in ("body", "query", "path") and not out:
            continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "body"


def _entry(loc, msg: str, kind: str) -> dict:
    return {"loc": list(loc), "field": field_path(loc), "msg": msg, "type": kind}


def clean_loc(loc) -> tuple:
    """Drops pydantic's union-member labels: ``(..., "layers", 1, "linear", "out_features")`` ->
    ``(..., "layers", 1, "out_features")``; ``("training", "batch_size", "constrained-int")`` ->
    ``("training", "batch_size")``; the network kind's label too: ``(..., "network", "word2vec", "window")``
    -> ``(..., "network", "window")``."""
    out: list = []
    for i, part in enumerate(loc):
        is_tag = isinstance(part, str) and out and ((isinstance(out[-1], int) and part in LAYER_TYPES)
                                                   or (out[-1] == "lr_schedule" and part in LR_SCHEDULE_TYPES))
        is_kind = i > 0 and loc[i - 1] == "network" and part in NETWORK_KINDS and "network" not in loc[:i - 1]
        if is_tag or is_kind or part in UNION_LABELS or (isinstance(part, str) and part.startswith(("literal[", "function-"))):
            continue
        out.append(part)
    return tuple(out)


def merge_errors(errors: list[dict]) -> list[dict]:
    """One entry per cleaned location; alternatives of a union are joined with ' or '."""
    merged: dict[tuple, dict] = {}
    for e in errors:
        loc = clean_loc(e["loc"])
        if loc in merged:
            merged[loc]["msg"] += f" or {e['msg'][0].lower()}{e['msg'][1:]}"
        else:
            merged[loc] = _entry(loc, e["msg"], e["type"])
    return list(merged.values())


async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    json_type = request.headers.get("content-type", "").startswith("application/json")
    form = request.headers.get("content-type", "").startswith(("multipart/", "application/x-www-form"))
    body = "" if request.method == "GET" or form else (await request.body()).decode("utf-8", errors="replace")
    errors = [_explain(e, body, json_type) for e in exc.errors()]
    return JSONResponse({"detail": merge_errors(errors)}, status_code=422)


def _explain(error: dict, body: str, json_type: bool) -> dict:
    """Friendlier text for three errors: JSON syntax (with line and column), a data set name that breaks
    the name rule (in words, not a regular expression) and a body that was not sent as JSON."""
    loc = tuple(error["loc"])
    if error["type"] == "json_invalid" and len(loc) == 2 and isinstance(loc[1], int):
        pos = loc[1]
        line, col = body.count("\n", 0, pos) + 1, pos - body.rfind("\n", 0, pos)
        reason = (error.get("ctx") or {}).get("error", "JSON decode error")
        msg = f"invalid JSON at line {line}, column {col}: {reason} (a trailing comma or a missing quote?)"
        return {**error, "loc": ("body",), "msg": msg}
    if error["type"] == "string_pattern_mismatch" and (error.get("ctx") or {}).get("pattern") == NAME_PATTERN:
        return {**error, "msg": f"{error.get('input')!r} is not a data set name: use lower-case letters, digits "
                                "and _, starting with a letter, at most 40 characters (e.g. 'my_iris')"}
    if loc == ("body",) and error["type"] in ("model_attributes_type", "dict_type") and not json_type:
        return {**error, "msg": error["msg"] + "; send the body as JSON with the header "
                "'Content-Type: application/json'"}
    return error


async def _spec(_request: Request, exc: SpecError) -> JSONResponse:
    return JSONResponse({"detail": [_entry(("body",) + exc.loc, exc.message, exc.kind)]}, status_code=422)


async def _not_found(_request: Request, exc: JobNotFound) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=404)


async def _conflict(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=409)


async def _csv(_request: Request, exc: CsvError) -> JSONResponse:
    """A malformed upload: the entry also carries the ``row`` (1-based line) and ``column`` at fault."""
    entry = {**_entry(("body",) + exc.loc, exc.message, exc.kind), "row": exc.row, "column": exc.column}
    return JSONResponse({"detail": [entry]}, status_code=422)


class TooLarge(Exception):
    """A body or a part of it larger than a limit (HTTP 413, an entry at ``loc`` naming the setting)."""

    def __init__(self, loc: tuple, message: str):
        super().__init__(message)
        self.loc, self.message = loc, message


async def _too_large(_request: Request, exc: TooLarge) -> JSONResponse:
    return JSONResponse({"detail": [_entry(exc.loc, exc.message, "too_large")]}, status_code=413)


def _unparsed(request: Request, exc: StarletteHTTPException) -> str:
    """Why a body could not be parsed, from the parser's own exception (FastAPI chains it)."""
    cause = exc.__cause__
    if request.headers.get("content-type", "").startswith(("multipart/", "application/x-www-form")):
        told = "" if exc.detail == BODY_NOT_PARSED else f" ({str(exc.detail).rstrip('.')})"
        return f"the form body could not be parsed{told}: send it as multipart/form-data with a 'file' part"
    if isinstance(cause, RecursionError):
        return "the body could not be parsed as JSON: it is nested too deeply (a spec needs only a few levels)"
    if isinstance(cause, ValueError) and "digits" in str(cause):
        return f"the body could not be parsed as JSON: a number is too long ({cause})"
    return "the body could not be parsed as JSON"


async def _http(request: Request, exc: StarletteHTTPException):
    """A body that could not be parsed (JSON nested too deeply, a 5,000-digit number, a form with too
    many parts) is bad input like any other: 422 at ``body``, in the one format."""
    if exc.status_code == 400:
        return JSONResponse({"detail": [_entry(("body",), _unparsed(request, exc), "body_not_parsed")]},
                            status_code=422)
    return await http_exception_handler(request, exc)


def install(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(SpecError, _spec)
    app.add_exception_handler(JobNotFound, _not_found)
    app.add_exception_handler(JobConflict, _conflict)
    app.add_exception_handler(DatasetExists, _conflict)
    app.add_exception_handler(CheckpointError, _conflict)
    app.add_exception_handler(CsvError, _csv)
    app.add_exception_handler(TooLarge, _too_large)
