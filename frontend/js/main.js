// Wiring only: loads presets and data sets, connects the controls, the editor, the REST API and
// the job stream to the views. State lives in state.js; views render what they are handed.

import { api, ApiError, apiToken, onTokenRequired } from './api.js';
import { JobStream } from './socket.js';
import { createDispatcher } from './dispatch.js';
import { PLACEHOLDERS, createPanelViews, panelLayout, panelRoutes } from './panels.js';
import { MSG, SCOPE, isTerminal } from './protocol.js';
import { configFromHash, datasetInfo, jobIdFromHash, store, tidySpec, writeConfigHash, writeJobHash } from './state.js';
import { createRaceController } from './race.js';
import { attentionCaption, mapsPlaceholder, reprMode, specKey } from './specRules.js';
import { createSurfaceController } from './surface.js';
import { createConvController } from './conv.js';
import { createFoundationsLab } from './labs/foundations.js';
import { createDatasetsController } from './controllers/datasets.js';
import { createNotes, errorText } from './controllers/notes.js';
import { createSpecController } from './controllers/spec.js';
import { createAuthPrompt } from './views/authPrompt.js';
import { createExportPanel, saveBlob } from './views/exportPanel.js';
import { createJobList } from './views/jobList.js';
import { createStatusBar } from './views/statusBar.js';
import { createRepresentations } from './views/representations.js';
import { createTabs } from './views/tabs.js';
import { createComparePanel } from './views/comparePanel.js';

const $ = (id) => document.getElementById(id);
const FM_PLACEHOLDER = PLACEHOLDERS.maps;
const BOUNDARY_PLACEHOLDER = PLACEHOLDERS.boundary;
const NEURONS_PLACEHOLDER = PLACEHOLDERS.neurons;
const GRADIENTS_PLACEHOLDER = PLACEHOLDERS.gradients;
const INSIDE = {
  image: { label: 'Feature maps', hint: 'what each conv/pool channel sees in one probe image' },
  boundary: { label: 'Decision boundary', hint: 'the class predicted at every point of the input plane' },
  sequence: { label: 'Gates', hint: 'LSTM/GRU gates and states along the probe sequence' },
  forecast: { label: 'Forecast', hint: 'the forecast over the test range against the actual series' },
  regression: { label: 'Prediction', hint: 'the predicted target over the input (curve for 1-D, surface for 2-D)' },
};
const RESUMABLE = new Set(['interrupted', 'stopped', 'paused']);
const LIVE = new Set(['queued', 'running', 'paused']); // statuses that take pause / live settings
const LIKELIHOOD_HINT = 'data term (likelihood) and prior terms (weight decay = Gaussian, L1 = Laplace)';
const ACCURACY_CAPTION = document.getElementById('accuracy-caption')?.textContent.trim() ?? '';
const LOSS_CAPTION = document.getElementById('loss-caption')?.textContent.trim().replace(/\s+/g, ' ') ?? '';
// word2vec trains on (centre, context) pairs of the whole corpus: no test part, so no test curve
const WORDS_LOSS_CAPTION = 'Training loss per step (faint) and epoch mean (blue), in nats per pair. There is no test '
  + 'set, so no test curve: the loss falls as words that share contexts get similar vectors.';
const BOUNDARY_CAPTION = document.getElementById('boundary-caption')?.textContent.trim().replace(/\s+/g, ' ') ?? '';
const GRADIENTS_HINT = 'how much of the loss gradient reaches each layer';
const ATTENTION_HINT = 'what each self-attention head looks at, for one probe sequence';
const ATTENTION_PLACEHOLDER = PLACEHOLDERS.attention;
/** When the selected tab is hidden, the first shown of these is selected instead. */
const TAB_FALLBACK = ['attention', 'repr', 'inside', 'neurons', 'gradients'];

const NO_ACCURACY = { // what the accuracy chart says for jobs that measure none (by reprMode)
  words: 'word2vec learns without labels: no accuracy; see the analogy score under Representations.',
  latent: 'An autoencoder rebuilds its input: no accuracy; the loss is the reconstruction error.',
};
const IDLE_ACCURACY = 'Accuracy (R² for regression) is measured at the end of every epoch.';
const REPR_HINT = 'what the network learned to represent: word vectors or an autoencoder’s codes';
const REPR_PLACEHOLDER = PLACEHOLDERS.repr;

