// "Activations" tab: each pointwise activation the network uses, f(x) and f'(x) as the server's torch
// computes them (autograd), with the course's formulas; and per activation layer the share of units in
// saturation against the step, as a heatmap (layer rows, layer 0 on top; one 0-1 scale).
//
// `activation_curves` (once per job) draws the curves; `saturation` messages (every probe) append
// columns. A sigmoid/tanh/gelu row shows `saturated` (the share of (example, unit) pairs with
// |f'(z)| under the threshold), a relu/leaky_relu row `dead` (the share of units under it on every probe
// example); the hover gives both.

import { decodeFloat32 } from './arrays.js';
import { DecimatedColumns } from './gradientFlow.js';
import { FONT, PROBABILITY, emptyNote } from './plotTheme.js';

const CONFIG = { displaylogo: false, responsive: false, staticPlot: false, modeBarButtonsToRemove: ['lasso2d', 'select2d'] };
/** Which share a layer's row shows, by type: relu units die (zero on every example); the others saturate. */
export const PRIMARY = Object.freeze({ relu: 'dead', leaky_relu: 'dead' });

/** The share a row of layer `type` shows: 'dead' or 'saturated'. */
export function primaryShare(type) {
  return PRIMARY[type] ?? 'saturated';
}

/** The row label of a saturation layer entry: "layer 3 · sigmoid · saturated". */
export function rowLabel(layer) {
  return `layer ${layer.index} · ${layer.type} · ${primaryShare(layer.type)}`;
}

const pct = (v) => `${(100 * v).toFixed(1)}%`;

/** Runs of `x` where `low[i]` holds, as [from, to] pairs (the saturated stretches of the input axis). */
export function lowRuns(x, low) {
  const runs = [];
  let start = null;
  for (let i = 0; i <= x.length; i += 1) {
    if (i < x.length && low[i]) { if (start === null) start = i; continue; }
    if (start !== null) runs.push([x[start], x[i - 1]]);
    start = null;
  }
  return runs;
}

/** The Plotly figure of one activation curve (f solid, f' dashed, the saturation band shaded). */
function curveFigure(curve, width, height) {
  const x = Array.from(decodeFloat32(curve.x));
  const y = Array.from(decodeFloat32(curve.value));
  const d = Array.from(decodeFloat32(curve.derivative));
  const low = d.map((v) => Math.abs(v) < curve.threshold);
  const sat = d.map((v, i) => (low[i] ? v : null));
  const shapes = lowRuns(x, low).map(([x0, x1]) => ({
    type: 'rect', xref: 'x', yref: 'paper', x0, x1, y0: 0, y1: 1, fillcolor: 'rgba(123, 135, 148, 0.18)', line: { width: 0 },
  }));
  return {
    data: [
      { type: 'scatter', mode: 'lines', x, y, name: 'f(x)', line: { color: '#1f77b4', width: 2 },
        hovertemplate: 'x %{x:.2f}<br>f %{y:.4f}<extra></extra>' },
      { type: 'scatter', mode: 'lines', x, y: d, name: "f'(x)", line: { color: '#d62728', width: 2, dash: 'dash' },
        hovertemplate: "x %{x:.2f}<br>f' %{y:.4f}<extra></extra>" },
      { type: 'scatter', mode: 'markers', x, y: sat, name: `|f'| < ${curve.threshold.toPrecision(2)}`,
        marker: { color: '#7b8794', size: 3 }, hoverinfo: 'skip' },
    ],
    layout: {
      width, height, font: FONT, margin: { l: 34, r: 6, t: 22, b: 28 }, showlegend: false,
      title: { text: curve.type, font: { size: 12 }, x: 0.02, xanchor: 'left', y: 0.98, yanchor: 'top' },
      xaxis: { title: { text: 'pre-activation x', standoff: 0, font: { size: 10 } }, zeroline: true, range: [-6, 6] },
      yaxis: { zeroline: true, automargin: false },
      paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: '#ffffff', hovermode: 'closest', shapes,
    },
  };
}

/**
 * The cell edges of a heatmap of snapshots taken at `steps` (ascending): each snapshot's cell spans
 * from its step to the next snapshot's (what the network was until then), the last as wide as the gap
 * before it. With centred cells instead, a few snapshots draw the first cell from a negative step.
 * @param {number[]} steps  (n,)
 * @returns {number[]} (n + 1,) edges, or [] for no step
 */
export function stepEdges(steps) {
  if (!steps.length) return [];
  const last = steps.length > 1 ? steps[steps.length - 1] - steps[steps.length - 2] : 1;
  return [...steps, steps[steps.length - 1] + Math.max(1, last)];
}

