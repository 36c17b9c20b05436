// Wiring of the race dialog: the form builds POST /api/races from the spec in the editor, then one
// JobStream per run feeds the race chart (the view never touches a socket).

import { api, ApiError } from './api.js';
import { MSG, isTerminal } from './protocol.js';
import { JobStream } from './socket.js';
import { createRaceChart } from './views/raceChart.js';

const DEFAULT_VALUES = {
  'training.optimizer': 'sgd, adam, rmsprop',
  'training.batch_size': '1, 32, full',
  'training.loss': 'cross_entropy, mse',
  activation: 'relu, tanh, sigmoid',
  'training.lr': '0.001, 0.01, 0.1',
  'training.momentum': '0, 0.5, 0.9',
  'training.weight_decay': '0, 0.001, 0.01',
  hidden: '1x179, 4x16', // deep vs fat at about equal parameters on 2 inputs and 2 classes (README)
};
const NUMERIC = new Set(['training.batch_size', 'training.lr', 'training.momentum', 'training.weight_decay']);

/** "1, 32, full" -> [1, 32, "full"] for numeric fields; trimmed strings otherwise. */
export function parseValues(field, text) {
  return String(text).split(',').map((v) => v.trim()).filter(Boolean)
    .map((v) => (NUMERIC.has(field) && v !== 'full' && Number.isFinite(Number(v)) ? Number(v) : v));
}

export function createRaceController({ $, getSpec, onJobsChanged }) {
  const dialog = $('race-dialog');
  const chart = createRaceChart($('race-chart'));
  const errors = $('race-errors');
  let streams = [];

  function showErrors(lines) {
    errors.replaceChildren(...lines.map((line) => Object.assign(document.createElement('li'), { textContent: line })));
    errors.hidden = !lines.length;
  }

  function follow(race) {
    streams.forEach((s) => s.close());
    chart.reset(race);
    streams = race.runs.map((run) => new JobStream(run.job.id, {
      onMessage: (msg) => {
        const i = race.values.indexOf(run.value);
        if (msg.type === MSG.METRICS) chart.push(i, msg);
        else if (msg.type === MSG.STATUS) {
          chart.setState(i, msg.status);
          if (!isTerminal(msg.status)) return;
          chart.setFinal(i, msg.final?.test_accuracy ?? msg.final?.test_r2);
          onJobsChanged();
        }
      },
    }).start());
  }

  async function start(ev) {
    ev.preventDefault();
    const spec = getSpec();
    if (!spec) {
      showErrors(['The spec in the editor is not valid JSON: fix it first.']);
      return;
    }
    const field = $('race-field').value;
    const body = { base: spec, field, values: parseValues(field, $('race-values').value) };
    try {
      const race = await api.createRace(body);
      showErrors([]);
      follow(race);
      onJobsChanged();
      refreshList(race.id);
    } catch (err) {
      showErrors(err instanceof ApiError ? err.messages.map((m) => (m.field ? `${m.field}: ${m.msg}` : m.msg))
        : ['Something went wrong in the page; see the console.']);
    }
  }

  async function refreshList(selected = '') {
    try {
      const races = await api.listRaces();
      const select = $('race-open');
      select.replaceChildren(new Option('an earlier race…', ''), ...races.map((r) => new Option(
        `${r.name || 'race'} · ${r.field} (${r.values.join(', ')})`, r.id)));
      select.value = selected;
    } catch {
      // the list is a convenience: the form still works
    }
  }

  async function openRace(id) {
    if (!id) return;
    try {
      follow(await api.getRace(id));
      showErrors([]);
    } catch (err) {
      showErrors([err.message]);
    }
  }

  $('race-field').addEventListener('change', () => { $('race-values').value = DEFAULT_VALUES[$('race-field').value] || ''; });
  $('race-values').value = DEFAULT_VALUES[$('race-field').value];
  $('race-form').addEventListener('submit', start);
  $('race-open').addEventListener('change', () => openRace($('race-open').value));
  $('race-close').addEventListener('click', () => dialog.close());
  $('open-race').addEventListener('click', () => {
    dialog.showModal();
    refreshList($('race-open').value);
    window.dispatchEvent(new Event('resize')); // plotly sizes itself to the now visible chart
  });
}
