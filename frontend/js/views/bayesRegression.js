// Bayesian vs frequentist regression, drawn from the answer of POST /api/bayes/regression:
// - main: the data, the truth, the least-squares (MLE) curve, the MAP (= posterior mean) curve, the 95%
//   predictive band and lines sampled from the posterior (sine); for the plane, the predictive standard
//   deviation over the input plane with the training points (uncertainty grows away from the data);
// - the band's mean half-width against n (log axis), noise included and the weights' part alone;
// - the weights: MLE, MAP and the posterior's mean ± 1.96 sd (and the true plane coefficients).

import { CHART_CONFIG, CLASS_COLORS, SEQUENTIAL, baseLayout } from './plotTheme.js';

const C = { mle: '#d62728', map: CLASS_COLORS[0], band: 'rgba(33, 102, 172, 0.18)', sample: 'rgba(33, 102, 172, 0.45)',
  truth: '#7b8794', data: '#1f2933', epistemic: CLASS_COLORS[2] };

function layout(title, xTitle, yTitle, extra = {}) {
  const base = baseLayout(title, xTitle, yTitle);
  return { ...base, hovermode: 'closest', margin: { l: 48, r: 10, t: 28, b: 34 }, ...extra,
    legend: { ...base.legend, ...(extra.legend || {}) } };
}

function sineTraces(out) {
  const x = out.grid.x;
  const post = out.posterior;
  const lo = post.curve.map((m, i) => m - out.z95 * post.predictive_std[i]);
  const hi = post.curve.map((m, i) => m + out.z95 * post.predictive_std[i]);
  const samples = post.samples.map((ys, i) => ({ x, y: ys, type: 'scatter', mode: 'lines', name: 'posterior samples',
    legendgroup: 'samples', showlegend: i === 0, line: { color: C.sample, width: 1 }, hoverinfo: 'skip' }));
  return [
    { x, y: lo, type: 'scatter', mode: 'lines', line: { width: 0 }, showlegend: false, hoverinfo: 'skip', name: 'band low' },
    { x, y: hi, type: 'scatter', mode: 'lines', fill: 'tonexty', fillcolor: C.band, line: { width: 0 },
      name: '95% predictive band', hoverinfo: 'skip' },
    ...samples,
    ...(out.truth ? [{ x, y: out.truth, type: 'scatter', mode: 'lines', name: 'sin(x), the truth', line: { color: C.truth, dash: 'dot' } }] : []),
    { x, y: out.mle.curve, type: 'scatter', mode: 'lines', name: 'MLE (least squares)', line: { color: C.mle, width: 2 } },
    { x, y: post.curve, type: 'scatter', mode: 'lines', name: 'MAP (ridge) = posterior mean', line: { color: C.map, width: 2.5 } },
    { x: out.train.x.map((r) => r[0]), y: out.train.y, type: 'scatter', mode: 'markers', name: `training points (${out.n})`,
      marker: { color: C.data, size: 6 } },
  ];
}

function planeTraces(out) {
  const g = out.grid.x1.length;
  const z = [];
  for (let i = 0; i < g; i += 1) z.push(out.posterior.predictive_std.slice(i * g, (i + 1) * g)); // row i = x2[i]
  return [
    { x: out.grid.x1, y: out.grid.x2, z, type: 'heatmap', colorscale: SEQUENTIAL, name: 'predictive sd',
      colorbar: { title: { text: 'predictive sd of y', side: 'right' }, thickness: 12 } },
    { x: out.train.x.map((r) => r[0]), y: out.train.x.map((r) => r[1]), type: 'scatter', mode: 'markers',
      name: `training points (${out.n})`, marker: { color: '#ffffff', size: 7, line: { color: C.data, width: 1.5 } } },
  ];
}

/** Wider uploaded tables: each held-out target against its prediction, ±1.96 predictive sd. */
function heldOutTraces(out) {
  const h = out.held_out;
  const lo = Math.min(...h.y, ...h.mean);
  const hi = Math.max(...h.y, ...h.mean);
  return [
    { x: [lo, hi], y: [lo, hi], type: 'scatter', mode: 'lines', name: 'perfect prediction', line: { color: C.truth, dash: 'dot' } },
    { x: h.y, y: h.mean, type: 'scatter', mode: 'markers', name: `held-out points (${h.y.length}) ± 1.96 sd`,
      marker: { color: C.map, size: 5 }, error_y: { type: 'data', array: h.std.map((s) => out.z95 * s), color: C.band, thickness: 1 } },
  ];
}

