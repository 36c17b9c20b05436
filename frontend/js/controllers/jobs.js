// The jobs: the list, and the life of the job on screen (train, stop, pause, step, resume, reset,
// live settings, delete), opening a job (its record, then its stream: history, then live) and the
// job's own stream messages (status, progress, live changes). It owns the job list and compare views.

import { api, ApiError } from '../api.js';
import { MSG, SCOPE, isTerminal } from '../protocol.js';
import { clone, jobIdFromHash, store, tidySpec, withPath, writeJobHash } from '../state.js';
import { specKey } from '../specRules.js';
import { createComparePanel } from '../views/comparePanel.js';
import { createJobList } from '../views/jobList.js';
import { createLearnedController } from './learned.js';
import { errorText } from './notes.js';
import { createPlayButton, specEdits } from './play.js';
import { LIVE_PATHS } from '../views/settingsPanel.js';
import { createStreamController } from './stream.js';

const RESUMABLE = new Set(['interrupted', 'stopped', 'failed']); // Resume: from the last checkpoint (Play resumes a paused job)
const LIVE = new Set(['queued', 'running', 'paused']); // statuses that take pause / live settings
const PAUSED_HINT = 'Started paused before step 0: press Step to take one optimizer step and see what it changes, ▶ Play to train on.';
const pick = (job) => ({ status: job.status, detail: job.detail ?? null, final: job.final ?? null });

/**
 * `views`: the page's views (`status`, `exports`, `gradients`, `loss`); `spec`, `inside`: their controllers;
 * `panelRoutes`: the panels' stream routes (panels.js), run before the job's own.
 */
