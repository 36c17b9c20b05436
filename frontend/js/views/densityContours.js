// Density estimation, drawn from the answer of POST /api/density: the mixture's and the KDE's densities
// as filled contours on one shared scale (per squared data unit) with the training points (dots) and
// the held-out points (rings); held-out log-likelihood against the bandwidth (log axis) with the
// mixture's as a line; and against the number of components.

import { CHART_CONFIG, CLASS_COLORS, baseLayout } from './plotTheme.js';

const DENSITY_SCALE = [[0, '#ffffff'], [0.15, '#deebf7'], [0.35, '#9ecae1'], [0.6, '#4292c6'], [0.85, '#08519c'], [1, '#08306b']];
const HELD = '#d62728';

function layout(title, xTitle, yTitle, extra = {}) {
  const base = baseLayout(title, xTitle, yTitle);
  return { ...base, hovermode: 'closest', margin: { l: 48, r: 10, t: 28, b: 36 }, ...extra };
}

function maxOf(rows) {
  let m = 0;
  for (const row of rows) for (const v of row) if (v > m) m = v;
  return m;
}

function pointTraces(out) {
  return [
    { x: out.train.map((p) => p[0]), y: out.train.map((p) => p[1]), type: 'scatter', mode: 'markers',
      name: `training points (${out.train.length})`, marker: { size: 3, color: '#1f2933' }, hoverinfo: 'skip' },
    { x: out.test.map((p) => p[0]), y: out.test.map((p) => p[1]), type: 'scatter', mode: 'markers',
      name: `held-out points (${out.test.length})`, marker: { size: 6, color: 'rgba(0,0,0,0)', line: { color: HELD, width: 1.2 } },
      hoverinfo: 'skip' },
  ];
}

function drawContour(el, out, density, title, zmax, showScale) {
  const traces = [{ x: out.grid.x, y: out.grid.y, z: density, type: 'contour', colorscale: DENSITY_SCALE, zmin: 0, zmax,
    ncontours: 14, contours: { coloring: 'fill', showlines: true }, line: { width: 0.5, color: 'rgba(8,48,107,0.35)' },
    name: 'density', showscale: showScale,
    colorbar: { title: { text: 'density (per unit²)', side: 'right' }, thickness: 10, len: 0.9 } }, ...pointTraces(out)];
  const range = (a) => [a[0], a[a.length - 1]];
  Plotly.react(el, traces, layout(title, 'x1', 'x2', { showlegend: false, // the caption says: dots training, rings held-out
    xaxis: { title: { text: 'x1', standoff: 4 }, range: range(out.grid.x), zeroline: false },
    yaxis: { title: { text: 'x2', standoff: 4 }, range: range(out.grid.y), zeroline: false },
    margin: { l: 48, r: showScale ? 10 : 84, t: 28, b: 36 } }), CHART_CONFIG); // the same plot area with or without the colour bar
}

