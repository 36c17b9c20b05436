// Clustering step by step, drawn from the answer of POST /api/clustering at one iteration t:
// - main: the points coloured by their k-means cluster (hard) or by the mixture's responsibilities
//   (each point's colour mixes the component colours by p(component | point)); k-means centres with
//   their path so far, or the mixture's means with 2-standard-deviation covariance ellipses;
// - the objective at every iteration (inertia, or mean log-likelihood in nats per point), t marked;
// - inertia and BIC over k = 1..8 (scikit-learn), the chosen k marked.

import { payloadNested } from './arrays.js';
import { CHART_CONFIG, CLASS_COLORS, baseLayout } from './plotTheme.js';

/**
 * Points `(m + 1)` on the ellipse {p : (p - mean)^T cov^-1 (p - mean) = nsd^2} of a 2x2 covariance:
 * `{x, y}` arrays (closed: the last point repeats the first). Eigen-decomposition in closed form.
 */
export function ellipsePoints(mean, cov, nsd = 2, m = 48) {
  const [[a, b], [, d]] = cov;
  const tr = (a + d) / 2;
  const det = Math.sqrt(Math.max(((a - d) / 2) ** 2 + b * b, 0));
  const l1 = tr + det; // larger eigenvalue
  const l2 = Math.max(tr - det, 0);
  const angle = Math.abs(b) > 1e-15 ? Math.atan2(l1 - a, b) : (a >= d ? 0 : Math.PI / 2);
  const [c, s] = [Math.cos(angle), Math.sin(angle)];
  const x = [];
  const y = [];
  for (let i = 0; i <= m; i += 1) {
    const t = (2 * Math.PI * i) / m;
    const u = nsd * Math.sqrt(l1) * Math.cos(t);
    const v = nsd * Math.sqrt(l2) * Math.sin(t);
    x.push(mean[0] + c * u - s * v);
    y.push(mean[1] + s * u + c * v);
  }
  return { x, y };
}

/** `rgb(...)` of the component colours mixed by the weights `resp` (they sum to 1). */
export function mixColor(resp, colors = CLASS_COLORS) {
  const rgb = [0, 0, 0];
  resp.forEach((r, j) => {
    const n = parseInt(colors[j % colors.length].slice(1), 16);
    rgb[0] += r * (n >> 16);
    rgb[1] += r * ((n >> 8) & 255);
    rgb[2] += r * (n & 255);
  });
  return `rgb(${rgb.map((v) => Math.round(v)).join(', ')})`;
}

/** Decoded once per answer: labels `(frames, N)` and responsibilities `(frames, N, k)`. */
export function decodeClustering(out) {
  return { ...out, labels: payloadNested(out.kmeans.labels, { round: true }),
    resp: payloadNested(out.gmm.responsibilities) };
}

function layout(title, xTitle, yTitle, extra = {}) {
  const base = baseLayout(title, xTitle, yTitle);
  return { ...base, hovermode: 'closest', margin: { l: 52, r: 12, t: 28, b: 36 }, ...extra };
}

function kmeansTraces(d, t) {
  const labels = d.labels[t];
  const centres = d.kmeans.centres;
  const traces = [{ x: d.points.map((p) => p[0]), y: d.points.map((p) => p[1]), type: 'scatter', mode: 'markers',
    name: 'points (colour: cluster)', marker: { size: 5, color: labels.map((l) => CLASS_COLORS[l % CLASS_COLORS.length]), opacity: 0.75 } }];
  for (let j = 0; j < d.k; j += 1) { // each centre's path up to iteration t
    traces.push({ x: centres.slice(0, t + 1).map((c) => c[j][0]), y: centres.slice(0, t + 1).map((c) => c[j][1]),
      type: 'scatter', mode: 'lines', showlegend: false, hoverinfo: 'skip', line: { color: '#1f2933', width: 1, dash: 'dot' } });
  }
  traces.push({ x: centres[t].map((c) => c[0]), y: centres[t].map((c) => c[1]), type: 'scatter', mode: 'markers',
    name: 'centres', marker: { symbol: 'x', size: 13, color: centres[t].map((_, j) => CLASS_COLORS[j % CLASS_COLORS.length]),
      line: { color: '#1f2933', width: 1.5 } } });
  return traces;
}

