// Wiring only: builds the views and the controllers (controllers/: the spec, the jobs and their
// stream, the data sets, the inside panels; the dialogs in their own modules), connects the store to
// the views, then loads presets and data sets and opens what the URL names. State lives in state.js
// and in the controller that owns it; views render what they are handed.

import { api, apiToken, onTokenRequired } from './api.js';
import { TABS, createPanelViews, panelRoutes } from './panels.js';
import { configFromHash, jobIdFromHash, store, writeConfigHash } from './state.js';
import { createRaceController } from './race.js';
import { createSurfaceController } from './surface.js';
import { createConvController } from './conv.js';
import { createFoundationsLab } from './labs/foundations.js';
import { createBuilderController } from './controllers/builder.js';
import { createDatasetsController } from './controllers/datasets.js';
import { createInsideController } from './controllers/inside.js';
import { createJobsController } from './controllers/jobs.js';
import { createNotes, errorText } from './controllers/notes.js';
import { createSpecController } from './controllers/spec.js';
import { createAuthPrompt } from './views/authPrompt.js';
import { createExportPanel, saveBlob } from './views/exportPanel.js';
import { createStatusBar } from './views/statusBar.js';
import { createRepresentations } from './views/representations.js';
import { createPanes, createTabButtons, createTabs } from './views/tabs.js';

const $ = (id) => document.getElementById(id);
// The page opens on a small 2-D net in slow motion (TensorFlow Playground's first screen): Play trains it.
const OPENING_PRESET = 'play_spiral';
const tabButtons = createTabButtons(TABS, $('vis-hint'));
createPanes(TABS, $('pane-inside').parentElement);

const status = createStatusBar({
  statusEl: $('job-status'), noteEl: $('status-note'), finalEl: $('final-accuracy'),
  detailEl: $('job-detail'), connectionEl: $('job-connection'),
});
const notes = createNotes(status);
const asError = (err) => { throw new Error(errorText(err)); };

const views = {
  ...createPanelViews($),
  status,
  tabs: createTabs({
    tabs: TABS.map(({ key }) => ({ key, button: tabButtons[key], pane: $(`pane-${key}`) })),
    hintEl: $('vis-hint'),
    onSelect: (tab) => store.set({ tab }),
  }),
  repr: createRepresentations({
    root: $('pane-repr'),
    onNeighbors: (word) => api.neighbors(store.get().jobId, word).catch(asError),
    onAnalogy: (a, b, c) => api.analogy(store.get().jobId, a, b, c).catch(asError),
    onDownload: (path) => api.download(path).then(({ blob, filename }) => saveBlob(blob, filename))
      .catch((err) => notes.error('Could not download the embeddings', err)),
  }),
  exports: createExportPanel({
    linksEl: $('export-links'), fileInput: $('import-spec'), onImport: (file) => spec.importSpec(file),
    needsFetch: () => Boolean(apiToken()), fetchFile: api.download, onError: (prefix, err) => notes.error(prefix, err),
  }),
  auth: createAuthPrompt({
    dialog: $('auth-dialog'), form: $('auth-form'), input: $('auth-token'), errorEl: $('auth-error'),
    cancelButton: $('auth-cancel'),
  }),
};

const inside = createInsideController({ $, views });
const spec = createSpecController({
  $, status, notes,
  onLive: (name, value) => jobs.setLive(name, value),
  onSpec: (current) => { if (!store.get().jobId) inside.idle(current); },
  onValidated: (current, panels) => inside.setIdlePanels(current, panels),
  updateButtons: () => jobs.updateButtons(),
  onPresetChosen: () => { if (store.get().jobId) jobs.clearJob(); }, // it keeps training; the list has it
});
const jobs = createJobsController({ $, views, notes, spec, inside, panelRoutes: panelRoutes(views, {
  shown: (tab) => tab === store.get().tab, current: () => store.get().jobId,
}) });
createDatasetsController({ $, spec });
createBuilderController({ $, spec, notes, diagram: views.neurons });

// ---- store -> views -----------------------------------------------------------------------------

store.on('job', (job) => views.exports.setJob(job));
store.on('tab', (tab) => {
  views.tabs.select(tab);
  writeConfigHash();
});

// ---- start --------------------------------------------------------------------------------------

/** The URL changed (back, forward, a pasted link): show its spec and its job, or none. */
function onHashChange() {
  const config = configFromHash();
  const id = jobIdFromHash();
  // The URL is what to show: nothing here may write another history entry. Another job opens with
  // the URL's spec (its config, else the job's own); leaving a job clears it before the spec follows.
  if (id && id !== store.get().jobId) {
    jobs.openJob(id, { loadSpec: true, config });
    return;
  }
  if (!id && store.get().jobId) jobs.clearJob(); // back to the page without a job
  if (config && JSON.stringify(config.spec) !== JSON.stringify(store.get().spec)) spec.applyConfig(config);
}

async function start() {
  if (typeof Plotly === 'undefined') {
    status.note('Could not load plotly.js from vendor/plotly-cartesian.min.js: charts are unavailable.', { kind: 'error' });
  }
  createRaceController({ $, getSpec: () => store.get().spec, onJobsChanged: jobs.refreshJobs });
  createSurfaceController({ $ });
  createConvController({ $ });
  createFoundationsLab({ $, getSpec: () => store.get().spec });
  for (const [button, box] of [['upload-toggle', 'upload-box'], ['compare-toggle', 'compare-box']]) {
    $(button).addEventListener('click', () => {
      $(box).hidden = !$(box).hidden;
      $(button).setAttribute('aria-expanded', String(!$(box).hidden));
    });
  }
  window.addEventListener('hashchange', onHashChange);
  onTokenRequired((info) => views.auth.ask(info));
  status.reset();
  const hashJob = jobIdFromHash();
  inside.start({ placeholders: !hashJob });
  jobs.updateButtons();

  // a linked job's record is fetched with the presets, not after them (openJob fetches it again,
  // and says why, where this failed)
  const linkedJob = hashJob ? api.getJob(hashJob).catch(() => null) : null;
  let presets;
  let datasets;
  try {
    [presets, datasets] = await Promise.all([api.presets(), api.datasets()]);
  } catch (err) {
    notes.error('Could not load presets and data sets', err);
    return;
  }
  store.set({ presets, datasets });
  const config = configFromHash(); // a copied link: its spec and page settings, not the default preset
  const job = await linkedJob;
  if (hashJob && !job) inside.start(); // the linked job could not be fetched: the placeholders after all
  // a linked job brings its own spec: the opening preset is not drawn first (it is where the job
  // could not be fetched; openJob then says why)
  const opening = job?.spec && !config ? null : presets.find((p) => p.id === OPENING_PRESET) || presets[0];
  spec.start({ presets, datasets, config, first: opening });
  if (hashJob) await jobs.openJob(hashJob, { loadSpec: !config, job });
  jobs.refreshJobs();
}

start();
