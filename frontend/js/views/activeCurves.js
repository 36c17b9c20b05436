// Active learning, drawn from GET /api/active/curves: test accuracy against the number of labels, one
// colour per strategy; thin lines are the seeds, the thick line their mean (over the rounds every seed
// has finished).

import { CHART_CONFIG, baseLayout } from './plotTheme.js';

export const STRATEGY_COLORS = { entropy: '#d62728', margin: '#7570b3', random: '#52606d' };

/** The traces of one strategy's set: a thin line per seed, then the mean. */
export function setTraces(set) {
  const color = STRATEGY_COLORS[set.strategy];
  const seeds = set.runs.map((run) => ({
    type: 'scatter', mode: 'lines', x: run.n_labels, y: run.test_accuracy, legendgroup: set.strategy,
    showlegend: false, opacity: 0.35, line: { color, width: 1 }, name: `${set.strategy} seed ${run.seed}`,
    hovertemplate: `${set.strategy} · seed ${run.seed}<br>%{x} labels: %{y:.3f}<extra></extra>`,
  }));
  const mean = {
    type: 'scatter', mode: 'lines+markers', x: set.mean.n_labels, y: set.mean.test_accuracy, legendgroup: set.strategy,
    name: `${set.strategy} (mean of ${set.mean.runs})`, line: { color, width: 3 }, marker: { color, size: 5 },
    hovertemplate: `${set.strategy} · mean<br>%{x} labels: %{y:.3f}<extra></extra>`,
  };
  return [...seeds, mean];
}

/** The last label count every set's mean reaches, and each set's mean accuracy there (null if absent). */
export function commonPoint(sets) {
  const n = Math.min(...sets.map((s) => (s.mean.n_labels.length ? s.mean.n_labels[s.mean.n_labels.length - 1] : 0)));
  return { n, accuracy: sets.map((s) => s.mean.test_accuracy[s.mean.n_labels.indexOf(n)] ?? null) };
}

export function drawActiveCurves(el, sets) {
  const base = baseLayout('Test accuracy against the number of labels', 'labels (points whose class was asked for)',
    'test accuracy (fraction)');
  Plotly.react(el, sets.flatMap(setTraces), {
    ...base, hovermode: 'closest', margin: { l: 56, r: 10, t: 28, b: 40 },
    yaxis: { ...base.yaxis, range: [0, 1.02] },
    legend: { x: 1, xanchor: 'right', y: 0.02, yanchor: 'bottom', bgcolor: 'rgba(255,255,255,0.8)', font: { size: 10 } },
  }, CHART_CONFIG);
}
