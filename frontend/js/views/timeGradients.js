// "Gradient flow" tab on sequence data: gradients through time. Each `time_gradients` message adds one
// row: log10 ||dL/dh_t|| of the first recurrent layer for every time step t of the probe batch. Rows are
// training steps (newest at the bottom), columns time; a vanilla RNN's rows go dark toward t = 1
// (vanishing gradients), an LSTM's stay bright. Rows are decimated like the gradient-flow columns.

import { DecimatedColumns, logNorm } from './gradientFlow.js';
import { FONT, SEQUENTIAL, emptyNote } from './plotTheme.js';

const CONFIG = { displaylogo: false, responsive: false, modeBarButtonsToRemove: ['lasso2d', 'select2d'] };
const MAX_ROWS = 200;

export function createTimeGradients(div, { placeholder = '' } = {}) {
  const rows = new DecimatedColumns(MAX_ROWS);
  let layer = null;
  let lo = Infinity;
  let hi = -Infinity;
  let note = placeholder;

  function figure() {
    const shown = rows.shown();
    const layout = {
      width: div.clientWidth, height: div.clientHeight, font: FONT, margin: { l: 52, r: 8, t: 26, b: 34 },
      paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: shown.length ? '#1b1029' : '#ffffff', hovermode: 'closest',
      title: { text: `Gradients through time${layer ? ` · layer ${layer.index} (${layer.type})` : ''}`, font: { size: 13 }, x: 0.01, xanchor: 'left' },
      xaxis: { title: { text: 'time step t of the sequence', standoff: 2 }, zeroline: false, showgrid: false },
      yaxis: { title: { text: 'training step', standoff: 4 }, autorange: 'reversed', showgrid: false, type: 'category' },
      annotations: shown.length ? [] : [emptyNote(note)],
    };
    if (!shown.length) return { data: [], layout };
    const zmin = Math.floor(lo);
    const zmax = Math.max(zmin + 1, Math.ceil(hi));
    const T = shown[0].logs.length;
    return {
      layout,
      data: [{
        type: 'heatmap', x: Array.from({ length: T }, (_, t) => t + 1), y: shown.map((r) => String(r.step)),
        z: shown.map((r) => r.logs), text: shown.map((r) => r.norms.map((v) => (v == null ? 'n/a' : v.toExponential(2)))),
        zmin, zmax, colorscale: SEQUENTIAL, zsmooth: false,
        colorbar: { title: { text: 'log10 ‖dL/dh_t‖', side: 'right' }, thickness: 10, outlinewidth: 0, tickfont: { size: 10 } },
        hovertemplate: 'step %{y}, t = %{x}<br>‖dL/dh_t‖ %{text}<extra></extra>',
      }],
    };
  }

  function draw() {
    if (div.clientWidth < 50 || div.clientHeight < 50) return;
    const fig = figure();
    Plotly.react(div, fig.data, fig.layout, CONFIG).then(() => {
      div.dataset.rows = String(rows.shown().length);
    });
  }

  new ResizeObserver(() => draw()).observe(div);

  return {
    reset(text = placeholder) {
      rows.clear();
      layer = null;
      lo = Infinity;
      hi = -Infinity;
      note = text;
      delete div.dataset.rows;
      draw();
    },
    /** Append a `time_gradients` message as a row (drawn at the next flush). */
    push(msg) {
      const first = msg.layers[0];
      if (!first) return;
      layer = first;
      const logs = first.norms.map(logNorm);
      for (const v of logs) if (v !== null) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      rows.push({ step: msg.step, norms: first.norms, logs });
    },
    /** The batch is in: draw once. */
    flush() {
      draw();
    },
  };
}