const status = createStatusBar({
  statusEl: $('job-status'), noteEl: $('status-note'), finalEl: $('final-accuracy'),
  detailEl: $('job-detail'), connectionEl: $('job-connection'),
});
const notes = createNotes(status);

const views = {
  ...createPanelViews($),
  status,
  tabs: createTabs({
    tabs: [
      { key: 'inside', button: $('tab-inside'), pane: $('pane-inside') },
      { key: 'neurons', button: $('tab-neurons'), pane: $('pane-neurons') },
      { key: 'gradients', button: $('tab-gradients'), pane: $('pane-gradients') },
      { key: 'likelihood', button: $('tab-likelihood'), pane: $('pane-likelihood') },
      { key: 'attention', button: $('tab-attention'), pane: $('pane-attention') },
      { key: 'repr', button: $('tab-repr'), pane: $('pane-repr') },
    ],
    hintEl: $('vis-hint'),
    onSelect: (tab) => store.set({ tab }),
  }),
  repr: createRepresentations({
    root: $('pane-repr'),
    onNeighbors: (word) => api.neighbors(store.get().jobId, word).catch((err) => { throw new Error(errorText(err)); }),
    onAnalogy: (a, b, c) => api.analogy(store.get().jobId, a, b, c).catch((err) => { throw new Error(errorText(err)); }),
    onDownload: (path) => api.download(path).then(({ blob, filename }) => saveBlob(blob, filename))
      .catch((err) => notes.error('Could not download the embeddings', err)),
  }),
  jobs: createJobList($('job-list'), { onOpen: (id) => openJob(id, { loadSpec: true }), onDelete: deleteJob }),
  exports: createExportPanel({
    linksEl: $('export-links'), fileInput: $('import-spec'), onImport: (file) => spec.importSpec(file),
    needsFetch: () => Boolean(apiToken()), fetchFile: api.download, onError: (prefix, err) => notes.error(prefix, err),
  }),
  compare: createComparePanel({
    selectA: $('compare-a'), selectB: $('compare-b'), button: $('compare-btn'), resultEl: $('compare-result'),
    onCompare: (a, b) => api.compare(a, b),
  }),
  auth: createAuthPrompt({
    dialog: $('auth-dialog'), form: $('auth-form'), input: $('auth-token'), errorEl: $('auth-error'),
    cancelButton: $('auth-cancel'),
  }),
};

const spec = createSpecController({
  $, status, notes,
  onLive: (name, value) => setLive(name, value),
  onSpec: (current) => {
    if (store.get().jobId) return;
    showInside(current);
    showIdleAccuracy(current);
  },
  onValidated: (current, panels) => {
    idlePanels = { spec: current, panels };
    if (!store.get().jobId) showInside(current);
  },
  updateButtons: () => updateButtons(),
});
createDatasetsController({ $, spec });

let stream = null;
let stepping = false; // a single step is under way: one at a time
let openSeq = 0;

/** The job's `data_info` message: split sizes and how many feature values are missing. */
function showDataInfo(msg) {
  const box = $('job-data-info');
  if (!msg) {
    box.hidden = true;
    box.textContent = '';
    return;
  }
  const how = { mean: 'the training mean', zero: 'zero', mean_with_indicator: 'the training mean + a missing indicator' };
  if (!msg.missing) { // nothing to report: the line stays hidden (the left column is short of room)
    showDataInfo(null);
    return;
  }
  const missing = `${msg.missing.toLocaleString()} of ${msg.total_values.toLocaleString()} feature values missing (${(100 * msg.missing_fraction).toFixed(1)}%), filled with ${how[msg.impute] || msg.impute}`;
  box.textContent = `This job: ${msg.n_train} train / ${msg.n_test} test examples · ${missing}.`;
  box.title = msg.removed && msg.removed !== msg.missing
    ? `${msg.removed} removed at random, ${msg.missing - msg.removed} empty in the file` : '';
  box.hidden = false;
}

// ---- jobs ---------------------------------------------------------------------------------------

let submitting = false; // a Train click is on its way to the server
let submitted = null; // { key, jobId }: the spec last submitted and the job it made

