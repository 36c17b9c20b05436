"""The job service: create, list, stop, pause, single-step, reset, change, delete and stream jobs;
recover them after a restart.

Live control of a run goes through its ``RunControl`` (``nnplay.train.control``): ``pause`` returns
once the loop waits between two steps (the ``paused`` status is then stored and streamed), ``step``
once the single step's messages are out, ``resume`` once the loop trains again. ``reset`` starts a
NEW job with the same spec (same seed, so the same initial weights and batch order) from step 0 and
stops the old one, which is kept with its history: curves restart on the new job and nothing is lost.
"""

import asyncio
import json
import logging
import threading
import uuid
from collections.abc import AsyncIterator

from nnplay.jobs.checkpoints import Checkpoints
from nnplay.jobs.executor import Executor, RunRequest
from nnplay.jobs.history import STEP_TYPES, downsample_metrics, skipped_seqs
from nnplay.jobs.processes import WorkerError
from nnplay.jobs.run import JobRun, superseded
from nnplay.jobs.store import JobRow, RaceRow, Store, now_iso
from nnplay.protocol import TERMINAL
from nnplay.settings import Settings
from nnplay.data import DATASETS, uploads
from nnplay.spec.errors import SpecError
from nnplay.spec.network import JobSpec, network_kind
from nnplay.spec.race import RaceSpec, race_specs
from nnplay.spec.training import LiveSettings
from nnplay.train import TrainResult
from nnplay.train.check import check_job

log = logging.getLogger("nnplay.jobs")
STOP_WAIT_SECONDS = 30.0
CONTROL_WAIT_SECONDS = 30.0  # pause / step / unpause: longest wait for the loop to answer
HISTORY_PAGE = 500  # stored messages a client reads at a time
LIVE = ("queued", "running", "paused")  # run states that take live commands
RESUMABLE = ("interrupted", "stopped", "failed")  # ended jobs that continue from their checkpoint



# Live settings a word2vec job refuses, and why (its task, nnplay.train.word2vec.Word2VecTask, reads lr;
# the one loop, nnplay.train.engine, paces every job with max_steps_per_s).
WORD2VEC_NOT_LIVE = {"grad_clip": "word2vec jobs do not clip gradients"}

class JobNotFound(LookupError):
    """No job has this id (HTTP 404)."""


class JobConflict(RuntimeError):
    """The request does not fit the job's status, e.g. stopping a finished job (HTTP 409)."""


class TooManyClients(RuntimeError):
    """A job already has ``max_clients_per_job`` websocket clients."""


