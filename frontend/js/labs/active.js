// Foundations tab 6: actively collected data. The network in the editor learns a 2-D classification set
// from a few labels, asking round by round for the class of the pool point it is least sure of (entropy or
// margin) or of a random one. Each strategy runs over n seeds as a replicate set (POST /api/replicates with
// `training.active`: ordinary jobs, one per seed; the same seed gives every strategy the same first labels
// and weights). The tab polls GET /api/active/curves for test accuracy against labels, and draws one run's
// boundary with its labelled points and next queries (GET /api/active/runs/{job}).

import { api } from '../api.js';
import { isTerminal } from '../protocol.js';
import { createDecisionBoundary } from '../views/decisionBoundary.js';
import { commonPoint, drawActiveCurves } from '../views/activeCurves.js';
import { errorLines, formHtml, readForm, showErrors } from './labForm.js';

const STRATEGIES = ['entropy', 'margin', 'random'];
const CONTROLS = [
  { name: 'entropy', label: 'entropy', checkbox: true, value: true, title: 'Ask for the point with the highest predictive entropy −Σ p log p' },
  { name: 'margin', label: 'margin', checkbox: true, value: false, title: 'Ask for the point whose two most probable classes are closest' },
  { name: 'random', label: 'random', checkbox: true, value: true, title: 'Ask for a random unlabelled point (the baseline)' },
  { name: 'initial_labels', label: 'first labels', value: 4, min: 1, max: 100, step: 1, title: '1–100 labelled points to start from, one of each class first' },
  { name: 'query_size', label: 'per round', value: 2, min: 1, max: 20, step: 1, title: '1–20 points labelled after each round' },
  { name: 'rounds', label: 'rounds', value: 15, min: 1, max: 50, step: 1, title: '1–50 rounds of asking' },
  { name: 'steps_per_round', label: 'steps/round', value: 100, min: 1, max: 2000, step: 1, title: 'Optimizer steps on the labelled points in each round (weights carry over)' },
  { name: 'n', label: 'seeds', value: 3, min: 2, max: 20, step: 1, title: '2–20 seeds per strategy; seed i gives every strategy the same first labels and weights' },
  { name: 'first_seed', label: 'first seed', value: 0, min: 0, step: 1, title: 'Seeds first_seed … first_seed + n − 1' },
];
const POLL_MS = 700;

const CAPTION = `<b>What to look for.</b> Each strategy starts from the same few labels and weights on the same seeds;
  only the points it asks about differ. Uncertainty sampling asks where the model is unsure (pale regions near the
  boundary, stars on the map), so its labels pile up along the boundary while random labels spread over the
  plane. Compare the thick mean curves at the same number of labels, and look at the thin lines: with few seeds
  the spread between seeds can be larger than the gap between strategies. Asking only near the boundary can also
  miss a region the first labels never reached; that is where random sometimes wins.`;

/** The `training.active` base spec of one strategy from the editor's spec and the form. */
export function activeSpec(spec, body, strategy) {
  const active = { strategy, initial_labels: body.initial_labels, query_size: body.query_size, rounds: body.rounds,
    steps_per_round: body.steps_per_round };
  return { ...spec, name: `${spec.name || spec.dataset.name} · active ${strategy}`.slice(0, 200),
    training: { ...spec.training, active } };
}

