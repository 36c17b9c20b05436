"""Job lifecycle, worker threads and persistence."""

from nnplay.jobs.executor import LocalExecutor, resolve_device
from nnplay.jobs.service import JobConflict, JobNotFound, JobService, TooManyClients
from nnplay.jobs.store import Store

__all__ = ["JobConflict", "JobNotFound", "JobService", "LocalExecutor", "Store", "TooManyClients", "resolve_device"]
