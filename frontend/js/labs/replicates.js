// Foundations tab 4: hypothesis testing over replicates. Set a is the spec in the editor, set b the same
// spec with one training setting changed; each runs over n seeds (POST /api/replicates: ordinary jobs,
// one per seed). The tab follows both sets (GET /api/races/{id}) until every run has ended, then asks
// GET /api/replicates/compare for the paired t-test and the Wilcoxon signed-rank test.

import { api } from '../api.js';
import { isTerminal } from '../protocol.js';
import { parseValues } from '../race.js';
import { errorLines, formHtml, readForm, showErrors } from './labForm.js';
import { drawDifferences, drawPairs, statsLine } from '../views/replicates.js';

const FIELDS = [['training.optimizer', 'optimizer'], ['training.lr', 'learning rate'], ['training.weight_decay', 'weight decay'],
  ['training.momentum', 'momentum'], ['training.batch_size', 'batch size']];
const DEFAULTS = { 'training.optimizer': 'sgd', 'training.lr': '0.001', 'training.weight_decay': '0.01',
  'training.momentum': '0.9', 'training.batch_size': 'full' };
const CONTROLS = [
  { name: 'field', label: 'b changes', value: 'training.optimizer', options: FIELDS, title: 'The one setting in which set b differs from the spec in the editor (set a)' },
  { name: 'n', label: 'seeds n', value: 5, min: 2, max: 20, step: 1, title: '2–20 runs per set, one per training seed; run i of a and of b share seed i' },
  { name: 'first_seed', label: 'first seed', value: 0, min: 0, step: 1, title: 'Seeds first_seed … first_seed + n − 1' },
  { name: 'metric', label: 'compare', value: 'test_accuracy', options: [['test_accuracy', 'test accuracy'], ['test_loss', 'final test loss']],
    title: 'What each run contributes to the test' },
];
const POLL_MS = 700;

const CAPTION = `<b>What to look for.</b> Each seed gives one pair of runs: same data, same test split, same initial
  weights where the networks match; only the changed setting differs. If the lines on the left mostly slope the
  same way and the 95% interval on the right stays clear of 0, the difference is larger than the spread between
  seeds. With few seeds the interval is wide: add seeds before believing a small difference. The Wilcoxon test
  asks only about the signs and ranks of the differences, so it does not lean on normality, but with n &lt; 6 it can
  never reach p &lt; 0.05.`;

/** Set b's spec: ``spec`` with one training field set to the value typed (parsed as the race form does). */
export function variantSpec(spec, field, text) {
  const [value] = parseValues(field, text);
  const key = field.split('.')[1];
  return { ...spec, name: `${spec.name || spec.dataset.name} · ${key} = ${value}`, training: { ...spec.training, [key]: value } };
}

/** Polls the sets (races) until every run has ended, showing their progress in `el`; stops early
 * (returning what it has) when `alive()` turns false. Returns the sets as last read. */
export async function waitForSets(sets, labels, el, alive) {
  let now = sets;
  while (alive()) {
    now = await Promise.all(now.map((s) => api.getRace(s.id)));
    if (!alive()) break;
    el.innerHTML = now.map((s, i) => progressLine(labels[i], s)).join(' ');
    if (now.every((s) => s.runs.every((r) => isTerminal(r.job.status)))) break;
    await new Promise((resolve) => { setTimeout(resolve, POLL_MS); });
  }
  return now;
}

function progressLine(label, race) {
  const done = race.runs.filter((r) => isTerminal(r.job.status)).length;
  const dots = race.runs.map((r) => `<span class="rep-dot rep-${r.job.status}" title="seed ${r.value}: ${r.job.status}"></span>`).join('');
  return `<span class="rep-set"><b>${label}</b> ${dots} ${done}/${race.runs.length} done</span>`;
}

export function createReplicateLab({ root, getSpec }) {
  root.innerHTML = `<p class="hint" id="rp-a"></p>
    ${formHtml('rp', CONTROLS, 'Run both sets')}
    <p id="rp-progress" class="found-stats" aria-live="polite"></p>
    <div class="found-body"><div id="rp-pairs" class="plot found-main"></div><div id="rp-diffs" class="plot found-main"></div></div>
    <p id="rp-stats" class="found-stats" aria-live="polite"></p>
    <p id="rp-conclusion" class="found-stats"></p>
    <p id="rp-meaning" class="found-latent"></p>
    <p class="caption found-caption">${CAPTION}</p>`;
  const $ = (id) => root.querySelector(`#${id}`);
  const form = $('rp-form');
  form.noValidate = true; // the server names a refused field; the browser's bubble would hide which one
  form.querySelector('[data-name="field"]').insertAdjacentHTML('afterend', `<span class="found-ctl">
    <label for="rp-value" title="The value of the changed setting in set b">to</label><input id="rp-value" type="text"
    value="sgd" size="7" title="The value of the changed setting in set b, e.g. sgd, 0.001 or full"></span>`);
  let round = 0;

  function describe() {
    const s = getSpec();
    const t = s.training;
    $('rp-a').textContent = `Set a is the spec in the editor: ${s.dataset.name}, ${t.optimizer} lr ${t.lr}, batch ${t.batch_size}, `
      + `${t.epochs} epoch(s). Set b is the same with one setting changed. Both run as ordinary jobs, one per seed.`;
  }

  async function follow(mine, a, b, metric) {
    [a, b] = await waitForSets([a, b], ['a', 'b'], $('rp-progress'), () => mine === round);
    if (mine !== round) return;
    const out = await api.compareReplicates(a.id, b.id, metric);
    drawPairs($('rp-pairs'), out);
    drawDifferences($('rp-diffs'), out);
    $('rp-stats').textContent = statsLine(out);
    $('rp-conclusion').textContent = out.conclusion;
    $('rp-meaning').textContent = out.meaning;
  }

  async function start(ev) {
    ev.preventDefault();
    const mine = ++round;
    const { field, n, first_seed: firstSeed, metric } = readForm(form);
    const spec = getSpec();
    const sets = [['a', spec], ['b', variantSpec(spec, field, $('rp-value').value)]];
    const errors = [];
    for (const [label, base] of sets) { // check both specs before either set starts: no orphaned runs
      try { await api.validate(base); } catch (err) { errors.push(...errorLines(err).map((line) => `set ${label}: ${line}`)); }
    }
    const made = [];
    for (const [label, base] of errors.length ? [] : sets) {
      try {
        made.push(await api.createReplicates({ name: `${label}: ${base.name || base.dataset.name}`.slice(0, 200), base, n, first_seed: firstSeed }));
      } catch (err) {
        errors.push(...errorLines(err).map((line) => `set ${label}: ${line}`));
        break;
      }
    }
    showErrors($('rp-errors'), errors);
    if (errors.length || mine !== round) return;
    for (const id of ['rp-stats', 'rp-conclusion', 'rp-meaning']) $(id).textContent = '';
    try {
      await follow(mine, made[0], made[1], metric);
    } catch (err) {
      if (mine === round) showErrors($('rp-errors'), errorLines(err));
    }
  }

  form.addEventListener('submit', start);
  form.querySelector('[name="field"]').addEventListener('change', (ev) => { $('rp-value').value = DEFAULTS[ev.target.value]; });
  return { show: describe };
}
