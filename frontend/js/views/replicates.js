// Hypothesis testing over replicates, drawn from GET /api/replicates/compare: the paired results
// (one line per seed from set a to set b) and the differences b - a with their mean and 95% t-interval
// against the zero line.

import { CHART_CONFIG, baseLayout } from './plotTheme.js';

const A_COLOR = '#1f77b4';
const B_COLOR = '#ff7f0e';
const UNITS = { test_accuracy: 'test accuracy (fraction)', test_loss: 'final test loss (nats)' };

function layout(title, xTitle, yTitle, { yaxis = {}, ...extra } = {}) {
  const base = baseLayout(title, xTitle, yTitle);
  return { ...base, hovermode: 'closest', margin: { l: 64, r: 10, t: 28, b: 40 }, ...extra, yaxis: { ...base.yaxis, ...yaxis } };
}

/** One line per seed from a to b: a pair that rises, falls or stays flat, seed by seed. */
export function drawPairs(el, out) {
  const traces = out.seeds.map((seed, i) => ({ x: ['a', 'b'], y: [out.a.values[i], out.b.values[i]], type: 'scatter',
    mode: 'lines+markers', name: `seed ${seed}`, showlegend: false, line: { color: 'rgba(90,100,110,0.45)', width: 1 },
    marker: { color: [A_COLOR, B_COLOR], size: 6 }, hovertemplate: `seed ${seed}: %{y:.4g}<extra></extra>` }));
  traces.push({ x: ['a', 'b'], y: [out.a.mean, out.b.mean], type: 'scatter', mode: 'lines+markers', name: 'means',
    line: { color: '#1f2933', width: 3 }, marker: { size: 10, symbol: 'diamond', color: '#1f2933' } });
  Plotly.react(el, traces, layout(`${out.n_pairs} paired runs (one line per seed)`, 'set', UNITS[out.metric],
    { showlegend: false }), CHART_CONFIG);
}

/** Each difference b - a as a dot, their mean with its 95% interval, and the zero line. */
export function drawDifferences(el, out) {
  const [lo, hi] = out.ci95;
  const traces = [
    { x: out.differences, y: out.seeds.map((s) => `seed ${s}`), type: 'scatter', mode: 'markers', name: 'b - a per seed',
      marker: { color: '#5a6470', size: 7 }, hovertemplate: '%{y}: %{x:+.4g}<extra></extra>' },
    { x: [out.mean_difference], y: ['mean'], type: 'scatter', mode: 'markers', name: 'mean, 95% CI',
      marker: { color: '#d62728', size: 11, symbol: 'diamond' },
      error_x: { type: 'data', symmetric: false, array: [hi - out.mean_difference], arrayminus: [out.mean_difference - lo],
        color: '#d62728', thickness: 2, width: 6 },
      hovertemplate: `mean %{x:+.4g}, 95% CI ${lo.toPrecision(3)} to ${hi.toPrecision(3)}<extra></extra>` },
  ];
  Plotly.react(el, traces, layout('Differences b − a, mean and 95% CI', `b − a in ${UNITS[out.metric]}`, 'seed',
    { showlegend: false, shapes: [{ type: 'line', x0: 0, x1: 0, yref: 'paper', y0: 0, y1: 1, line: { color: '#1f2933', dash: 'dot', width: 1 } }],
      yaxis: { automargin: true, type: 'category' } }), CHART_CONFIG);
}

const fmt = (p) => (p === null ? 'undefined' : p < 1e-4 ? p.toExponential(1) : p.toPrecision(3));

/** The figures in one line. */
export function statsLine(out) {
  const t = out.t_test;
  const w = out.wilcoxon;
  return `mean b − a = ${out.mean_difference.toPrecision(3)}, 95% CI [${out.ci95[0].toPrecision(3)}, ${out.ci95[1].toPrecision(3)}] · `
    + `paired t-test: t = ${t.t === null ? 'undefined' : t.t.toPrecision(3)} (df ${t.df}), p = ${fmt(t.p_value)} · `
    + `Wilcoxon signed-rank: W = ${w.statistic ?? 'undefined'}, p = ${fmt(w.p_value)} (${w.nonzero} non-zero pairs)`
    + (out.left_out.length ? ` · left out: seeds ${out.left_out.map((l) => l.seed).join(', ')} (a run did not complete)` : '');
}