export function createJobsController({ $, views, notes, spec, inside, panelRoutes }) {
  const list = createJobList($('job-list'), { onOpen: (id) => openJob(id, { loadSpec: true }), onDelete: deleteJob });
  const compare = createComparePanel({
    selectA: $('compare-a'), selectB: $('compare-b'), button: $('compare-btn'), resultEl: $('compare-result'),
    onCompare: (a, b) => api.compare(a, b),
  });
  const learned = createLearnedController({ $ });
  const stream = createStreamController({
    routes: [
      ...panelRoutes,
      { type: MSG.GRADIENTS, mode: 'latest', handle: inside.showClipping },
      { type: MSG.METRICS, mode: 'all', handle: showProgress },
      { type: MSG.METRICS, mode: 'all', handle: (list) => learned.onMetrics(list) },
      { type: MSG.DATA_INFO, mode: 'latest', handle: inside.showDataInfo },
      { type: MSG.SETTINGS, mode: 'latest', handle: showLiveChange },
      { type: MSG.SETTINGS, mode: 'all', handle: (list) => views.loss.markChanges(list) },
      { type: MSG.STATUS, mode: 'latest', handle: (msg) => applyStatus(msg) },
    ],
    status: views.status,
    refreshJob,
  });
  let submitting = false; // a Train click is on its way to the server
  let submitted = null; // { key, jobId }: the spec last submitted and the job it made
  let stepping = false; // a single step is under way: one at a time
  let hintFor = null; // the job the start-paused hint on screen is about
  const deleting = new Set(); // ids of jobs this page is deleting: their answer, not a list read meanwhile, says so
  let openSeq = 0;
  let jobsSeq = 0;
  let jobOpenedAt = 0; // performance.now() when the job on screen was opened
  let openedFinished = false; // the job on screen had finished when opened: its stream is a replay
  let baseline = null; // { jobId, spec }: the spec on screen when the job on screen was started or opened
  const play = createPlayButton($('play-btn'), { train, pause: () => pauseJob(), resume: playResume, retrain: playRetrain });

  /** How the spec on screen differs from the one the job on screen was started or opened with. */
  function editsOnScreen() {
    const { spec: current, job } = store.get();
    if (!job || !baseline || baseline.jobId !== job.id) return { edited: false, live: {} };
    return specEdits(baseline.spec, current, LIVE_PATHS);
  }

  /** Play on a paused job: live settings edited on screen are sent first, then it goes on. */
  async function playResume() {
    const { jobId } = store.get();
    const { live } = editsOnScreen();
    if (jobId && Object.keys(live).length) {
      try {
        showJobRecord(await api.changeSettings(jobId, live));
        baseline = { jobId, spec: clone(store.get().spec) };
      } catch (err) {
        notes.error('Could not change the settings', err);
        return;
      }
    }
    await resumeJob('play-btn');
  }

  /** Play on a paused job whose network or settings were edited: stop it (kept, resumable) and train
   * the spec on screen as a new job. */
  async function playRetrain() {
    const { jobId } = store.get();
    if (jobId) {
      try {
        await api.stopJob(jobId);
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 409)) {
          notes.error('Could not stop the paused job', err);
          return;
        }
      }
    }
    await train();
  }

  /** Whether the job on screen is still training `s` as submitted from this page (a second Train
   * would start a duplicate of a seeded run). */
  function trainingThisSpec(s, job) {
    if (!submitted || !job || job.id !== submitted.jobId || !LIVE.has(job.status)) return false;
    try {
      return specKey(s) === submitted.key;
    } catch {
      return false;
    }
  }

  function updateButtons() {
    const { spec: current, specError, job } = store.get();
    if (hintFor && (job?.id !== hintFor || isTerminal(job.status))) { // the start-paused hint is about that job's pause
      views.status.dropNote(PAUSED_HINT);
      hintFor = null;
    }
    const train = $('train-btn');
    const twin = Boolean(current) && trainingThisSpec(current, job);
    train.disabled = !current || Boolean(specError) || submitting || twin;
    play.update({ job, canTrain: Boolean(current) && !specError && !twin, edited: editsOnScreen().edited });
    train.title = specError ? 'Fix the JSON first' : twin ? 'This spec is training now (the job on screen): change something to start another run'
      : 'Submit this spec as a new training job';
    $('stop-btn').disabled = !job || isTerminal(job.status);
    const show = (id, on, busy = false) => {
      $(id).hidden = !on;
      $(id).disabled = !on || busy;
    };
    show('resume-btn', job && RESUMABLE.has(job.status));
    show('step-btn', job?.status === 'paused', stepping);
    $('reset-btn').disabled = !job;
    spec.setLive(Boolean(job) && LIVE.has(job.status));
  }

  async function train() {
    const { spec: current, job: onScreen } = store.get();
    if (!current || submitting || trainingThisSpec(current, onScreen)) return;
    submitting = true;
    $('train-btn').disabled = true;
    views.status.note('');
    try {
      const paused = $('start-paused').checked;
      const job = await api.createJob(spec.withRunName(current), { paused });
      submitted = { key: specKey(current), jobId: job.id };
      notes.clear();
      submitting = false;
      await openJob(job.id, { job, loadSpec: false });
      if (paused) {
        views.status.note(PAUSED_HINT, { ms: 8000 });
        hintFor = job.id;
      }
      refreshJobs();
    } catch (err) {
      if (err instanceof ApiError && err.status === 422) {
        spec.showErrors(err.messages, current);
        notes.refused('The server refused this spec; see the errors under “Network”.');
      } else {
        notes.error('Could not start training', err);
      }
    } finally {
      submitting = false;
      updateButtons();
    }
  }

  /** Run `call(jobId)` for the job on screen with `button` disabled meanwhile; `done(answer, jobId)`
   * after it succeeds, an error note saying `failed` if not. A 409 for a job that has ended meanwhile
   * (the page, behind its stream on a busy machine, still showed it running) shows its final record
   * instead of an error. */
  async function act(button, failed, call, done) {
    const { jobId } = store.get();
    if (!jobId) return;
    $(button).disabled = true;
    try {
      const answer = await call(jobId);
      notes.clear();
      await done(answer, jobId);
    } catch (err) {
      if (!(await showEnded(jobId, err))) notes.error(failed, err);
    } finally {
      updateButtons();
    }
  }

  /** After a 409: if the job has ended on the server, show its record and say so; true if it had. */
  async function showEnded(jobId, err) {
    if (!(err instanceof ApiError && err.status === 409)) return false;
    let job;
    try {
      job = await api.getJob(jobId);
    } catch {
      return false;
    }
    if (!isTerminal(job.status)) return false;
    showJobRecord(job);
    patchJobInList(job);
    views.status.note(`The job had already ended (${job.status}) before this click reached the server.`, { ms: 10000 });
    return true;
  }

  // The server answers once the job has ended: its status shows at once, even while the stream (behind
  // on a busy machine) is still drawing earlier steps.
  const stopJob = () => act('stop-btn', 'Could not stop', api.stopJob, (job) => {
    showJobRecord(job);
    if (isTerminal(job.status)) patchJobInList(job);
  });

  /** Resume the job on screen: a paused one goes on (its stream carries on); an interrupted or stopped
   * one continues from its last checkpoint. The server then drops the history after that checkpoint, so
   * the charts restart and the stream is read again from the start. */
  function resumeJob(button = 'resume-btn') {
    const before = store.get().job;
    return act(button, 'Could not resume', api.resumeJob, async (job, jobId) => {
      if (store.get().jobId === jobId && before?.status === 'paused') showJobRecord(job);
      else if (store.get().jobId === jobId) await openJob(jobId, { job, loadSpec: false });
      refreshJobs();
    });
  }

  const pauseJob = () => act('play-btn', 'Could not pause', api.pauseJob, showJobRecord);

  /** Reset: the server starts the spec again from step 0 as a new job; show that one (curves restart). */
  const resetJob = () => act('reset-btn', 'Could not reset', api.resetJob, async (job) => {
    await openJob(job.id, { job, loadSpec: false });
    views.status.note('Reset: started again from step 0 as a new job (same spec and seed); the old one is kept in the list.', { ms: 5000 });
    refreshJobs();
  });

  /** Set the job record on screen from a REST answer (pause / step / resume of a paused job). An
   * answer read while the job still ran never replaces the end its stream has shown since (a resumed
   * job can finish before a busy page handles the resume's answer: it would read "running" forever). */
  function showJobRecord(job) {
    const shown = store.get();
    if (shown.jobId !== job.id) return;
    if (isTerminal(shown.job?.status) && !isTerminal(job.status)) return;
    store.set({ job });
    views.status.setStatus({ status: job.status, detail: job.detail, final: job.final });
    updateButtons();
  }

  async function stepJob() {
    const { jobId } = store.get();
    if (!jobId || stepping) return;
    stepping = true;
    updateButtons();
    try {
      showJobRecord(await api.stepJob(jobId));
      learned.refresh(); // the step is done, its weights saved if it ended an epoch
      notes.clear();
    } catch (err) {
      notes.error('Could not take a step', err);
    } finally {
      stepping = false;
      updateButtons();
    }
  }

  /** "set live" beside a setting: change it on the job on screen from its next step on. */
  async function setLive(name, value) {
    const { jobId } = store.get();
    if (!jobId) return;
    try {
      showJobRecord(await api.changeSettings(jobId, { [name]: value }));
      if (baseline?.jobId === jobId) baseline.spec = withPath(baseline.spec, ['training', name], value);
      notes.clear();
      views.status.note(`Sent ${name} = ${value}: it applies from the next step.`, { ms: 4000 });
    } catch (err) {
      notes.error(`Could not change ${name}`, err);
    }
  }

  async function deleteJob(id) {
    const job = store.get().jobs.find((j) => j.id === id);
    const name = job?.name || id.slice(0, 8);
    const running = job && !isTerminal(job.status);
    if (!confirm(`${running ? 'Stop and delete' : 'Delete'} job “${name}”? Its history and weights are removed.`)) return;
    deleting.add(id); // (a list read meanwhile leaves it out: this answer says what happened, not that list)
    try {
      await api.deleteJob(id);
      notes.clear();
      if (store.get().jobId === id) jobGone(`Deleted job “${name}”: its history and weights are gone.`);
    } catch (err) {
      notes.error('Could not delete', err);
    } finally {
      deleting.delete(id);
    }
    refreshJobs();
  }

  /** The job on screen no longer exists on the server: no status line of a job that is gone (it
   * would read "running" forever), a note that says what happened, and the list without it. */
  function jobGone(text) {
    clearJob();
    views.status.note(text, { kind: 'info' });
    refreshJobs();
  }

  async function refreshJobs() {
    const seq = ++jobsSeq;
    const asked = { at: performance.now(), jobId: store.get().jobId };
    try {
      const jobs = await api.listJobs();
      views.status.clearError({ unreachableOnly: true }); // the server answers again
      if (seq !== jobsSeq) return; // an older, slower answer never overwrites a newer one
      // A list read after the job on screen was opened, without it: it was deleted (here or elsewhere).
      if (asked.jobId && asked.jobId === store.get().jobId && asked.at > jobOpenedAt && !deleting.has(asked.jobId)
        && !jobs.some((j) => j.id === asked.jobId)) {
        jobGone(`Job ${asked.jobId.slice(0, 8)} no longer exists on the server (it was deleted).`);
        return;
      }
      // The job on screen may have finished after the list was read: its own record is newer.
      const { job } = store.get();
      store.set({ jobs: job && isTerminal(job.status) ? jobs.map((j) => (j.id === job.id ? { ...j, ...pick(job) } : j)) : jobs });
    } catch (err) {
      if (seq === jobsSeq) list.showError(`Could not load jobs: ${errorText(err)}`);
    }
  }

  /** Put a finished job's status and final accuracy on its card at once (before the list reloads). */
  function patchJobInList(job) {
    const { jobs } = store.get();
    if (jobs.some((j) => j.id === job.id)) store.set({ jobs: jobs.map((j) => (j.id === job.id ? { ...j, ...pick(job) } : j)) });
  }

  /** No job on screen. */
  function clearJob() {
    stream.close();
    store.set({ jobId: null, job: null });
    writeJobHash(null);
    views.status.reset();
    inside.resetIdle();
    learned.open(null);
    updateButtons();
  }

  /** Show job `id`: reset the charts and replay its stream (history, then live messages). */
  async function openJob(id, { job = null, loadSpec = false, config = null } = {}) {
    const seq = ++openSeq;
    stream.close();
    let record = job;
    if (!record) {
      try {
        record = await api.getJob(id);
      } catch (err) {
        if (seq !== openSeq) return;
        notes.error(`Could not open job ${id}`, err);
        if (store.get().jobId === id || jobIdFromHash() === id) clearJob();
        return;
      }
    }
    if (seq !== openSeq) return;
    if (!job) notes.clear(); // opened: an error about an earlier action is stale
    jobOpenedAt = performance.now();
    openedFinished = isTerminal(record.status);
    store.set({ jobId: id, job: record });
    // the spec on screen first, then the URL: one history entry, never this job under the last one's spec
    if (config) {
      spec.applyConfig(config); // a link's (or a history entry's) own edits of the job's spec
    } else if (loadSpec && record.spec) {
      spec.showPreset(spec.presetFor(record.spec)); // the job's preset if its spec is one, else "(custom)"
      spec.setSpec(tidySpec(record.spec), 'job');
    }
    writeJobHash(id);
    baseline = { jobId: id, spec: clone(store.get().spec) };
    views.status.reset();
    views.status.setStatus({ status: record.status, detail: record.detail, final: record.final });
    if (record.status === 'queued' && record.queue_position) views.status.setProgress(`position ${record.queue_position} in the queue`);
    inside.resetForJob(record, id);
    learned.open(record);
    updateButtons();
    stream.open(id, record.last_seq);
  }

  /** Reload job `id`'s record; resolves to whether it could. */
  async function refreshJob(id) {
    let ok = false;
    try {
      const job = await api.getJob(id);
      if (store.get().jobId !== id) return false;
      store.set({ job });
      views.status.setStatus({ status: job.status, detail: job.detail, final: job.final });
      views.status.clearError({ unreachableOnly: true });
      ok = true;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404 && store.get().jobId === id) {
        jobGone(`Job ${id.slice(0, 8)} no longer exists on the server (it was deleted).`);
        return false;
      }
      notes.error('Could not reload the job', err);
    }
    updateButtons();
    return ok;
  }

  /** The status line's progress from the newest metrics; an epoch's end enables the export links. */
  function showProgress(metrics) {
    if (metrics.some((msg) => msg.scope === SCOPE.EPOCH)) views.exports.epochDone();
    const last = metrics[metrics.length - 1];
    const { job } = store.get();
    const epochs = job?.spec?.training?.epochs;
    const lr = typeof last.lr === 'number' ? ` · lr ${Number(last.lr.toPrecision(3))}` : '';
    // A finished job's history is replayed, not trained: the line says where the replay is.
    const total = openedFinished && job && isTerminal(job.status) ? job.final?.steps : null;
    const replay = typeof total === 'number' && last.step < total ? `replaying the history: step ${last.step} of ${total}` : '';
    views.status.setProgress(replay || `epoch ${last.epoch}${epochs ? `/${epochs}` : ''} · step ${last.step}${lr}`);
  }

  /** A live settings change of the job on screen, while it still takes them. */
  function showLiveChange(msg) {
    if (!LIVE.has(store.get().job?.status)) return;
    const text = Object.entries(msg.changes).map(([k, v]) => `${k} = ${v}`).join(', ');
    views.status.note(`Changed live: ${text}, from step ${msg.step + 1} on.`, { ms: 5000 });
  }

  /** The newest `status` message of a batch. */
  function applyStatus(msg) {
    const { job } = store.get();
    // A finished job's history replays its earlier statuses (queued, running): the page already shows
    // the stored, final one (from GET /api/jobs/{id}), which the replay ends with anyway.
    if (job && isTerminal(job.status) && !isTerminal(msg.status)) return;
    const next = { ...job, status: msg.status, detail: msg.detail ?? null, final: msg.final ?? job?.final ?? null };
    store.set({ job: next });
    views.status.setStatus(next);
    if (isTerminal(msg.status) || msg.status === 'paused') learned.refresh(); // stopped or paused: its newest weights
    if (isTerminal(msg.status)) {
      views.gradients.finish();
      patchJobInList(next);
    }
    updateButtons();
    refreshJobs();
  }

  for (const [id, handler] of [['train-btn', train], ['stop-btn', stopJob], ['resume-btn', () => resumeJob()],
    ['step-btn', stepJob], ['reset-btn', resetJob], ['refresh-jobs', refreshJobs]]) {
    $(id).addEventListener('click', handler);
  }
  store.on('jobs', (jobs, state) => {
    list.render(jobs, state.jobId);
    compare.setJobs(jobs);
  });
  store.on('jobId', (jobId, state) => list.render(state.jobs, jobId));

  return { updateButtons, setLive, refreshJobs, openJob, clearJob };
}