export function createActivations({ curvesEl, heatmapEl, placeholder = '', intervalMs = 250 }) {
  const cols = new DecimatedColumns();
  let labels = null;
  let types = null;
  let note = placeholder;
  let curves = [];
  let timer = null;

  function renderCurves() {
    curvesEl.replaceChildren();
    curvesEl.dataset.curves = String(curves.length);
    for (const curve of curves) {
      const card = document.createElement('figure');
      card.className = 'act-card';
      card.dataset.type = curve.type;
      const plot = document.createElement('div');
      plot.className = 'act-plot';
      const cap = document.createElement('figcaption');
      cap.className = 'act-formula';
      cap.textContent = `${curve.formula};  ${curve.derivative_formula}  (max |f'| = ${curve.peak.toPrecision(3)})`;
      card.append(plot, cap);
      curvesEl.append(card);
      const fig = curveFigure(curve, Math.max(150, card.clientWidth || 200), 150);
      Plotly.react(plot, fig.data, fig.layout, CONFIG).catch((err) => console.error('activations: could not draw', err));
    }
  }

  function heatmapFigure() {
    const columns = cols.shown();
    const layout = {
      width: heatmapEl.clientWidth, height: heatmapEl.clientHeight, font: FONT, margin: { l: 8, r: 8, t: 24, b: 34 },
      title: { text: 'Units in saturation per activation layer', font: { size: 13 }, x: 0.01, xanchor: 'left', y: 0.995, yanchor: 'top' },
      xaxis: { title: { text: 'step', standoff: 2 }, zeroline: false, showgrid: false, automargin: true },
      yaxis: { title: { text: 'layer', standoff: 4 }, autorange: 'reversed', type: 'category', automargin: true, showgrid: false },
      paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: '#ffffff', hovermode: 'closest',
      annotations: columns.length ? [] : [emptyNote(note)],
    };
    if (!columns.length || !labels) {
      layout.yaxis = { ...layout.yaxis, type: 'linear', autorange: false, range: [0, 1], showticklabels: false };
      layout.xaxis.range = [0, 100];
      return { data: [], layout };
    }
    const steps = columns.map((c) => c.step);
    const trace = {
      type: 'heatmap', uid: 'saturation', x: stepEdges(steps), y: labels, customdata: labels.map(() => steps),
      z: labels.map((_, r) => columns.map((c) => c.layers[r]?.[primaryShare(types[r])] ?? null)),
      text: labels.map((_, r) => columns.map((c) => {
        const l = c.layers[r];
        return l ? `saturated ${pct(l.saturated)} of (example, unit) pairs<br>dead ${pct(l.dead)} of ${l.units} units` : '';
      })),
      zmin: 0, zmax: 1, colorscale: PROBABILITY, zsmooth: false,
      colorbar: { title: { text: 'share', side: 'right' }, thickness: 10, outlinewidth: 0, tickfont: { size: 10 }, tickformat: '.0%' },
      hovertemplate: '%{y}<br>step %{customdata}<br>%{text}<extra></extra>',
    };
    return { data: [trace], layout };
  }

  function drawHeatmap() {
    clearTimeout(timer);
    timer = null;
    if (heatmapEl.clientWidth < 50 || heatmapEl.clientHeight < 50) return; // hidden: drawn on resize
    const fig = heatmapFigure();
    Plotly.react(heatmapEl, fig.data, fig.layout, CONFIG)
      .then(() => { heatmapEl.dataset.columns = String(cols.shown().length); })
      .catch((err) => console.error('saturation: could not draw', err));
  }

  function schedule() {
    if (!timer) timer = setTimeout(drawHeatmap, intervalMs);
  }

  new ResizeObserver(() => drawHeatmap()).observe(heatmapEl);
  let curvesWidth = 0;
  new ResizeObserver(() => { // redrawn when the width changes (the cards' height is fixed)
    if (!curves.length || curvesEl.clientWidth === curvesWidth) return;
    curvesWidth = curvesEl.clientWidth;
    renderCurves();
  }).observe(curvesEl);
  drawHeatmap();

  return {
    /** New job (or none): no curves, no columns; `text` says what will appear. */
    reset(text = placeholder) {
      cols.clear();
      labels = null;
      types = null;
      curves = [];
      note = text;
      curvesEl.replaceChildren();
      delete curvesEl.dataset.curves;
      delete heatmapEl.dataset.columns;
      drawHeatmap();
    },
    /** The job's `activation_curves` message: one small chart per activation type. */
    render(msg) {
      curves = msg.curves;
      renderCurves();
    },
    /** Append a `saturation` message as a column (drawn at the next flush). */
    push(msg) {
      if (!labels) {
        labels = msg.layers.map(rowLabel);
        types = msg.layers.map((l) => l.type);
      }
      cols.push({ step: msg.step, layers: msg.layers });
    },
    /** The batch is in: one throttled redraw. */
    flush() {
      schedule();
    },
  };
}
