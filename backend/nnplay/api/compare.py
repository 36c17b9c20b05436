"""``GET /api/compare?a=ID&b=ID``: McNemar's exact test on two finished classifiers' test predictions."""

from fastapi import APIRouter, Depends, Query

from nnplay.api.routes import ERRORS, service
from nnplay.api.schemas import CompareOut
from nnplay.jobs import JobService
from nnplay.jobs.compare import compare_jobs

router = APIRouter(prefix="/api")
JOB_ID = {"min_length": 1, "max_length": 128, "pattern": r"^[\w-]+$"}


@router.get("/compare", response_model=CompareOut,
            responses={404: ERRORS[404], 409: {**ERRORS[409], "description": "A job has not finished, has no "
                       "weights, is a regression, or the two jobs' test sets differ (the reason is given)"}})
def compare(a: str = Query(description="First job id", **JOB_ID),
            b: str = Query(description="Second job id", **JOB_ID), svc: JobService = Depends(service)):
    """Compare two finished classification jobs on the same test set (same data set, ``test_fraction``
    and ``seed``; for generated sets also ``n_samples`` and ``noise``): each job's test accuracy from its
    latest weights, the discordant counts ``b_count`` (a right, b wrong) and ``c_count`` (a wrong, b
    right), McNemar's exact p-value and one sentence on what it means."""
    return compare_jobs(svc, a, b)
