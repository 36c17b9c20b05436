// Foundations tab 1: Bayesian vs frequentist linear regression. The form -> POST /api/bayes/regression
// -> views/bayesRegression.js. n has a slider too, so the band can be watched narrowing as points arrive.

import { authFetch } from '../api.js';
import { formHtml, wireLab } from './labForm.js';
import { renderBayes } from '../views/bayesRegression.js';

const CONTROLS = [
  { name: 'dataset', label: 'data', value: 'sine', options: [['sine', 'sine (1-D)'], ['plane', 'plane (2-D)']],
    title: 'sine: y = sin(x) + noise; plane: y = 2 x1 − 3 x2 + 0.5 + noise; or an uploaded regression CSV (standardised)' },
  { name: 'basis', label: 'basis', value: 'polynomial', options: [['polynomial', 'polynomial'], ['rbf', 'RBF bumps']],
    title: 'Features of x for the 1-D set (the plane uses 1, x1, x2)' },
  { name: 'degree', label: 'degree', value: 5, min: 1, max: 15, step: 1, title: 'Polynomial degree: features 1, x/3, …, (x/3)^degree' },
  { name: 'centres', label: 'bumps', value: 9, min: 2, max: 30, step: 1, title: 'RBF count, evenly over [−3, 3], plus a bias' },
  { name: 'width', label: 'width', value: 0.7, min: 0.05, max: 10, step: 0.05, title: 'RBF width (x units)' },
  { name: 'n', label: 'n', value: 10, min: 1, max: 500, step: 1, title: 'Training points (1–500); more points with the same seed add to the same set' },
  { name: 'noise', label: 'noise σ', value: 0.2, min: 0.01, max: 2, step: 0.01, title: 'Standard deviation of the noise sine and plane are made with; the model assumes it too unless model σ is set (for an upload: the model’s σ in standardised units)' },
  { name: 'noise_std', label: 'model σ', value: '', min: 0.01, max: 5, step: 0.01, optional: true,
    title: 'The noise the model assumes; empty: the true σ' },
  { name: 'prior_std', label: 'prior σp', value: 1, min: 0.01, max: 1000, step: 0.01,
    title: 'Prior standard deviation of every weight: small = strong prior (ridge α = σ²/σp²)' },
  { name: 'samples', label: 'samples', value: 5, min: 0, max: 20, step: 1, title: 'Weight vectors drawn from the posterior' },
  { name: 'seed', label: 'seed', value: 0, min: 0, step: 1, title: 'Which points are drawn' },
];

const CAPTION = `<b>What to look for.</b> With few points the 95% band is wide and the posterior samples fan out
  away from the data; least squares (MLE) chases the noise once the features outnumber what the points can pin
  down. Slide n up: inside the data the band shrinks to the noise alone (±1.96σ), outside it stays wide. A
  smaller prior σp pulls the weights toward 0. The MAP (ridge) is the posterior's mean, but only the posterior
  says how sure it is.`;

export function createBayesLab({ root }) {
  root.innerHTML = `${formHtml('br', CONTROLS)}
    <div class="found-slider"><label for="br-n-slider">n</label>
      <input id="br-n-slider" type="range" min="1" max="200" step="1" value="10" title="Training points: drag to watch the band narrow">
      <span id="br-n-label" class="hint">10 points</span></div>
    <div class="found-body">
      <div id="br-main" class="plot found-main"></div>
      <div class="found-side"><div id="br-band" class="plot"></div><div id="br-weights" class="plot"></div></div>
    </div>
    <p id="br-stats" class="found-stats" aria-live="polite"></p>
    <p class="caption found-caption">${CAPTION}</p>`;
  const $ = (id) => root.querySelector(`#${id}`);
  const lab = wireLab({ form: $('br-form'), errors: $('br-errors'), path: '/api/bayes/regression',
    render: (out) => {
      $('br-n-label').textContent = `${out.n} point${out.n === 1 ? '' : 's'}`;
      renderBayes({ mainEl: $('br-main'), bandEl: $('br-band'), weightsEl: $('br-weights'), statsEl: $('br-stats') }, out);
    } });
  const showBasis = () => { // only the controls of the chosen basis (none for [1, x] features)
    const option = $('br-dataset').selectedOptions[0];
    const sine = option?.dataset.inputs ? option.dataset.inputs === '1' : $('br-dataset').value === 'sine';
    const poly = $('br-basis').value === 'polynomial';
    for (const [name, on] of [['basis', sine], ['degree', sine && poly], ['centres', sine && !poly], ['width', sine && !poly]]) {
      root.querySelector(`.found-ctl[data-name="${name}"]`).hidden = !on;
    }
  };
  $('br-form').addEventListener('change', showBasis);
  showBasis();
  const slider = $('br-n-slider');
  slider.addEventListener('input', () => {
    $('br-n').value = slider.value;
    lab.run();
  });
  $('br-n').addEventListener('change', () => { slider.value = $('br-n').value; });
  async function addUploads() { // uploaded regression tables join the data choices
    try {
      const res = await authFetch('/api/datasets', { headers: { Accept: 'application/json' } });
      const sets = res.ok ? await res.json() : [];
      const select = $('br-dataset');
      for (const d of sets.filter((s) => s.uploaded && s.task === 'regression' && s.kind === 'tabular')) {
        if ([...select.options].some((o) => o.value === d.name)) continue;
        const option = new Option(`${d.name} (uploaded, ${d.input_shape[0]} input${d.input_shape[0] === 1 ? '' : 's'})`, d.name);
        option.dataset.inputs = String(d.input_shape[0]);
        select.append(option);
      }
    } catch { /* the built-in sets stay */ }
  }
  return { show: () => { addUploads(); if (!lab.ran()) lab.run(); } };
}
