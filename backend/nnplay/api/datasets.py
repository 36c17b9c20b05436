"""Data set routes: list the built-in and uploaded sets, upload a CSV or a plain-text corpus, delete an upload."""

from functools import partial
from typing import Literal

from fastapi import APIRouter, Depends, File, Form, HTTPException, Path, Request, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from nnplay.api.errors import TooLarge
from nnplay.api.routes import ERRORS, service
from nnplay.api.schemas import DatasetOut
from nnplay.data import DATASETS, dataset_info, uploads
from nnplay.data.info import DatasetInfo
from nnplay.jobs import JobConflict, JobService
from nnplay.spec.data import NAME_PATTERN, DatasetSpec
from nnplay.spec.errors import SpecError

router = APIRouter(prefix="/api")
UPLOAD_ERRORS = {413: {"description": "The file is larger than max_upload_bytes (setting NNPLAY_MAX_UPLOAD_BYTES), "
                                       "or the stored data sets with it would pass max_datasets_mb (setting "
                                       "NNPLAY_MAX_DATASETS_MB)"},
                 409: {**ERRORS[409], "description": "A data set by this name exists"},
                 422: {"description": "Malformed file (a CSV's row or column is named; a text's byte offset), a text "
                                      "too short to train, or a bad form field"}}


def dataset_out(info: DatasetInfo) -> DatasetOut:
    fields = {k: v for k, v in info.__dict__.items() if k in DatasetOut.model_fields}
    return DatasetOut(**fields, vocab_size=info.vocab_size)


@router.get("/datasets", response_model=list[DatasetOut])
def list_datasets(request: Request):
    """The built-in data sets, then the uploaded ones (by name)."""
    built_in = [dataset_info(DatasetSpec(name=name)) for name in DATASETS]  # (text sets: their vocabulary)
    infos = [*built_in, *uploads.list_infos(request.app.state.settings.data_dir)]
    return [dataset_out(info) for info in infos]


@router.post("/datasets", response_model=DatasetOut, status_code=201, responses=UPLOAD_ERRORS)
async def upload_dataset(request: Request, file: UploadFile = File(description="A UTF-8 CSV file with a header row, "
                                                                   "or a UTF-8 plain-text corpus"),
                         kind: Literal["csv", "text"] | None = Form(None, description="'csv' (a table) or 'text' "
                                                                    "(a word corpus); default: 'text' for a file name "
                                                                    "ending in .txt, else 'csv'"),
                         target: str | None = Form(None, min_length=1, max_length=200,
                                                   description="CSV: the target column's name (required)"),
                         task: Literal["classification", "regression"] | None = Form(None, description="CSV: required"),
                         name: str | None = Form(None, pattern=NAME_PATTERN,
                                                 description="Data set name; default: from the file name")):
    """Upload a new data set, usable from specs by ``name``.

    A CSV: numeric feature columns are standardised with training statistics at load time (empty cells
    are missing values, filled by the spec's ``impute``); other columns are one-hot encoded. A text
    (kind ``corpus``): tokenised as the built-in word corpora, for word2vec networks; ``target`` and
    ``task`` do not apply to it and are ignored. Files are parsed as data only."""
    settings = request.app.state.settings
    content = await file.read(settings.max_upload_bytes + 1)
    if len(content) > settings.max_upload_bytes:
        raise TooLarge(("body", "file"), f"the file is larger than the limit max_upload_bytes "
                       f"{settings.max_upload_bytes:,} (setting NNPLAY_MAX_UPLOAD_BYTES)")
    kind = kind or uploads.kind_from_filename(file.filename)
    chosen = name or uploads.name_from_filename(file.filename, kind)
    common = {"name": chosen, "filename": file.filename, "builtin": tuple(DATASETS),
              "quota_bytes": int(settings.max_datasets_mb * 2**20)}
    if kind == "text":
        store = partial(uploads.import_text, settings.data_dir, content, **common)
    else:
        store = partial(uploads.import_csv, settings.data_dir, content, target=_required(target, "target"),
                        task=_required(task, "task"), **common)
    try:
        return dataset_out(await run_in_threadpool(store))  # parsing 20 MB takes seconds: not on the event loop
    except uploads.QuotaExceeded as err:
        raise HTTPException(413, str(err)) from None


def _required(value: str | None, field: str) -> str:
    """A form field a CSV upload needs; SpecError (422 at ``field``) when it is missing."""
    if value is None:
        raise SpecError((field,), f"a CSV upload needs the form field '{field}' (or send kind 'text' for a "
                        "plain-text corpus)")
    return value


@router.delete("/datasets/{name}", status_code=204,
               responses={404: {"description": "No uploaded data set by this name"},
                          409: {**ERRORS[409], "description": "A built-in set, or one a queued or running job uses"}})
def delete_dataset(request: Request, name: str = Path(pattern=NAME_PATTERN, max_length=40),
                   svc: JobService = Depends(service)):
    """Delete an uploaded data set. Finished jobs that used it keep their history and weights."""
    if name in DATASETS:
        raise JobConflict(f"'{name}' is a built-in data set; only uploaded sets can be deleted")
    with svc.lifecycle:  # no job is created on this set between the check and the deletion
        busy = [r.job_id for r in svc.live_runs() if r.state not in ("completed", "stopped", "failed", "diverged")
                and (row := svc.store.get_job(r.job_id)) is not None and row.spec["dataset"]["name"] == name]
        if busy:
            raise JobConflict(f"job {busy[0]} uses data set '{name}' and has not finished; stop it first")
        if not uploads.delete(request.app.state.settings.data_dir, name):
            raise HTTPException(404, f"no uploaded data set named '{name}'")
    return Response(status_code=204)