function drawMain(el, out) {
  const scaled = out.y_scaled ? ' (standardised)' : '';
  if (!out.grid.x && !out.grid.x1) {
    Plotly.react(el, heldOutTraces(out), layout(`${out.dataset} · features 1, ${out.inputs.join(', ')} · n = ${out.n}`,
      `held-out y${scaled}`, `predicted y${scaled}`, { showlegend: true,
        legend: { orientation: 'h', x: 0, xanchor: 'left', y: -0.12, yanchor: 'top' } }), CHART_CONFIG);
  } else if (out.grid.x) {
    Plotly.react(el, sineTraces(out), layout(`${out.dataset} · ${out.basis} basis, ${out.features.length} features · n = ${out.n}`,
      `${out.inputs[0]}${scaled}`, `y${scaled}`, { yaxis: { title: { text: `y${scaled}`, standoff: 4 }, range: [-2.5, 2.5], zeroline: false },
        legend: { orientation: 'h', x: 0, xanchor: 'left', y: -0.12, yanchor: 'top' } }), CHART_CONFIG);
  } else {
    Plotly.react(el, planeTraces(out), layout(`plane · features 1, x1, x2 · n = ${out.n} · where is the model unsure?`,
      'x1', 'x2', { yaxis: { title: { text: 'x2', standoff: 4 }, scaleanchor: 'x', zeroline: false },
        legend: { orientation: 'h', x: 0, xanchor: 'left', y: -0.12, yanchor: 'top' } }), CHART_CONFIG);
  }
}

function drawBand(el, out) {
  const ns = out.band_by_n.map((b) => b.n);
  const noise = out.z95 * out.noise_std;
  const traces = [
    { x: ns, y: out.band_by_n.map((b) => b.band), type: 'scatter', mode: 'lines+markers', name: 'band, noise included',
      line: { color: C.map } },
    { x: ns, y: out.band_by_n.map((b) => b.epistemic_band), type: 'scatter', mode: 'lines+markers',
      name: 'weights’ part alone', line: { color: C.epistemic } },
    { x: [ns[0], ns[ns.length - 1]], y: [noise, noise], type: 'scatter', mode: 'lines', name: '1.96 σ (noise floor)',
      line: { color: C.truth, dash: 'dot' } },
  ];
  const shapes = [{ type: 'line', xref: 'x', yref: 'paper', x0: out.n, x1: out.n, y0: 0, y1: 1,
    line: { color: C.mle, width: 1, dash: 'dash' } }];
  Plotly.react(el, traces, layout('95% band half-width against n', 'training points n (log)', 'half-width (y units)',
    { xaxis: { type: 'log', title: { text: 'training points n (log)', standoff: 2 }, tickvals: [1, 3, 10, 30, 100, 300],
      automargin: true }, shapes, margin: { l: 48, r: 10, t: 28, b: 40 },
      legend: { orientation: 'h', x: 1, xanchor: 'right', y: 1, yanchor: 'top', bgcolor: 'rgba(255,255,255,0.7)' } }),
  CHART_CONFIG);
}

function drawWeights(el, out) {
  const names = out.features;
  const post = out.posterior;
  const err = post.std.map((s) => out.z95 * s);
  const span = Math.max(...post.mean.map((m, i) => Math.abs(m) + err[i]), ...(out.true_weights || []).map(Math.abs), 0.5) * 1.3;
  const traces = [
    { x: names, y: post.mean, type: 'scatter', mode: 'markers', name: 'posterior mean ± 1.96 sd (= MAP)',
      marker: { color: C.map, size: 8 }, error_y: { type: 'data', array: err, color: C.map, thickness: 1.5 } },
    { x: names, y: out.mle.weights, type: 'scatter', mode: 'markers', name: 'MLE', marker: { color: C.mle, symbol: 'x', size: 9 } },
  ];
  if (out.true_weights) traces.push({ x: names, y: out.true_weights, type: 'scatter', mode: 'markers', name: 'true',
    marker: { color: C.truth, symbol: 'diamond-open', size: 10 } });
  Plotly.react(el, traces, layout('Weights', 'feature', 'weight', { yaxis: { range: [-span, span], title: { text: 'weight', standoff: 4 } },
    legend: { orientation: 'h', x: 1, xanchor: 'right', y: 1, yanchor: 'top', bgcolor: 'rgba(255,255,255,0.7)' } }), CHART_CONFIG);
}

function fmt(v, digits = 3) {
  return Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : v.toFixed(digits);
}

function statsText(out) {
  const big = Math.max(...out.mle.weights.map(Math.abs));
  const rank = out.mle.underdetermined ? ` · least squares is not unique (rank ${out.mle.rank} < ${out.features.length} features): the minimum-norm one is drawn` : '';
  return `α = σ²/σp² = ${fmt(out.alpha)} · held-out RMSE (${out.n_test} points): MLE ${fmt(out.mle.test_rmse)}, `
    + `MAP ${fmt(out.map.test_rmse)} · held-out NLL ${fmt(out.posterior.test_nll)} nats/point · `
    + `log evidence ${fmt(out.posterior.log_evidence, 2)} nats · largest |MLE weight| ${fmt(big, 2)}${rank}`;
}

/** Draws an answer of POST /api/bayes/regression into the three charts and the stats line. */
export function renderBayes({ mainEl, bandEl, weightsEl, statsEl }, out) {
  if (typeof Plotly === 'undefined') return;
  statsEl.textContent = statsText(out); // first: its line wrapping sets the charts' room
  drawMain(mainEl, out);
  drawBand(bandEl, out);
  drawWeights(weightsEl, out);
  mainEl.dataset.n = String(out.n);
}
