"""One error format for every 4xx, always ``{"detail": ...}``: bad input (a field, a body that cannot be
parsed, a body or file too large: 413 and 422) is a list of ``{"loc", "field", "msg", "type"}``; a
refusal that is not about the input (401 token, 403 cross-origin, 400 Host header, 404 missing, 409
conflict) is one message string. No traceback ever reaches a client."""

import re

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
from nnplay.spec.errors import SpecError, did_you_mean
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


def _quoted(text: str) -> list[str]:
    """``"'sgd', 'adam' or 'adamw'"`` (pydantic's list of expected values) -> ``["sgd", "adam", "adamw"]``."""
    return re.findall(r"'([^']*)'", text or "")


def _unknown_tag(error: dict, loc: tuple) -> dict:
    """A discriminated union's unknown ``type``: ``unknown layer type 'rleu'; did you mean 'relu'? known
    types: 'linear', ...`` (the layer catalogue; ``lr_schedule``'s types the same way)."""
    ctx = error.get("ctx") or {}
    tag, known = ctx.get("tag"), _quoted(ctx.get("expected_tags", ""))
    what = "layer type" if len(loc) > 1 and isinstance(loc[-1], int) and loc[-2] == "layers" else f"{loc[-1]} type"
    listed = ", ".join(f"'{k}'" for k in known)
    return {**error, "msg": f"unknown {what} '{tag}';{did_you_mean(tag, known)} known types: {listed}"}


def explain_spec_error(error: dict) -> dict:
    """Our words for pydantic's errors about a spec's content (the API and ``nnplay validate`` share them):
    an unknown layer (or schedule) type with the closest known one, a layer without ``type``, a value
    outside a fixed set with the closest one, and an empty layer list. Other errors are returned as
    they are."""
    loc, kind = clean_loc(error["loc"]), error["type"]
    if kind == "union_tag_invalid" and loc:
        return _unknown_tag(error, loc)
    if kind == "union_tag_not_found" and len(loc) > 1 and loc[-2] == "layers":
        return {**error, "msg": "a layer needs a \"type\": one of " + ", ".join(f"'{t}'" for t in LAYER_TYPES)}
    if kind == "literal_error":
        hint = did_you_mean(error.get("input"), _quoted((error.get("ctx") or {}).get("expected", "")))
        return {**error, "msg": error["msg"] + (f";{hint}" if hint else "")}
    if kind == "too_short" and loc[-2:] == ("network", "layers") and (error.get("ctx") or {}).get("actual_length") == 0:
        return {**error, "msg": "the network has no layers: add at least one layer"}
    return error


def _explain(error: dict, body: str, json_type: bool) -> dict:
    """Friendlier text for JSON syntax (with line and column), a data set name that breaks the name rule
    (in words, not a regular expression), a body that was not sent as JSON, and (explain_spec_error) the
    spec's unknown types and empty layer list."""
    error = explain_spec_error(error)
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
