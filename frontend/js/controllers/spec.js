// The spec being edited: the preset select, the settings form, the JSON editor, spec import and the
// server's validation (debounced). It owns the settings form, the editor and the summary table.
// `onSpec(spec)`: the spec changed (the panels may follow it); `onValidated(spec, panels)`: the
// server said which panels it would stream (`[]` when it refuses the spec); `updateButtons()`:
// the Train button may change.

import { api, ApiError } from '../api.js';
import { clone, datasetInfo, isToy, normalizeDataset, store, tidySpec, withPath, writeConfigHash } from '../state.js';
import { runName } from '../runName.js';
import { forCorpus, forOutputs, forRegression, outputsNote, specInputShape, specKey } from '../specRules.js';
import { createSettingsPanel } from '../views/settingsPanel.js';
import { createSpecEditor } from '../views/specEditor.js';
import { createSummaryTable } from '../views/summaryTable.js';
import { errorText } from './notes.js';

const VALIDATE_DELAY_MS = 300;
const NO_PRESET = 'This spec matches no preset; pick one to start from it.';

export function createSpecController({ $, status, notes, onLive, onSpec, onValidated, updateButtons, onPresetChosen = () => {} }) {
  const settings = createSettingsPanel({ dataEl: $('data-fields'), trainingEl: $('training-fields'), onEdit: onFormEdit, onLive });
  const editor = createSpecEditor($('spec-editor'), { onChange: onEditorChange });
  const summary = createSummaryTable({ tableEl: $('summary-table'), errorsEl: $('validation-errors'), warningsEl: $('validation-warnings') });
  let validateTimer = null;
  let validateSeq = 0;

  /** Make `spec` the current one; `from` ('form' | 'editor' | other) is not re-rendered. */
  function setSpec(spec, from) {
    store.set({ spec, specError: null });
    notes.dropRefusal();
    if (from !== 'editor') editor.setSpec(spec);
    const info = datasetInfo(spec?.dataset?.name);
    settings.setSpec(spec, { params: info?.params || [], task: info?.task || null, kind: info?.kind || null }); // a focused control is left alone
    showDatasetInfo(spec);
    onSpec(spec);
    if (from !== 'preset') syncPresetSelect(spec);
    writeConfigHash(); // the URL always reopens this experiment
    scheduleValidate();
  }

  /** After an edit: the preset select keeps its preset while the spec still equals it (name aside);
   * otherwise it shows the preset the spec now equals, or "(custom)". */
  function syncPresetSelect(spec) {
    const { presets } = store.get();
    if (!presets?.length || !spec || typeof spec !== 'object') return;
    let key;
    try {
      key = specKey(spec);
    } catch {
      return; // not a spec the presets can be compared with (the editor reports why)
    }
    const selected = presets.find((p) => p.id === $('preset-select').value);
    if (selected && specKey(selected.spec) === key) return;
    const match = presets.find((p) => specKey(p.spec) === key) || null;
    if (match) showPreset(match);
    else showCustom();
  }

  function onFormEdit(path, value) {
    const before = store.get().spec || {};
    let spec = withPath(before, path, value);
    let note = '';
    if (path.join('.') === 'dataset.name') {
      spec = forCorpus(forOutputs(before, forRegression(normalizeDataset(spec))), store.get().presets);
      note = outputsNote(before, spec);
    }
    setSpec(spec, 'form');
    if (note) status.note(note, { ms: 10000 });
  }

  function onEditorChange({ spec, error }) {
    if (error) {
      clearTimeout(validateTimer);
      validateSeq += 1;
      store.set({ specError: error, validation: null });
      editor.markInvalid(true);
      summary.showJsonError(error);
      notes.dropRefusal(); // that note was about the last spec sent, not this text the server never saw
      updateButtons();
      return;
    }
    editor.markInvalid(false);
    setSpec(spec, 'editor');
  }

  /** The preset whose spec equals `spec` (its name aside), or null. */
  function presetFor(spec) {
    const key = specKey(spec);
    return store.get().presets.find((p) => specKey(p.spec) === key) || null;
  }

  let readAll = false; // the learner opened the preset's full text: later presets show theirs in full too

  /** The preset's text, three lines unless opened; "What to look for…" opens the rest (no hovering). */
  function describe(text) {
    const el = $('preset-description');
    el.textContent = text;
    el.classList.toggle('clamped', !readAll);
    const more = $('preset-more');
    more.hidden = !readAll && el.scrollHeight <= el.clientHeight + 1;
    more.textContent = readAll ? 'Show less' : 'What to look for…';
    more.setAttribute('aria-expanded', String(readAll));
  }

  $('preset-more').addEventListener('click', () => {
    readAll = !readAll;
    describe($('preset-description').textContent);
  });

  /** Show `preset` in the preset select, or the neutral "(custom)" entry for null. */
  function showPreset(preset) {
    const custom = $('preset-select').querySelector('option[value=""]');
    custom.hidden = Boolean(preset);
    custom.textContent = '(custom)';
    $('preset-select').value = preset ? preset.id : '';
    describe(preset ? preset.description || '' : NO_PRESET);
    store.set({ presetId: preset ? preset.id : null });
  }

  /** The select on the custom entry, the preset the spec started from (presetId, kept in links)
   * unchanged: named there ("edited: LeNet-5 on MNIST"), its text still shown (what to look for
   * holds for a shorter or tweaked run of it too). */
  function showCustom() {
    const select = $('preset-select');
    const base = store.get().presets?.find((p) => p.id === store.get().presetId);
    const custom = select.querySelector('option[value=""]');
    custom.textContent = base ? `edited: ${base.title}` : '(custom)';
    custom.hidden = false;
    if (select.value === '' && custom.dataset.base === (base?.id || '')) return;
    custom.dataset.base = base?.id || '';
    select.value = '';
    describe(base ? `Edited from the preset “${base.title}”. ${base.description || ''}` : NO_PRESET);
  }

  function onPresetChange() {
    const preset = store.get().presets.find((p) => p.id === $('preset-select').value);
    if (!preset) return;
    onPresetChosen(); // the job on screen leaves the screen: its charts would sit under another network
    showPreset(preset);
    const spec = tidySpec(clone(preset.spec));
    if (!spec.name) spec.name = preset.title;
    setSpec(spec, 'preset');
  }

  /** A spec file chosen in "Import spec": a JSON object becomes the spec (tidied, then validated as
   * usual); anything else goes into the editor as text, which reports why it is not a spec. */
  function importSpec({ name, text }) {
    let spec = null;
    try {
      spec = JSON.parse(text);
    } catch {
      spec = null;
    }
    if (!spec || typeof spec !== 'object' || Array.isArray(spec)) {
      editor.setText(text);
      status.note(`${name} is not a job spec (a JSON object); see the editor.`, { kind: 'error', ms: 6000 });
      return;
    }
    editor.markInvalid(false);
    setSpec(tidySpec(spec), 'import');
    status.note(`Imported ${name}.`, { ms: 3000 });
  }

  function showDatasetInfo(spec) {
    const info = datasetInfo(spec?.dataset?.name);
    const box = $('dataset-info');
    const own = spec?.dataset?.n_samples; // generated sets (2-D, adding, copy ...) are made with the spec's n_samples
    const samples = (isToy(info?.name) || info?.params?.includes('n_samples')) && Number.isInteger(own) ? own : info?.n_samples;
    let outputs = info?.task === 'regression' ? '1 target' : `${info?.classes?.length ?? '?'} classes`;
    if (info?.vocab_size) outputs = `vocabulary ${info.vocab_size} tokens`;
    else if (info?.target_shape?.length && info?.task === 'regression') outputs = `target ${info.target_shape.join('×')} values`;
    const gaps = info?.n_missing ? ` · ${info.n_missing} empty cells` : '';
    box.textContent = info?.kind === 'corpus'
      ? `word corpus · ${info.n_samples.toLocaleString()} tokens · for word2vec networks ({"type": "word2vec"})`
      : info
      ? `${info.task} · ${info.kind} · input ${specInputShape(info, spec).join('×')} · ${outputs} · ${samples} samples${gaps}`
      : '';
    box.title = info?.source ? `Source: ${info.source}` : '';
    $('delete-dataset-btn').hidden = !info?.uploaded;
  }

  function scheduleValidate() {
    clearTimeout(validateTimer);
    summary.setPending(true);
    validateTimer = setTimeout(validateNow, VALIDATE_DELAY_MS);
    updateButtons();
  }

  async function validateNow() {
    const { spec } = store.get();
    if (!spec) return;
    const seq = ++validateSeq;
    const body = { dataset: spec.dataset, network: spec.network };
    if (spec.training !== undefined) body.training = spec.training;
    try {
      const answer = await api.validate(body);
      status.clearError({ unreachableOnly: true }); // the server answers again
      if (seq !== validateSeq) return;
      store.set({ validation: { ok: true, summary: answer } });
      onValidated(spec, answer.panels ?? null);
      summary.showSummary(answer, spec);
      settings.markErrors([]);
    } catch (err) {
      if (seq !== validateSeq) return;
      if (err instanceof ApiError && err.status >= 400 && err.status < 500) {
        store.set({ validation: { ok: false, messages: err.messages } });
        onValidated(spec, []); // a job the server refuses streams nothing
        showErrors(err.messages, spec);
      } else {
        store.set({ validation: null });
        summary.showJsonError(`Could not validate: ${errorText(err)}`);
      }
    }
    updateButtons();
  }

  /** The server's messages about `spec`, under "Network" and on the form's fields. */
  function showErrors(messages, spec) {
    summary.showErrors(messages, spec);
    settings.markErrors(messages);
  }

  function fillPresets(presets) {
    const custom = document.createElement('option'); // shown for a job or link whose spec is no preset
    Object.assign(custom, { value: '', textContent: '(custom)', disabled: true, hidden: true });
    $('preset-select').replaceChildren(custom, ...presets.map((p) => Object.assign(document.createElement('option'), {
      value: p.id, textContent: p.title || p.id, title: p.description || '',
    })));
  }

  /** A configuration from the URL: the preset it started from, the selected tab and the spec. */
  function applyConfig(config) {
    const preset = store.get().presets.find((p) => p.id === config.presetId);
    showPreset(preset || null);
    if (typeof config.tab === 'string') store.set({ tab: config.tab });
    editor.markInvalid(false);
    setSpec(tidySpec(clone(config.spec)), 'url');
  }

  /** The presets and data sets are in: fill the select, then open the link's config or `first`. */
  function start({ presets, datasets, config, first }) {
    setDatasets(datasets);
    fillPresets(presets);
    if (config) {
      applyConfig(config);
    } else if (first) {
      $('preset-select').value = first.id;
      onPresetChange();
    }
  }

  function setDatasets(datasets) {
    store.set({ datasets });
    settings.setDatasets(datasets);
  }

  $('preset-select').addEventListener('change', onPresetChange);

  return {
    setSpec, showPreset, presetFor, importSpec, applyConfig, start, setDatasets, showErrors, onFormEdit,
    setLive: (on) => settings.setLive(on),
    /** `spec` as submitted: an edited preset's name says what was edited (runName.js). */
    withRunName: (spec) => runName(spec, store.get().presets || [], (a, b) => specKey(a) === specKey(b)),
  };
}
