// What the right column shows around the stream: which tabs and boxes (the server's `panels`, laid
// out by panels.js), their labels, captions and placeholders, and the views' resets when a job is
// opened or closed. It owns the panels of the last validated spec and the idle accuracy note.

import { PANELS, REPR_PLACEHOLDER, RESETS, TABS, TAB_FALLBACK, panelLayout } from '../panels.js';
import { datasetInfo, store } from '../state.js';
import { attentionCaption, reprMode, waitingForProbe } from '../specRules.js';

const INSIDE = {
  image: { label: 'Feature maps', hint: 'what each conv/pool channel sees in one probe image' },
  boundary: { label: 'Decision boundary', hint: 'the class predicted at every point of the input plane' },
  sequence: { label: 'Gates', hint: 'LSTM/GRU gates and states along the probe sequence' },
  forecast: { label: 'Forecast', hint: 'the forecast over the test range against the actual series' },
  regression: { label: 'Prediction', hint: 'the predicted target over the input (curve for 1-D, surface for 2-D)' },
};
/** The tabs selected when a job streaming one of their panels is opened (panels.js: `select`). */
const SELECTS = new Set(TABS.filter((t) => t.select).map((t) => t.key));
const NO_ACCURACY = { // what the accuracy chart says for jobs that measure none (by reprMode)
  words: 'word2vec learns without labels: no accuracy; see the analogy score under Representations.',
  latent: 'An autoencoder rebuilds its input: no accuracy; the loss is the reconstruction error.',
};
const IDLE_ACCURACY = 'Measured at the end of every epoch.'; // short: a plotly note does not wrap (a 1280-px column)
// word2vec trains on (centre, context) pairs of the whole corpus: no test part, so no test curve
const WORDS_LOSS_CAPTION = 'Training loss per step (faint) and epoch mean (blue), in nats per pair. There is no test '
  + 'set, so no test curve: the loss falls as words that share contexts get similar vectors.';
const DATA_INFO_IMPUTE = { mean: 'the training mean', zero: 'zero', mean_with_indicator: 'the training mean + a missing indicator' };

const waiting = waitingForProbe;