function drawBandwidths(el, out) {
  const s = out.bandwidths;
  const floor = Math.min(...s.test_ll.filter(Number.isFinite));
  const lo = Math.max(floor, out.gmm.test_ll - 4); // the spiky end falls far below: clip the axis
  const top = Math.max(...s.test_ll, out.gmm.test_ll);
  const hiY = top + 0.3 * (top - lo) + 0.2; // room for the legend above the curves
  const vline = (x, color, dash) => ({ type: 'line', xref: 'x', yref: 'paper', x0: x, x1: x, y0: 0, y1: 1, line: { color, width: 1, dash } });
  Plotly.react(el, [
    { x: s.h, y: s.test_ll, type: 'scatter', mode: 'lines+markers', name: 'KDE, held-out', line: { color: CLASS_COLORS[0] } },
    { x: s.h, y: s.train_ll, type: 'scatter', mode: 'lines', name: 'KDE, training', line: { color: CLASS_COLORS[0], dash: 'dot' } },
    { x: [s.h[0], s.h[s.h.length - 1]], y: [out.gmm.test_ll, out.gmm.test_ll], type: 'scatter', mode: 'lines',
      name: `mixture (k = ${out.gmm.components}), held-out`, line: { color: CLASS_COLORS[1] } },
    { x: [out.kde.bandwidth], y: [out.kde.test_ll], type: 'scatter', mode: 'markers', name: `h = ${out.kde.bandwidth}`,
      marker: { color: HELD, size: 11 } },
  ], layout('Held-out log-likelihood against bandwidth', 'bandwidth h (data units, log)', 'nats per point', {
    xaxis: { type: 'log', title: { text: 'bandwidth h (data units, log)', standoff: 2 } },
    yaxis: { range: [lo, hiY], title: { text: 'nats per point', standoff: 4 } },
    shapes: [vline(s.best, CLASS_COLORS[2], 'dash'), vline(s.scott, '#7b8794', 'dot')],
    annotations: [{ x: Math.log10(s.best), y: 0, yref: 'paper', text: 'best', showarrow: false, yanchor: 'bottom', font: { size: 10, color: CLASS_COLORS[2] } },
      { x: Math.log10(s.scott), y: 0.1, yref: 'paper', text: 'Scott', showarrow: false, yanchor: 'bottom', font: { size: 10, color: '#52606d' } }],
    legend: { orientation: 'h', x: 0, xanchor: 'left', y: 1, yanchor: 'top', bgcolor: 'rgba(255,255,255,0.7)', font: { size: 10 } } }),
  CHART_CONFIG);
}

function drawComponents(el, out) {
  const c = out.components;
  const at = c.k.indexOf(out.gmm.components);
  Plotly.react(el, [
    { x: c.k, y: c.test_ll, type: 'scatter', mode: 'lines+markers', name: 'held-out', line: { color: CLASS_COLORS[1] } },
    { x: c.k, y: c.train_ll, type: 'scatter', mode: 'lines', name: 'training', line: { color: CLASS_COLORS[1], dash: 'dot' } },
    { x: [out.gmm.components], y: [c.test_ll[at]], type: 'scatter', mode: 'markers', showlegend: false,
      marker: { color: HELD, size: 11, symbol: 'circle-open', line: { width: 2 } } },
  ], layout('Mixture: log-likelihood against components', 'components k', 'nats per point', {
    legend: { orientation: 'h', x: 1, xanchor: 'right', y: 0, yanchor: 'bottom', bgcolor: 'rgba(255,255,255,0.7)', font: { size: 10 } } }),
  CHART_CONFIG);
}

/** Draws an answer of POST /api/density: two contours, two sweeps and the scores line. */
export function renderDensity({ gmmEl, kdeEl, bandwidthEl, componentsEl, statsEl }, out) {
  if (typeof Plotly === 'undefined') return;
  const zmax = Math.max(maxOf(out.gmm.density), maxOf(out.kde.density));
  const nats = (v) => `${v.toFixed(3)} nats/point`;
  // the scores line first: its wrapping sets the charts' room
  statsEl.textContent = `Held-out log-likelihood (higher is better): mixture ${nats(out.gmm.test_ll)} `
    + `(training ${nats(out.gmm.train_ll)}) · KDE ${nats(out.kde.test_ll)} (training ${nats(out.kde.train_ll)}) · `
    + `best swept bandwidth ${out.bandwidths.best.toFixed(3)}, Scott's rule ${out.bandwidths.scott.toFixed(3)}`;
  drawContour(gmmEl, out, out.gmm.density, `Gaussian mixture, k = ${out.gmm.components} · held-out ${nats(out.gmm.test_ll)}`, zmax, false);
  drawContour(kdeEl, out, out.kde.density, `KDE, h = ${out.kde.bandwidth} · held-out ${nats(out.kde.test_ll)}`, zmax, true);
  drawBandwidths(bandwidthEl, out);
  drawComponents(componentsEl, out);
  kdeEl.dataset.bandwidth = String(out.kde.bandwidth);
}
