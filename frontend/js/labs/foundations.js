// The foundations lab (issue 18): Bayesian vs frequentist regression, clustering step by step and
// density estimation, in one dialog with a tab each. Each tab posts its form to its endpoint, which
// answers at once with everything the views draw (every iteration included); the views only render.

import { createBayesLab } from './bayes.js';
import { createClusterLab } from './clustering.js';
import { createDensityLab } from './density.js';
import { createReplicateLab } from './replicates.js';
import { createEnsembleLab } from './ensemble.js';
import { createActiveLab } from './active.js';

const TABS = [
  { key: 'bayes', label: 'Bayesian vs frequentist', create: createBayesLab,
    title: 'Least squares (MLE), ridge (MAP) and the full Gaussian posterior of one linear model' },
  { key: 'cluster', label: 'Clustering', create: createClusterLab,
    title: 'k-means and a Gaussian mixture fitted by EM, iteration by iteration' },
  { key: 'density', label: 'Density', create: createDensityLab,
    title: 'A Gaussian mixture and a kernel density estimate, scored on held-out points' },
  { key: 'replicates', label: 'Hypothesis test', create: createReplicateLab,
    title: 'Two settings over n seeds each, compared seed by seed: paired t-test and Wilcoxon signed-rank test' },
  { key: 'ensemble', label: 'Uncertainty', create: createEnsembleLab,
    title: 'An ensemble of k seeds on 2-D data: where its members agree and where they do not' },
  { key: 'active', label: 'Active learning', create: createActiveLab,
    title: 'A network that asks for the labels it is least sure of (entropy, margin) against random ones' },
];

function buildDialog() {
  const dialog = document.createElement('dialog');
  dialog.id = 'found-dialog';
  dialog.className = 'lab-dialog found-dialog';
  dialog.setAttribute('aria-labelledby', 'found-title');
  dialog.innerHTML = `
    <div class="lab-head">
      <h2 id="found-title">Foundations</h2>
      <div class="tabs found-tabs" role="tablist" aria-label="Foundations labs">
        ${TABS.map((t, i) => `<button id="found-tab-${t.key}" class="tab" type="button" role="tab" title="${t.title}"
          aria-selected="${i === 0}" aria-controls="found-pane-${t.key}" tabindex="${i ? -1 : 0}">${t.label}</button>`).join('')}
      </div>
      <p class="hint">numpy, scipy, scikit-learn answer at once; the last three tabs train jobs.</p>
      <button id="found-close" class="icon-btn" type="button" title="Close">✕</button>
    </div>
    ${TABS.map((t, i) => `<section id="found-pane-${t.key}" class="found-pane" role="tabpanel"
      aria-labelledby="found-tab-${t.key}" ${i ? 'hidden' : ''}></section>`).join('')}`;
  return dialog;
}

export function createFoundationsLab({ $, getSpec }) {
  const dialog = buildDialog();
  document.body.append(dialog);
  const labs = new Map(TABS.map((t) => [t.key, t.create({ root: dialog.querySelector(`#found-pane-${t.key}`), getSpec })]));
  let selected = TABS[0].key;

  function select(key) {
    selected = key;
    for (const t of TABS) {
      const on = t.key === key;
      const button = dialog.querySelector(`#found-tab-${t.key}`);
      button.setAttribute('aria-selected', String(on));
      button.tabIndex = on ? 0 : -1;
      dialog.querySelector(`#found-pane-${t.key}`).hidden = !on;
    }
    labs.get(key).show();
  }

  // Charts follow their boxes (the dialog's size follows the window; a wrapped line moves the others).
  const resized = new ResizeObserver((entries) => {
    for (const { target } of entries) if (target.data && typeof Plotly !== 'undefined') Plotly.Plots.resize(target);
  });
  dialog.querySelectorAll('.plot').forEach((el) => resized.observe(el));
  for (const t of TABS) dialog.querySelector(`#found-tab-${t.key}`).addEventListener('click', () => select(t.key));
  dialog.querySelector('#found-close').addEventListener('click', () => dialog.close());
  $('open-found').addEventListener('click', () => {
    dialog.showModal();
    select(selected);
  });
}