/** `views`: the page's views by key (panels.js's, plus `tabs` and `repr`). */
export function createInsideController({ $, views }) {
  const text = (id) => $(id)?.textContent.trim().replace(/\s+/g, ' ') ?? '';
  const captions = { // the page's own captions, for the cases that keep them
    accuracy: $('accuracy-caption')?.textContent.trim() ?? '', loss: text('loss-caption'), boundary: text('boundary-caption'),
  };
  let idlePanels = { spec: undefined, panels: null }; // the server's panels for the last spec it validated
  let idleAccuracy = null; // what the accuracy chart was last drawn for with no job on screen

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
  function show(spec) {
    const info = datasetInfo(spec?.dataset?.name);
    const panels = currentPanels();
    showCaptions(spec, info, reprMode(spec));
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
      : captions.boundary;
    $('attention-caption').textContent = attentionCaption(spec);
    $('loss-caption').textContent = repr === 'words' ? WORDS_LOSS_CAPTION : captions.loss;
    $('accuracy-caption').textContent = repr
      ? 'No labels are predicted, so there is no accuracy; the loss above is what this network minimises.'
      : info?.task === 'regression'
      ? 'R² after each epoch: the share of the target’s variance explained (1 = perfect, 0 = no better than the mean).'
      : captions.accuracy;
  }

  /** With no job on screen, the accuracy chart says what the spec's job will measure: accuracy, R² for
   * regression, or none (word2vec, autoencoders); redrawn only when that changes. */
  function showIdleAccuracy(spec, { force = false } = {}) {
    const repr = reprMode(spec);
    const task = repr ? 'none' : datasetInfo(spec?.dataset?.name)?.task;
    const epochs = spec?.training?.epochs;
    const key = `${repr}|${task}|${epochs}`;
    if (!force && key === idleAccuracy) return;
    idleAccuracy = key;
    views.accuracy.reset(repr ? NO_ACCURACY[repr] : IDLE_ACCURACY, { task, epochs });
  }


  /** No job on screen: every view shows what pressing Train will draw. */
  function resetIdle() {
    const { spec } = store.get();
    views.loss.reset('Press ▶ Play to watch the loss fall.');
    showIdleAccuracy(spec, { force: true });
    showDataInfo(null);
    for (const [key, { idle }] of RESETS) views[key].reset(idle);
    $('clip-note').textContent = '';
    views.likelihood.reset('Press ▶ Play: the data term and the prior terms are drawn here, step by step.',
      { loss: spec?.training?.loss ?? 'cross_entropy' });
    views.repr.reset(REPR_PLACEHOLDER);
    show(spec);
  }

  /** Job `record` (id `id`) opened: every view waits for its first messages; a job that streams
   * attention or representations selects that tab. */
  function resetForJob(record, id) {
    const { spec } = record;
    const data = datasetInfo(spec?.dataset?.name);
    const classes = data?.classes?.length;
    const repr = reprMode(spec);
    const streams = new Set(record.panels || []);
    showDataInfo(null);
    views.loss.reset(undefined, { loss: spec?.training?.loss ?? 'cross_entropy', test: repr !== 'words' });
    views.accuracy.reset(undefined, { chance: classes ? 1 / classes : null, task: data?.task,
      epochs: spec?.training?.epochs });
    const ctx = { spec, streams, waiting: waiting(spec) };
    for (const [key, reset] of RESETS) views[key].reset(reset.waiting(ctx));
    $('clip-note').textContent = '';
    views.likelihood.reset(undefined, { loss: spec?.training?.loss ?? 'cross_entropy' });
    for (const panel of PANELS) if (SELECTS.has(panel.tab) && streams.has(panel.name)) store.set({ tab: panel.tab });
    views.repr.reset(repr ? waiting(spec) : REPR_PLACEHOLDER, { mode: repr, id });
    if (repr) store.set({ tab: 'repr' });
    if (repr) views.accuracy.reset(NO_ACCURACY[repr], { task: 'none' });
    idleAccuracy = null;
    show(spec);
  }

  /** The job's `data_info` message: split sizes and how many feature values are missing. */
  function showDataInfo(msg) {
    const box = $('job-data-info');
    if (!msg?.missing) { // nothing to report: the line stays hidden (the left column is short of room)
      box.hidden = true;
      box.textContent = '';
      return;
    }
    const missing = `${msg.missing.toLocaleString()} of ${msg.total_values.toLocaleString()} feature values missing (${(100 * msg.missing_fraction).toFixed(1)}%), filled with ${DATA_INFO_IMPUTE[msg.impute] || msg.impute}`;
    box.textContent = `This job: ${msg.n_train} train / ${msg.n_test} test examples · ${missing}.`;
    box.title = msg.removed && msg.removed !== msg.missing
      ? `${msg.removed} removed at random, ${msg.missing - msg.removed} empty in the file` : '';
    box.hidden = false;
  }

  /** The global gradient norm, the clipping threshold and how many steps were clipped so far. */
  function showClipping(msg) {
    if (msg.total_norm === undefined) return;
    const norm = msg.total_norm == null ? 'n/a' : msg.total_norm.toExponential(2);
    $('clip-note').textContent = msg.grad_clip == null
      ? `Global ‖grad‖ ${norm} at step ${msg.step}; no clipping (grad_clip off).`
      : `Global ‖grad‖ ${norm} at step ${msg.step}; grad_clip ${msg.grad_clip}: ${msg.clipped_steps} steps clipped so far.`;
  }

  /** The page opens: the tabs' labels and hints, and (`placeholders`) every view's placeholder; a page
   * opening a linked job leaves them out, the job's resets (or, where it cannot be opened, the idle
   * ones) come next. */
  function start({ placeholders = true } = {}) {
    if (placeholders) for (const [key, { placeholder }] of RESETS) views[key].reset(placeholder);
    for (const tab of TABS.filter((t) => t.key !== 'inside')) views.tabs.setLabel(tab.key, tab.label, tab.hint);
    views.repr.reset(REPR_PLACEHOLDER);
    show(null);
  }

  return {
    show, showIdleAccuracy, resetIdle, resetForJob, showDataInfo, showClipping, start,
    /** The spec changed with no job on screen: the tabs and the accuracy note follow it. */
    idle(spec) {
      show(spec);
      showIdleAccuracy(spec);
    },
    /** The server validated `spec`: it would stream `panels` (null: not said, []: refused). */
    setIdlePanels(spec, panels) {
      idlePanels = { spec, panels };
      if (!store.get().jobId) show(spec);
    },
  };
}