function gmmTraces(d, t) {
  const g = d.gmm;
  const traces = [{ x: d.points.map((p) => p[0]), y: d.points.map((p) => p[1]), type: 'scatter', mode: 'markers',
    name: 'points (colour: responsibilities)', marker: { size: 5, color: d.resp[t].map((r) => mixColor(r)), opacity: 0.8 } }];
  g.means[t].forEach((mean, j) => {
    const e = ellipsePoints(mean, g.covariances[t][j], 2);
    traces.push({ ...e, type: 'scatter', mode: 'lines', name: `component ${j + 1} (weight ${g.weights[t][j].toFixed(2)})`,
      line: { color: CLASS_COLORS[j % CLASS_COLORS.length], width: 1 + 3 * g.weights[t][j] }, hoverinfo: 'name' });
  });
  traces.push({ x: g.means[t].map((m) => m[0]), y: g.means[t].map((m) => m[1]), type: 'scatter', mode: 'markers',
    name: 'means', marker: { symbol: 'cross', size: 11, color: g.means[t].map((_, j) => CLASS_COLORS[j % CLASS_COLORS.length]),
      line: { color: '#1f2933', width: 1 } } });
  return traces;
}

function drawMain(el, d, method, t) {
  const km = method === 'kmeans';
  const total = km ? d.kmeans.iterations : d.gmm.iterations;
  const value = km ? `inertia ${d.kmeans.inertia[t].toFixed(2)}` : `log-likelihood ${d.gmm.loglik[t].toFixed(4)} nats/point`;
  const title = `${km ? 'k-means' : 'Gaussian mixture (EM)'} · k = ${d.k} · iteration ${t} of ${total} · ${value}`;
  Plotly.react(el, km ? kmeansTraces(d, t) : gmmTraces(d, t), layout(title, 'x1', 'x2', {
    yaxis: { title: { text: 'x2', standoff: 4 }, scaleanchor: 'x', zeroline: false },
    legend: { orientation: 'v', x: 1.01, xanchor: 'left', y: 1, yanchor: 'top', font: { size: 10 } } }), CHART_CONFIG);
  el.dataset.iteration = String(t);
  el.dataset.method = method;
}

function drawObjective(el, d, method, t) {
  const km = method === 'kmeans';
  const y = km ? d.kmeans.inertia : d.gmm.loglik;
  const x = y.map((_, i) => i);
  const yTitle = km ? 'inertia (squared data units)' : 'mean log-likelihood (nats/point)';
  Plotly.react(el, [
    { x, y, type: 'scatter', mode: 'lines+markers', name: km ? 'inertia' : 'log-likelihood', line: { color: CLASS_COLORS[0] } },
    { x: [t], y: [y[t]], type: 'scatter', mode: 'markers', name: `iteration ${t}`, marker: { color: '#d62728', size: 11 } },
  ], layout(km ? 'k-means objective: never increases' : 'EM objective: never decreases', 'iteration', yTitle,
    { showlegend: false, xaxis: { title: { text: 'iteration', standoff: 4 }, dtick: y.length > 12 ? undefined : 1 } }), CHART_CONFIG);
}

function drawSelection(el, d) {
  if (!d.selection) {
    Plotly.purge(el);
    return;
  }
  const s = d.selection;
  const at = s.k.indexOf(d.k);
  Plotly.react(el, [
    { x: s.k, y: s.inertia, type: 'scatter', mode: 'lines+markers', name: 'k-means inertia', line: { color: CLASS_COLORS[0] } },
    { x: s.k, y: s.bic, type: 'scatter', mode: 'lines+markers', name: 'mixture BIC', yaxis: 'y2', line: { color: CLASS_COLORS[1] } },
    ...[['y', s.inertia[at]], ['y2', s.bic[at]]].map(([axis, v]) => ({ x: [d.k], y: [v], yaxis: axis, type: 'scatter',
      mode: 'markers', showlegend: false, hoverinfo: 'skip', marker: { color: '#d62728', size: 12, symbol: 'circle-open', line: { width: 2 } } })),
  ], layout('Choosing k (scikit-learn, k = 1..8)', 'k', 'inertia', {
    yaxis2: { title: { text: 'BIC (lower is better)', standoff: 4 }, overlaying: 'y', side: 'right', zeroline: false, automargin: true },
    margin: { l: 52, r: 52, t: 28, b: 36 },
    legend: { orientation: 'h', x: 0.5, xanchor: 'center', y: 1, yanchor: 'top', bgcolor: 'rgba(255,255,255,0.7)', font: { size: 10 } } }),
  CHART_CONFIG);
}

/** Draws iteration `t` of `method` ('kmeans' or 'gmm') of a decoded answer (decodeClustering). */
export function renderClusterStep({ mainEl, objectiveEl }, d, method, t) {
  if (typeof Plotly === 'undefined') return;
  drawMain(mainEl, d, method, t);
  drawObjective(objectiveEl, d, method, t);
}

/** Draws what does not change with the iteration: the choice of k. */
export function renderClusterSelection({ selectionEl }, d) {
  if (typeof Plotly === 'undefined') return;
  drawSelection(selectionEl, d);
}