export function createActiveLab({ root, getSpec }) {
  root.innerHTML = `<p class="hint" id="al-about"></p>
    ${formHtml('al', CONTROLS, 'Run the strategies')}
    <p id="al-progress" class="found-stats" aria-live="polite"></p>
    <div class="found-body"><div id="al-curves" class="plot found-main"></div>
      <div class="found-main-box"><span class="found-ctl"><label for="al-job">run</label><select id="al-job"
        title="The run whose boundary, labelled points (rings) and next queries (stars) are drawn"></select></span>
        <div id="al-map" class="plot found-main"></div></div></div>
    <p id="al-stats" class="found-stats" aria-live="polite"></p>
    <p class="caption found-caption">${CAPTION}</p>`;
  const $ = (id) => root.querySelector(`#${id}`);
  const form = $('al-form');
  form.noValidate = true; // the server names a refused field
  const map = createDecisionBoundary($('al-map'), { placeholder: 'Run the strategies: the boundary of one run, its labelled points and its next queries appear here.' });
  let round = 0;
  let shownJob = null;

  async function drawMap() {
    const jobId = $('al-job').value;
    if (!jobId) return;
    const out = await api.activeRun(jobId);
    if (jobId !== shownJob) {
      map.reset();
      shownJob = jobId;
    }
    if (out.data_points) map.setPoints(out.data_points);
    if (out.decision_boundary) map.render(out.decision_boundary);
    if (out.active_round) map.markActive(out.active_round);
  }

  function fillRuns(sets) {
    const select = $('al-job');
    if (select.options.length) return;
    select.innerHTML = sets.flatMap((s) => s.runs.map((r) => `<option value="${r.job_id}">${s.strategy} · seed ${r.seed}</option>`)).join('');
  }

  function progress(sets) {
    const runs = sets.flatMap((s) => s.runs);
    const done = runs.filter((r) => isTerminal(r.status)).length;
    $('al-progress').textContent = `${done}/${runs.length} runs done · ` + sets.map((s) => `${s.strategy}: `
      + `${s.mean.n_labels.length ? s.mean.n_labels[s.mean.n_labels.length - 1] : 0} labels so far`).join(' · ');
    return done === runs.length;
  }

  function summary(sets) {
    const { n, accuracy } = commonPoint(sets);
    if (!n) return '';
    return `Mean test accuracy at ${n} labels: ` + sets.map((s, i) => `${s.strategy} ${accuracy[i] === null ? '–' : accuracy[i].toFixed(3)}`)
      .join(', ') + ` (over ${sets[0].mean.runs} seeds).`;
  }

  async function follow(ids, mine) {
    while (mine === round) {
      const { sets } = await api.activeCurves(ids);
      if (mine !== round) return;
      fillRuns(sets);
      drawActiveCurves($('al-curves'), sets);
      const finished = progress(sets);
      $('al-stats').textContent = summary(sets);
      await drawMap();
      if (finished) return;
      await new Promise((resolve) => { setTimeout(resolve, POLL_MS); });
    }
  }

  async function start(ev) {
    ev.preventDefault();
    const mine = ++round;
    const body = readForm(form);
    const chosen = STRATEGIES.filter((s) => body[s]);
    $('al-stats').textContent = '';
    $('al-job').innerHTML = '';
    shownJob = null;
    if (!chosen.length) {
      showErrors($('al-errors'), ['Choose at least one strategy.']);
      return;
    }
    try {
      const spec = getSpec();
      const ids = [];
      for (const s of chosen) {
        const set = await api.createReplicates({ name: `active ${s}: ${spec.name || spec.dataset.name}`.slice(0, 200),
          base: activeSpec(spec, body, s), n: body.n, first_seed: body.first_seed });
        ids.push(set.id);
      }
      showErrors($('al-errors'), []);
      await follow(ids, mine);
    } catch (err) {
      if (mine === round) showErrors($('al-errors'), errorLines(err));
    }
  }

  form.addEventListener('submit', start);
  $('al-job').addEventListener('change', () => { drawMap().catch((err) => showErrors($('al-errors'), errorLines(err))); });
  return {
    show: () => {
      const s = getSpec();
      $('al-about').textContent = `The network in the editor on ${s.dataset.name} (${s.training.optimizer} lr ${s.training.lr}, batch `
        + `${s.training.batch_size}), trained on the labelled points only, round by round. It needs a 2-D classification set `
        + '(circle, xor, gaussian, spiral); each run is an ordinary job.';
    },
  };
}