class JobService:
    """Owns the live runs of this process; everything persistent goes through the Store."""

    def __init__(self, settings: Settings, store: Store, executor: Executor, checkpoints: Checkpoints):
        self.settings, self.store, self.executor = settings, store, executor
        self.checkpoints = checkpoints
        self.runs: dict[str, JobRun] = {}
        self.watchers: dict[str, int] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self.shutting_down = False
        # held while the set of jobs changes (create, resume, delete; an upload's deletion): request
        # threads and the event loop never interleave a check with the change it guards
        self.lifecycle = threading.RLock()
        self.deleting: set[str] = set()  # jobs being deleted: they answer 404 from the first moment

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Mark jobs that were running when the server died ``interrupted``; queue queued ones again."""
        self.loop = loop
        self.executor.start()
        dead = self.store.list_jobs(status="running", limit=100_000) + self.store.list_jobs(status="paused", limit=100_000)
        for row in sorted(dead, key=lambda r: r.created_at):
            run = JobRun(row.id, row.last_seq + 1, self.store, loop)
            detail = "the server stopped while this job was running"
            run.emit({"type": "status", "step": _last_step(self.store, row.id), "status": "interrupted",
                      "detail": detail, "final": row.final},
                     status="interrupted", detail=detail, finished_at=now_iso())
        for row in reversed(self.store.list_jobs(status="queued", limit=100_000)):
            self._launch(row.id, JobSpec.model_validate(row.spec), row.last_seq + 1)

    def shutdown(self) -> None:
        """Stop running jobs (they end ``interrupted``) and wait for the workers."""
        self.shutting_down = True
        for run in self.live_runs():
            run.control.stop()
        self.executor.shutdown()

    # ---- commands --------------------------------------------------------------------------

    def create(self, spec: JobSpec, paused: bool = False) -> JobRow:
        """Check the spec (ShapeError/LimitError), store the job and queue it; ``paused``: it waits
        before its first step until resumed or stepped."""
        check_job(spec.dataset, spec.network, spec.training, self.settings)
        with self.lifecycle:
            self._check_data(spec.dataset.name, ("dataset", "name"))
            self._make_room()
            job_id = uuid.uuid4().hex
            name = spec.name or default_name(spec)
            self.store.add_job(JobRow(id=job_id, name=name, spec=spec.model_dump(mode="json"),
                                      status="queued", created_at=now_iso(), last_seq=0))
            self._launch(job_id, spec, 1, paused=paused)
        return self.get(job_id)

    def _check_data(self, name: str, loc: tuple) -> None:
        """Under ``lifecycle``: the data set still exists (an upload may have been deleted since the
        spec was checked); SpecError at ``loc`` otherwise."""
        if name not in DATASETS and not uploads.exists(self.settings.data_dir, name):
            raise SpecError(loc, f"the data set '{name}' was deleted; upload it again or pick another")

    def create_race(self, race: RaceSpec) -> RaceRow:
        """Check every run of the race (SpecError at ``base...`` or ``values[i]``), store the race and
        its jobs (tagged with its id) at once, and queue them in the order of ``values``."""
        specs = race_specs(race)
        try:
            check_job(race.base.dataset, race.base.network, race.base.training, self.settings)
        except SpecError as err:
            raise SpecError(("base", *err.loc), err.message) from None
        for i, spec in enumerate(specs):
            try:
                check_job(spec.dataset, spec.network, spec.training, self.settings)
            except SpecError as err:
                raise SpecError(("values", i), f"{race.field} = {race.values[i]!r}: {err.message}") from None
        with self.lifecycle:
            self._check_data(race.base.dataset.name, ("base", "dataset", "name"))
            self._make_room(len(specs))
            race_id = uuid.uuid4().hex
            rows = [JobRow(id=uuid.uuid4().hex, name=spec.name, spec=spec.model_dump(mode="json"), status="queued",
                           created_at=now_iso(), last_seq=0, race_id=race_id) for spec in specs]
            self.store.add_race(RaceRow(id=race_id, name=race.name or race.base.name, field=race.field,
                                        values=list(race.values), job_ids=[r.id for r in rows],
                                        created_at=now_iso()), rows)
            for row, spec in zip(rows, specs):
                self._launch(row.id, spec, 1)
        return self.get_race(race_id)

    def get_race(self, race_id: str) -> RaceRow:
        race = self.store.get_race(race_id)
        if race is None:
            raise JobNotFound(f"no race with id '{race_id}'")
        return race

    def _make_room(self, n: int = 1) -> None:
        """Keep at most ``max_stored_jobs`` with ``n`` more: prune the oldest finished jobs if the
        setting allows it, else refuse (409 naming the limit)."""
        limit = self.settings.max_stored_jobs
        excess = self.store.count_jobs() - limit + n
        if excess <= 0:
            return
        finished = [j for j in reversed(self.store.list_jobs(limit=100_000)) if j.status in TERMINAL]
        if not self.settings.prune_finished_jobs or len(finished) < excess:
            raise JobConflict(f"{limit:,} jobs are stored, the limit max_stored_jobs (setting "
                              "NNPLAY_MAX_STORED_JOBS); delete finished jobs or set NNPLAY_PRUNE_FINISHED_JOBS=true")
        for row in finished[:excess]:
            self.store.delete_job(row.id)
            self.checkpoints.delete(row.id)
            log.info("pruned job %s to stay within max_stored_jobs", row.id)

    def _launch(self, job_id: str, spec: JobSpec, first_seq: int, resume: bytes | None = None, step: int = 0,
                paused: bool = False) -> None:
        run = JobRun(job_id, first_seq, self.store, self.loop)
        self.runs[job_id] = run
        run.step = step
        run.emit({"type": "status", "step": step, "status": "queued"}, status="queued")
        control = run.control
        if paused:
            control.pause()
        control.on_pause = lambda at: self._set_state(run, "running", "paused", at, "paused between two steps")
        control.on_resume = lambda at: self._set_state(run, "paused", "running", at, None)
        control.on_wait = lambda _at: run.publish_now()
        request = RunRequest(job_id, spec, run.emit, run.emit_encoded, lambda: control.stopped, lambda: self._begin(run),
                             lambda meta, data: self._checkpoint(run, meta, data), resume, control,
                             lambda where: self.store.update_job(job_id, placement=where))
        run.future = self.executor.submit(request)
        run.future.add_done_callback(lambda fut: self._end(run, fut))

    def _checkpoint(self, run: JobRun, meta: dict, data: bytes) -> None:
        """From the executor: persist the messages so far and the latest epoch's metrics (the job's
        ``final``), then the state (``data``) with the last ``seq`` it covers."""
        run.flush(final=meta["final"] or None)
        self.checkpoints.save(run.job_id, data, {**meta, "seq": run.next_seq - 1})

    def _begin(self, run: JobRun) -> bool:
        """In the worker, before training: claim the job unless it was stopped while queued."""
        with run.state_lock:
            if run.state != "queued":
                return False
            run.state = "running"
        run.emit({"type": "status", "step": run.step, "status": "running"}, status="running",
                 started_at=now_iso(), finished_at=None)
        return True

    def _set_state(self, run: JobRun, old: str, new: str, step: int, detail: str | None) -> None:
        """In the worker: ``running`` <-> ``paused``, stored and streamed (unless the job is stopping)."""
        with run.state_lock:
            if run.state != old:
                return
            # stored first: a command that waits for the new state (resume) then reads it from the store
            run.emit({"type": "status", "step": step, "status": new, "detail": detail}, status=new, detail=detail)
            run.state = new

    def _end(self, run: JobRun, fut) -> None:
        """In the worker, after training: final status, last flush, then release the clients."""
        try:
            result: TrainResult | None = fut.result()
            if result is not None:
                status = "interrupted" if self.shutting_down and result.status == "stopped" else result.status
                detail = getattr(result, "reason", None) or _end_detail(status, run.step)  # a gradient names itself
                self._finish(run, status, detail, result.final or None)
        except WorkerError as exc:  # its worker raised or died: the cause, in words
            log.warning("job %s failed: %s", run.job_id, exc)
            self._finish(run, "failed", f"{exc}; resume continues from the last checkpoint", None)
        except Exception as exc:  # a bug or an out-of-memory must not kill the server
            log.exception("job %s failed", run.job_id)
            self._finish(run, "failed", f"{type(exc).__name__}: {exc}", None)
        finally:
            self.loop.call_soon_threadsafe(self._release, run)

    def _finish(self, run: JobRun, status: str, detail: str | None, final: dict | None) -> None:
        with run.state_lock:
            run.state = status
        extra = {"detail": detail} if detail else {}
        run.emit({"type": "status", "step": run.step, "status": status, "detail": detail, "final": final},
                 status=status, final=final, finished_at=now_iso(), **extra)

    def _release(self, run: JobRun) -> None:
        run.finish()
        if self.runs.get(run.job_id) is run:
            del self.runs[run.job_id]

    async def stop(self, job_id: str) -> JobRow:
        """Stop a queued or running job and wait until it has ended (409 if it already had)."""
        row = self.get(job_id)
        run = self.runs.get(job_id)
        if row.status in TERMINAL or run is None or run.state in TERMINAL:
            raise JobConflict(f"job {job_id} has already ended with status '{row.status}'")
        await self._halt(run)
        return self.get(job_id)

    async def _halt(self, run: JobRun) -> None:
        """Stop a run and wait (at most ``STOP_WAIT_SECONDS``) until it has ended."""
        job_id = run.job_id
        with run.state_lock:
            was_queued = run.state == "queued"
            run.state = "stopping" if was_queued or run.state == "paused" else run.state
        run.control.stop()
        if was_queued:
            self._finish(run, "stopped", "stopped before it started", None)
            self._release(run)
            return
        try:
            await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(run.future)), STOP_WAIT_SECONDS)
        except TimeoutError:
            log.warning("job %s did not stop within %s s", job_id, STOP_WAIT_SECONDS)

    async def resume(self, job_id: str) -> JobRow:
        """Continue a paused job where it waits, or an interrupted or stopped one from its last
        checkpoint (409 otherwise; see ``resume_from_checkpoint``)."""
        run = self.runs.get(job_id)
        if run is not None and run.control.paused and run.state in LIVE:
            run.control.resume()
            await self._until(run, lambda: run.state != "paused")
            return self.get(job_id)
        return self.resume_from_checkpoint(job_id)

    def resume_from_checkpoint(self, job_id: str) -> JobRow:
        """Continue an ``interrupted``, ``stopped`` or ``failed`` job from its last checkpoint (409 otherwise).

        The history is rolled back to the checkpoint: messages after its ``seq`` are deleted and the
        run continues numbering from there, so the curve has no repeated or missing step. A job that
        never reached a checkpoint starts over.
        """
        with self.lifecycle:
            return self._resume_from_checkpoint(job_id)

    def _resume_from_checkpoint(self, job_id: str) -> JobRow:
        row = self.get(job_id)
        if row.status not in RESUMABLE or job_id in self.runs:
            raise JobConflict(f"job {job_id} has status '{row.status}'; only paused, interrupted, stopped or "
                              "failed jobs resume")
        meta = self.checkpoints.meta(job_id)
        data = self.checkpoints.data(job_id) if meta else None  # both checked (409) before anything changes
        seq = int(meta["seq"]) if meta else 0
        self.store.truncate_messages(job_id, after=seq)
        detail = f"resumed from step {meta['step']}" if meta else "restarted: no checkpoint was reached"
        self.store.update_job(job_id, detail=detail, final=meta["final"] if meta else None)
        self._launch(job_id, JobSpec.model_validate(row.spec), seq + 1, data, meta["step"] if meta else 0)
        return self.get(job_id)

    def _live_run(self, job_id: str, verb: str) -> JobRun:
        """The run of a queued, running or paused job; JobConflict naming the status otherwise."""
        row = self.get(job_id)
        run = self.runs.get(job_id)
        if run is None or row.status in TERMINAL or run.state not in LIVE:
            status = run.state if run is not None and row.status not in TERMINAL else row.status
            raise JobConflict(f"job {job_id} has status '{status}'; only a queued, running or paused job can {verb}")
        return run

    async def _until(self, run: JobRun, done, timeout: float = CONTROL_WAIT_SECONDS) -> None:
        """Wait (on the event loop, without polling) until ``done()`` or the run has ended."""
        deadline = self.loop.time() + timeout
        while True:
            waiter = run.changed
            if done() or run.done:
                return
            try:
                await asyncio.wait_for(waiter.wait(), max(0.0, deadline - self.loop.time()))
            except TimeoutError:
                log.warning("job %s did not answer a command within %s s", run.job_id, timeout)
                return

    async def pause(self, job_id: str) -> JobRow:
        """Pause a running job between two steps; returns once the loop waits (status ``paused``).
        A queued job waits before its first step; pausing a paused job changes nothing."""
        run = self._live_run(job_id, "be paused")
        run.control.pause()
        if run.state == "running":
            await self._until(run, lambda: run.control.waiting_at is not None or not run.control.paused)
        return self.get(job_id)

    async def step(self, job_id: str) -> JobRow:
        """Let a paused job take exactly one optimizer step; returns once its metrics, gradients and
        probe messages are out and the loop waits again (the status stays ``paused``)."""
        run = self._live_run(job_id, "take a single step")
        if run.control.paused and run.state in ("queued", "running"):  # started paused, or pausing: let it arrive
            await self._until(run, lambda: run.state == "paused" and run.control.waiting_at is not None)
        at = run.control.waiting_at
        if run.state != "paused" or at is None:
            raise JobConflict(f"job {job_id} has status '{run.state}'; only a paused job takes a single step (pause it first)")
        run.control.grant_step()
        await self._until(run, lambda: (run.control.waiting_at or -1) > at)
        return self.get(job_id)

    def change_settings(self, job_id: str, live: LiveSettings) -> JobRow:
        """Change settings of a queued, running or paused job from its next step on (the loop records a
        ``settings`` message when it applies them). SpecError (422 at the field) for a word2vec job's
        ``grad_clip``: it does not clip."""
        run = self._live_run(job_id, "change its settings")
        if self.get(job_id).spec["network"].get("type") == "word2vec":
            for name in sorted(live.model_fields_set & WORD2VEC_NOT_LIVE.keys()):
                raise SpecError((name,), f"{WORD2VEC_NOT_LIVE[name]}, so {name} cannot be set live; lr and max_steps_per_s apply to them")
        run.control.change(live)
        return self.get(job_id)

    async def reset(self, job_id: str) -> JobRow:
        """Start the job again from step 0 as a new job (same spec, same seed: the same initial weights
        and batches), paused if this one was; this one is stopped if it still runs, and kept."""
        row = self.get(job_id)
        run = self.runs.get(job_id)
        paused = run is not None and run.control.paused and run.state in LIVE
        new = self.create(JobSpec.model_validate(row.spec), paused=paused)
        if run is not None and run.state in LIVE:
            try:
                await self.stop(job_id)
            except JobConflict:
                pass  # it ended meanwhile
        self.store.update_job(job_id, detail=f"reset: started again from step 0 as job {new.id}")
        return new

    async def delete(self, job_id: str) -> None:
        """Delete a job, its history and checkpoint; a queued or running job is stopped first. From the
        first moment the job answers 404 to every other command, so nothing resumes it meanwhile."""
        with self.lifecycle:
            self.get(job_id)
            self.deleting.add(job_id)
        try:
            run = self.runs.get(job_id)
            if run is not None and run.state not in TERMINAL:
                await self._halt(run)
            with self.lifecycle:
                run = self.runs.pop(job_id, None)
                if run is not None:  # it did not stop in time: it ends on its own, writing nothing
                    run.control.stop()
                self.store.delete_job(job_id)
                self.checkpoints.delete(job_id)
        finally:
            self.deleting.discard(job_id)

    # ---- queries ---------------------------------------------------------------------------

    def get(self, job_id: str) -> JobRow:
        row = self.store.get_job(job_id) if job_id not in self.deleting else None
        if row is None:
            raise JobNotFound(f"no job with id '{job_id}'")
        return row

    def list_jobs(self) -> list[JobRow]:
        """The stored jobs, newest first, less those being deleted (each answers 404 already: a page
        that reads the list while its job is stopped for a delete must not find it there)."""
        deleting = set(self.deleting)
        return [row for row in self.store.list_jobs() if row.id not in deleting]

    def live_runs(self) -> list[JobRun]:
        """A snapshot of the runs in memory: worker threads add and remove runs while a request reads
        them, and ``list()`` copies the dict's values in one step under the GIL."""
        return list(self.runs.values())

    def current_step(self, row: JobRow) -> int | None:
        """The job's progress: live, the last optimizer step its run reported; ended, its step count at
        its last finished epoch (``final["steps"]``; None if no epoch finished)."""
        run = self.runs.get(row.id)
        if run is not None:
            return run.step
        return (row.final or {}).get("steps")

    def queue_position(self, row: JobRow) -> int | None:
        """1 for the next queued job to start; None when not queued."""
        if row.status != "queued":
            return None
        queued = [r.job_id for r in self.live_runs() if r.state == "queued"]
        return queued.index(row.id) + 1 if row.id in queued else None

    def metrics(self, job_id: str, max_points: int | None = None) -> list[dict]:
        """Every ``metrics`` message of a job, in order (persisted ones plus any not yet flushed);
        with ``max_points``, the step metrics downsampled (``nnplay.jobs.history``)."""
        self.get(job_id)
        run = self.runs.get(job_id)
        if run is not None:
            run.flush()
        metrics = [json.loads(t) for t in self.store.messages(job_id, types=("metrics",))]
        return downsample_metrics(metrics, max_points) if max_points else metrics

    def watch(self, job_id: str) -> None:
        """Count a websocket client of a job; TooManyClients past ``max_clients_per_job``."""
        self.get(job_id)
        count = self.watchers.get(job_id, 0)
        if count >= self.settings.max_clients_per_job:
            raise TooManyClients(f"job {job_id} already has {count} clients, the limit max_clients_per_job "
                                 "(setting NNPLAY_MAX_CLIENTS_PER_JOB)")
        self.watchers[job_id] = count + 1

    def unwatch(self, job_id: str) -> None:
        self.watchers[job_id] = self.watchers.get(job_id, 1) - 1
        if self.watchers[job_id] <= 0:
            del self.watchers[job_id]

    async def stream(self, job_id: str, after: int = 0, max_points: int | None = None) -> AsyncIterator[list[str]]:
        """Messages with ``seq > after`` in runs of those ready now (a page of the store, the live window
        past the client's position; never empty): history first (read from the store a page at a
        time, off the event loop), then live ones; ends after a terminal status. ``max_points``: the
        stored history's step metrics and gradients are downsampled to about that many
        (``nnplay.jobs.history``). A client that falls ``COALESCE_BACKLOG`` messages behind the live
        ones skips superseded visual frames (see ``nnplay.jobs.run.superseded``); one behind the live
        window reads the store."""
        self.get(job_id)
        skip = await asyncio.to_thread(self._downsampled, job_id, after, max_points) if max_points else set()
        pos, caught_up = after, False
        while True:
            run = self.runs.get(job_id)
            if run is None or pos + 1 < run.base:
                page = await asyncio.to_thread(self.store.messages_page, job_id, pos, run.base if run else None,
                                               HISTORY_PAGE)
                if page:
                    pos = page[-1][0]
                    if kept := [text for seq, text in page if seq not in skip]:
                        yield kept
                    continue
                if run is None:
                    return
                pos = max(pos, run.base - 1)  # the rest below the window was thinned away
            waiter = run.changed
            batch = run.window(pos)
            coalesced = superseded([kind for _, kind, _ in batch]) if caught_up else set()
            if batch:
                pos = batch[-1][0]
                if kept := [text for i, (_seq, _kind, text) in enumerate(batch) if i not in coalesced]:
                    yield kept
            caught_up = True
            if run.done and not run.window(pos):
                return
            if not batch:
                await waiter.wait()

    def _downsampled(self, job_id: str, after: int, max_points: int) -> set[int]:
        """In a thread: the seqs a replay downsampled to ``max_points`` leaves out."""
        return skipped_seqs(self.store.messages(job_id, after=after, types=STEP_TYPES), max_points)


def default_name(spec: JobSpec) -> str:
    """``"digits / 12 layers"`` or ``"shakespeare_words / word2vec skipgram"``."""
    network = spec.network
    what = f"word2vec {network.model}" if network_kind(network) == "word2vec" else f"{len(network.layers)} layers"
    return f"{spec.dataset.name} / {what}"


def _end_detail(status: str, step: int) -> str | None:
    """What the job's ``detail`` says after a run ends (None keeps the current one)."""
    return {"stopped": f"stopped at step {step}", "diverged": f"the loss became non-finite at step {step}",
            "interrupted": f"the server shut down at step {step}; resume continues from the last checkpoint",
            }.get(status)


def _last_step(store: Store, job_id: str) -> int:
    texts = store.messages(job_id, after=max(0, (store.get_job(job_id).last_seq or 0) - 1))
    return json.loads(texts[-1])["step"] if texts else 0