/** Whether the job on screen is still training `spec` as submitted from this page (a second Train
 * would start a duplicate of a seeded run). */
function trainingThisSpec(spec, job) {
  if (!submitted || !job || job.id !== submitted.jobId || !LIVE.has(job.status)) return false;
  try {
    return specKey(spec) === submitted.key;
  } catch {
    return false;
  }
}

function updateButtons() {
  const { spec: current, specError, job } = store.get();
  const train = $('train-btn');
  const twin = Boolean(current) && trainingThisSpec(current, job);
  train.disabled = !current || Boolean(specError) || submitting || twin;
  train.title = specError ? 'Fix the JSON first' : twin ? 'This spec is training now (the job on screen): change something to start another run'
    : 'Submit this spec as a new training job';
  $('stop-btn').disabled = !job || isTerminal(job.status);
  const resume = $('resume-btn');
  resume.hidden = !job || !RESUMABLE.has(job.status);
  resume.disabled = resume.hidden;
  const pause = $('pause-btn');
  pause.hidden = !job || !['queued', 'running'].includes(job.status);
  pause.disabled = pause.hidden;
  const step = $('step-btn');
  step.hidden = job?.status !== 'paused';
  step.disabled = step.hidden || stepping;
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
    const job = await api.createJob(spec.withRunName(current));
    submitted = { key: specKey(current), jobId: job.id };
    notes.clear();
    submitting = false;
    await openJob(job.id, { job, loadSpec: false });
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

async function stopJob() {
  const { jobId } = store.get();
  if (!jobId) return;
  $('stop-btn').disabled = true;
  try {
    const job = await api.stopJob(jobId);
    notes.clear();
    if (store.get().jobId === jobId) store.set({ job });
    views.status.note('Stop requested.', { ms: 3000 });
  } catch (err) {
    notes.error('Could not stop', err);
  } finally {
    updateButtons();
  }
}

/** Resume the job on screen: a paused one goes on (its stream carries on); an interrupted or stopped
 * one continues from its last checkpoint. The server then drops the history after that checkpoint, so
 * the charts restart and the stream is read again from the start. */
async function resumeJob() {
  const { jobId, job: before } = store.get();
  if (!jobId) return;
  $('resume-btn').disabled = true;
  try {
    const job = await api.resumeJob(jobId);
    notes.clear();
    if (store.get().jobId === jobId && before?.status === 'paused') showJobRecord(job);
    else if (store.get().jobId === jobId) await openJob(jobId, { job, loadSpec: false });
    refreshJobs();
  } catch (err) {
    notes.error('Could not resume', err);
  } finally {
    updateButtons();
  }
}

/** Set the job record on screen from a REST answer (pause / step / resume of a paused job). */
function showJobRecord(job) {
  if (store.get().jobId !== job.id) return;
  store.set({ job });
  views.status.setStatus({ status: job.status, detail: job.detail, final: job.final });
  updateButtons();
}

async function pauseJob() {
  const { jobId } = store.get();
  if (!jobId) return;
  $('pause-btn').disabled = true;
  try {
    showJobRecord(await api.pauseJob(jobId));
    notes.clear();
  } catch (err) {
    notes.error('Could not pause', err);
  } finally {
    updateButtons();
  }
}

async function stepJob() {
  const { jobId } = store.get();
  if (!jobId || stepping) return;
  stepping = true;
  updateButtons();
  try {
    showJobRecord(await api.stepJob(jobId));
    notes.clear();
  } catch (err) {
    notes.error('Could not take a step', err);
  } finally {
    stepping = false;
    updateButtons();
  }
}

/** Reset: the server starts the spec again from step 0 as a new job; show that one (curves restart). */
async function resetJob() {
  const { jobId } = store.get();
  if (!jobId) return;
  $('reset-btn').disabled = true;
  try {
    const job = await api.resetJob(jobId);
    notes.clear();
    await openJob(job.id, { job, loadSpec: false });
    views.status.note('Reset: started again from step 0 as a new job (same spec and seed); the old one is kept in the list.', { ms: 5000 });
    refreshJobs();
  } catch (err) {
    notes.error('Could not reset', err);
  } finally {
    updateButtons();
  }
}

/** "set live" beside a setting: change it on the job on screen from its next step on. */
async function setLive(name, value) {
  const { jobId } = store.get();
  if (!jobId) return;
  try {
    showJobRecord(await api.changeSettings(jobId, { [name]: value }));
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
  try {
    await api.deleteJob(id);
    notes.clear();
    if (store.get().jobId === id) jobGone(`Deleted job “${name}”: its history and weights are gone.`);
  } catch (err) {
    notes.error('Could not delete', err);
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

let jobsSeq = 0;

let jobOpenedAt = 0; // performance.now() when the job on screen was opened
let openedFinished = false; // the job on screen had finished when opened: its stream is a replay

async function refreshJobs() {
  const seq = ++jobsSeq;
  const asked = { at: performance.now(), jobId: store.get().jobId };
  try {
    const jobs = await api.listJobs();
    views.status.clearError({ unreachableOnly: true }); // the server answers again
    if (seq !== jobsSeq) return; // an older, slower answer never overwrites a newer one
    // A list read after the job on screen was opened, without it: it was deleted (here or elsewhere).
    if (asked.jobId && asked.jobId === store.get().jobId && asked.at > jobOpenedAt && !jobs.some((j) => j.id === asked.jobId)) {
      jobGone(`Job ${asked.jobId.slice(0, 8)} no longer exists on the server (it was deleted).`);
      return;
    }
    // The job on screen may have finished after the list was read: its own record is newer.
    const { job } = store.get();
    store.set({ jobs: job && isTerminal(job.status) ? jobs.map((j) => (j.id === job.id ? { ...j, ...pick(job) } : j)) : jobs });
  } catch (err) {
    if (seq === jobsSeq) views.jobs.notes.error(`Could not load jobs: ${errorText(err)}`);
  }
}

const pick = (job) => ({ status: job.status, detail: job.detail ?? null, final: job.final ?? null });

/** Put a finished job's status and final accuracy on its card at once (before the list reloads). */
function patchJobInList(job) {
  const { jobs } = store.get();
  if (jobs.some((j) => j.id === job.id)) store.set({ jobs: jobs.map((j) => (j.id === job.id ? { ...j, ...pick(job) } : j)) });
}

function clearJob() {
  clearInbox();
  if (stream) stream.close();
  stream = null;
  store.set({ jobId: null, job: null });
  writeJobHash(null);
  views.status.reset();
  views.loss.reset('cross_entropy', 'Press Train to watch the loss fall.');
  showIdleAccuracy(store.get().spec, { force: true });
  showDataInfo(null);
  views.maps.reset(FM_PLACEHOLDER);
  views.boundary.reset(BOUNDARY_PLACEHOLDER);
  views.neurons.reset(NEURONS_PLACEHOLDER);
  views.gradients.reset(GRADIENTS_PLACEHOLDER);
  resetSequenceViews('Press Train to watch the gates.');
  views.likelihood.reset(store.get().spec?.training?.loss ?? 'cross_entropy',
    'Press Train: the data term and the prior terms are drawn here, step by step.');
  views.attention.reset(ATTENTION_PLACEHOLDER);
  views.repr.reset(null, REPR_PLACEHOLDER);
  showInside(store.get().spec);
  updateButtons();
}

let idleAccuracy = null; // what the accuracy chart was last drawn for with no job on screen

/** With no job on screen, the accuracy chart says what the spec's job will measure: accuracy, R² for
 * regression, or none (word2vec, autoencoders); redrawn only when that changes. */
function showIdleAccuracy(spec, { force = false } = {}) {
  const repr = reprMode(spec);
  const task = repr ? 'none' : datasetInfo(spec?.dataset?.name)?.task;
  const key = `${repr}|${task}`;
  if (!force && key === idleAccuracy) return;
  idleAccuracy = key;
  views.accuracy.reset(null, repr ? NO_ACCURACY[repr] : IDLE_ACCURACY, { task });
}

function resetSequenceViews(text) {
  views.gates.reset(text);
  views.forecast.reset(text);
  views.samples.reset(text);
  views.timeGradients.reset(text);
  $('clip-note').textContent = '';
}

let idlePanels = { spec: undefined, panels: null }; // the server's panels for the last spec it validated

/** The panels the server says the job on screen streams, or with no job, the current spec's once the
 * server has validated it; undefined while they are not known (the tabs then stay as they are). */
function currentPanels() {
  const { job, spec } = store.get();
  if (job) return job.panels ?? null;
  return idlePanels.spec === spec ? idlePanels.panels : undefined;
}

/**
 * Show the tabs and boxes of the panels the server streams (`currentPanels`, from panels.js's
 * layout): the "inside" tab holds the feature maps, the decision boundary or the sequence panels;
 * tabs with nothing to show are hidden, and a hidden selected tab falls back to one that shows
 * something (TAB_FALLBACK). Captions follow the spec's data set.
 */
function showInside(spec) {
  const info = datasetInfo(spec?.dataset?.name);
  const repr = reprMode(spec);
  const panels = currentPanels();
  showCaptions(spec, info, repr);
  if (panels === undefined) return;
  const layout = panelLayout(panels);
  for (const box of layout.boxes) $(box).hidden = box !== layout.box;
  for (const [id, on] of Object.entries(layout.parts)) $(id).hidden = !on;
  const key = layout.inside === 'boundary' && info?.task === 'regression' ? 'regression' : layout.inside;
  views.tabs.setLabel('inside', INSIDE[key].label, INSIDE[key].hint);
  for (const [tab, on] of Object.entries(layout.tabs)) $(`tab-${tab}`).hidden = !on;
  if (layout.tabs[store.get().tab] === false) store.set({ tab: TAB_FALLBACK.find((k) => layout.tabs[k] !== false) });
}

/** The captions under the boundary, attention and accuracy charts for `spec`'s data set. */
function showCaptions(spec, info, repr) {
  $('boundary-caption').textContent = info?.task === 'regression'
    ? (info.kind === 'toy1d'
      ? 'Red: the model’s prediction over x; dots: train, rings: test. Watch the curve bend to follow the data, not the noise.'
      : 'Background: the predicted target (red > 0 > blue); points coloured by their true target on the same scale, rings: test.')
    : BOUNDARY_CAPTION;
  $('attention-caption').textContent = attentionCaption(spec);
  $('loss-caption').textContent = repr === 'words' ? WORDS_LOSS_CAPTION : LOSS_CAPTION;
  $('accuracy-caption').textContent = repr
    ? 'No labels are predicted, so there is no accuracy; the loss above is what this network minimises.'
    : info?.task === 'regression'
    ? 'R² after each epoch: the share of the target’s variance explained (1 = perfect, 0 = no better than the mean).'
    : ACCURACY_CAPTION;
}

/** Show job `id`: reset the charts and replay its stream (history, then live messages). */
async function openJob(id, { job = null, loadSpec = false } = {}) {
  const seq = ++openSeq;
  if (stream) stream.close();
  stream = null;
  clearInbox();
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
  writeJobHash(id);
  if (loadSpec && record.spec) {
    spec.showPreset(spec.presetFor(record.spec)); // the job's preset if its spec is one, else "(custom)"
    spec.setSpec(tidySpec(record.spec), 'job');
  }

  const jobData = datasetInfo(record.spec?.dataset?.name);
  const classes = jobData?.classes?.length;
  showDataInfo(null);
  views.status.reset();
  views.status.setStatus({ status: record.status, detail: record.detail, final: record.final });
  if (record.status === 'queued' && record.queue_position) views.status.setProgress(`position ${record.queue_position} in the queue`);
  views.loss.reset(record.spec?.training?.loss ?? 'cross_entropy', undefined, { test: reprMode(record.spec) !== 'words' });
  views.accuracy.reset(classes ? 1 / classes : null, undefined, { task: jobData?.task });
  views.maps.reset(mapsPlaceholder(record.spec));
  views.boundary.reset(`Waiting for the first probe (every ${record.spec?.training?.probe_every ?? '?'} steps)…`);
  views.neurons.reset(`Waiting for the first probe (every ${record.spec?.training?.probe_every ?? '?'} steps)…`);
  views.gradients.reset('Waiting for the first steps…');
  resetSequenceViews(`Waiting for the first probe (every ${record.spec?.training?.probe_every ?? '?'} steps)…`);
  views.likelihood.reset(record.spec?.training?.loss ?? 'cross_entropy');
  const streams = new Set(record.panels || []);
  views.attention.reset(streams.has('attention')
    ? `Waiting for the first probe (every ${record.spec?.training?.probe_every ?? '?'} steps)…`
    : 'This network has no self_attention or transformer_encoder layer: no attention to show.');
  if (streams.has('attention')) store.set({ tab: 'attention' });
  const repr = reprMode(record.spec);
  views.repr.reset(repr, repr ? `Waiting for the first probe (every ${record.spec?.training?.probe_every ?? '?'} steps)…` : REPR_PLACEHOLDER, id);
  if (repr) store.set({ tab: 'repr' });
  if (repr) views.accuracy.reset(null, NO_ACCURACY[repr], { task: 'none' });
  idleAccuracy = null;
  showInside(record.spec);
  updateButtons();
  replayUntil = record.last_seq || 0;
  listen(id, 0);
}

const MAX_AUTH_RESUMES = 3;

/** Open job `id`'s stream from `after`; a stream refused for its token (1008) asks for one and resumes. */
function listen(id, after, authResumes = 0) {
  stream = new JobStream(id, {
    after,
    onMessage: onStreamMessage,
    onConnection: (state, info) => {
      if (store.get().jobId !== id) return;
      store.set({ connection: state });
      views.status.setConnection(state);
      if (state !== 'lost') return;
      const lastSeq = stream?.lastSeq ?? after;
      refreshJob(id).then((ok) => {
        // A REST call with the token worked (asking for one if needed): the socket may now pass too.
        if (ok && info?.code === 1008 && authResumes < MAX_AUTH_RESUMES && store.get().jobId === id) {
          listen(id, lastSeq, authResumes + 1);
        }
      });
    },
  }).start();
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

// Stream messages are queued and handled in batches, once per animation frame: a fast live job then
// costs one extendTraces per chart and one draw per visual per frame, instead of one of each per
// message. The stored history of a job being opened (every message up to its `last_seq` when it was
// fetched) is handled in batches of up to REPLAY_BATCH_MS instead, and at once when it is all in: a
// long run's thousands of messages are drawn once, not frame by frame (opening took minutes so).
let inbox = [];
let replayUntil = 0; // the opened job's last stored seq until its message arrives; 0: live
let pendingTimer = null;
let pendingFrame = null;
const INBOX_FALLBACK_MS = 250; // requestAnimationFrame pauses in a background tab: drain anyway
const REPLAY_BATCH_MS = 1000;

function onStreamMessage(msg) {
  inbox.push(msg);
  if (replayUntil && msg.seq >= replayUntil) { // the history is in: draw it now
    replayUntil = 0;
    cancelInbox();
  }
  scheduleInbox(replayUntil ? REPLAY_BATCH_MS : null);
}

/** Handle the inbox after `delayMs`, or (null) at the next animation frame; once per schedule. */
function scheduleInbox(delayMs) {
  if (pendingTimer !== null) return;
  const run = () => {
    cancelInbox();
    processInbox();
  };
  pendingTimer = setTimeout(run, delayMs ?? INBOX_FALLBACK_MS);
  if (delayMs === null) pendingFrame = requestAnimationFrame(run);
}

function cancelInbox() {
  clearTimeout(pendingTimer);
  if (pendingFrame !== null) cancelAnimationFrame(pendingFrame);
  pendingTimer = null;
  pendingFrame = null;
}

/** Drop what is queued (another job opened, or the stream restarted from after=0). */
function clearInbox() {
  cancelInbox();
  inbox = [];
  replayUntil = 0;
}

/** The page's routes after the panels' (panels.js): the job's own messages, the status line and notes. */
const JOB_ROUTES = [
  { type: MSG.GRADIENTS, mode: 'latest', handle: showClipping },
  { type: MSG.METRICS, mode: 'all', handle: showProgress },
  { type: MSG.DATA_INFO, mode: 'latest', handle: showDataInfo },
  { type: MSG.SETTINGS, mode: 'latest', handle: showLiveChange },
  { type: MSG.STATUS, mode: 'latest', handle: (msg) => applyStatus(msg) },
];

const dispatch = createDispatcher([...panelRoutes(views), ...JOB_ROUTES]);

function processInbox() {
  const batch = inbox;
  inbox = [];
  dispatch(batch, { jobId: store.get().jobId });
}

/** The status line's progress from the newest metrics; an epoch's end enables the export links. */
function showProgress(list) {
  if (list.some((msg) => msg.scope === SCOPE.EPOCH)) views.exports.epochDone();
  const last = list[list.length - 1];
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

/** The global gradient norm, the clipping threshold and how many steps were clipped so far. */
function showClipping(msg) {
  if (msg.total_norm === undefined) return;
  const norm = msg.total_norm == null ? 'n/a' : msg.total_norm.toExponential(2);
  $('clip-note').textContent = msg.grad_clip == null
    ? `Global ‖grad‖ ${norm} at step ${msg.step}; no clipping (grad_clip off).`
    : `Global ‖grad‖ ${norm} at step ${msg.step}; grad_clip ${msg.grad_clip}: ${msg.clipped_steps} steps clipped so far.`;
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
  if (isTerminal(msg.status)) {
    views.gradients.flush();
    patchJobInList(next);
  }
  updateButtons();
  refreshJobs();
}

// ---- store -> views -----------------------------------------------------------------------------

store.on('jobs', (jobs, state) => {
  views.jobs.render(jobs, state.jobId);
  views.compare.setJobs(jobs);
});
store.on('jobId', (jobId, state) => views.jobs.render(state.jobs, jobId));
store.on('job', (job) => views.exports.setJob(job));
store.on('tab', (tab) => {
  views.tabs.select(tab);
  writeConfigHash();
});

// ---- start --------------------------------------------------------------------------------------

async function start() {
  if (typeof Plotly === 'undefined') {
    views.status.note('Could not load plotly.js from /vendor/plotly.min.js: charts are unavailable.', { kind: 'error' });
  }
  createRaceController({ $, getSpec: () => store.get().spec, onJobsChanged: refreshJobs });
  createSurfaceController({ $ });
  createConvController({ $ });
  createFoundationsLab({ $ });
  $('train-btn').addEventListener('click', train);
  $('stop-btn').addEventListener('click', stopJob);
  $('resume-btn').addEventListener('click', resumeJob);
  $('pause-btn').addEventListener('click', pauseJob);
  $('step-btn').addEventListener('click', stepJob);
  $('reset-btn').addEventListener('click', resetJob);
  $('refresh-jobs').addEventListener('click', refreshJobs);
  for (const [button, box] of [['upload-toggle', 'upload-box'], ['compare-toggle', 'compare-box']]) {
    $(button).addEventListener('click', () => {
      $(box).hidden = !$(box).hidden;
      $(button).setAttribute('aria-expanded', String(!$(box).hidden));
    });
  }
  window.addEventListener('hashchange', () => {
    const config = configFromHash();
    if (config && JSON.stringify(config.spec) !== JSON.stringify(store.get().spec)) spec.applyConfig(config);
    const id = jobIdFromHash();
    if (id && id !== store.get().jobId) openJob(id, { loadSpec: true });
    else if (!id && store.get().jobId) clearJob(); // back to the page without a job
  });
  onTokenRequired((info) => views.auth.ask(info));
  views.status.reset();
  views.gradients.reset(GRADIENTS_PLACEHOLDER);
  views.tabs.setLabel('gradients', 'Gradient flow', GRADIENTS_HINT);
  views.tabs.setLabel('neurons', 'Neurons', 'each hidden unit over the input plane; click one to see it large');
  views.tabs.setLabel('likelihood', 'MLE vs MAP', LIKELIHOOD_HINT);
  views.tabs.setLabel('attention', 'Attention', ATTENTION_HINT);
  views.tabs.setLabel('repr', 'Representations', REPR_HINT);
  views.repr.reset(null, REPR_PLACEHOLDER);
  showInside(null);
  updateButtons();

  let presets;
  let datasets;
  try {
    [presets, datasets] = await Promise.all([api.presets(), api.datasets()]);
  } catch (err) {
    notes.error('Could not load presets and data sets', err);
    return;
  }
  store.set({ presets, datasets });
  const hashJob = jobIdFromHash();
  const config = configFromHash(); // a copied link: its spec and page settings, not the default preset
  spec.start({ presets, datasets, config, first: presets.find((p) => p.id === 'lenet_digits') || presets[0] });
  if (hashJob) await openJob(hashJob, { loadSpec: !config });
  refreshJobs();
}

start();
