// Right column, "Gradient flow" tab: a heatmap of log10 of each trainable layer's gradient L2 norm
// (rows, layer 0 on top) against the step (columns), from `gradients` messages. Columns append as
// messages arrive; past `maxColumns` every other column is dropped and only every k-th message is
// kept from then on (k doubles each time), so a long run stays a bounded picture of the whole run;
// the newest message is always drawn as the last column.
// Redraws (Plotly.react) are throttled to one per `intervalMs`.

import { FONT, SEQUENTIAL, afterPaint, emptyNote } from './plotTheme.js';

const CONFIG = { displaylogo: false, responsive: false, modeBarButtonsToRemove: ['lasso2d', 'select2d'] };
const MARGIN = { l: 8, r: 8, t: 26, b: 34 };
export const MAX_COLUMNS = 400;

/** log10 of a norm; null for a missing, non-finite or zero norm (drawn as the dark background). */
export function logNorm(norm) {
  return typeof norm === 'number' && Number.isFinite(norm) && norm > 0 ? Math.log10(norm) : null;
}

function fmtNorm(norm) {
  if (norm === null || norm === undefined) return 'n/a (non-finite)';
  return norm === 0 ? '0' : norm.toExponential(2);
}

/**
 * Columns of a run, decimated to at most `max`: message n (from 1) is kept while n % stride === 0;
 * when the columns exceed `max`, the stride doubles and the columns it no longer keeps are dropped.
 */
export class DecimatedColumns {
  constructor(max = MAX_COLUMNS) {
    this.max = max;
    this.clear();
  }

  clear() {
    this.count = 0;
    this.stride = 1;
    this.columns = [];
    this.latest = null; // the newest column when the stride skipped it: drawn last until replaced
  }

  /** Offer the next column. */
  push(column) {
    this.count += 1;
    this.latest = null;
    if (this.count % this.stride !== 0) {
      this.latest = { n: this.count, ...column };
      return;
    }
    this.columns.push({ n: this.count, ...column });
    if (this.columns.length > this.max) {
      this.stride *= 2;
      this.columns = this.columns.filter((c) => c.n % this.stride === 0);
    }
  }

  /** The columns to draw: the kept ones, then the newest one if it was not kept (at most max + 1). */
  shown() {
    return this.latest ? [...this.columns, this.latest] : this.columns;
  }
}

export function createGradientFlow(div, { intervalMs = 250, maxColumns = MAX_COLUMNS } = {}) {
  const cols = new DecimatedColumns(maxColumns);
  let labels = null; // y categories, "layer i · type"
  let lo = Infinity; // extremes of every log10 norm seen in this job: the colour range only widens
  let hi = -Infinity;
  let note = 'Gradient norms appear here once training starts.';
  let revision = 0;
  let timer = null;
  let drawing = false;
  let dirty = false;

  function range() {
    if (!Number.isFinite(lo)) return [-4, 0];
    const zmin = Math.floor(lo);
    return [zmin, Math.max(zmin + 1, Math.ceil(hi))];
  }

  function figure() {
    const W = div.clientWidth;
    const H = div.clientHeight;
    const columns = cols.shown();
    const layout = {
      width: W, height: H, margin: MARGIN, font: FONT, uirevision: revision,
      title: { text: 'Gradient flow', font: { size: 13 }, x: 0.01, xanchor: 'left', y: 0.995, yanchor: 'top' },
      xaxis: { title: { text: 'step', standoff: 2 }, zeroline: false, showgrid: false, automargin: true, ticks: 'outside', ticklen: 3 },
      yaxis: { title: { text: 'layer', standoff: 4 }, autorange: 'reversed', type: 'category', automargin: true,
        showgrid: false, ticks: '' },
      paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: '#1b1029', hovermode: 'closest',
      annotations: columns.length ? [] : [emptyNote(note)],
    };
    if (!columns.length || !labels) {
      layout.plot_bgcolor = '#ffffff';
      layout.xaxis.range = [0, 100];
      layout.yaxis = { ...layout.yaxis, type: 'linear', autorange: false, range: [0, 1], showticklabels: false };
      return { data: [], layout };
    }
    const [zmin, zmax] = range();
    const trace = {
      type: 'heatmap', uid: 'gradients', name: 'gradients', x: columns.map((c) => c.step), y: labels,
      z: labels.map((_, r) => columns.map((c) => c.logs[r])),
      text: labels.map((_, r) => columns.map((c) => fmtNorm(c.norms[r]))),
      zmin, zmax, colorscale: SEQUENTIAL, zsmooth: false,
      colorbar: { title: { text: 'log10 ‖grad‖', side: 'right' }, thickness: 10, outlinewidth: 0, tickfont: { size: 10 },
        dtick: zmax - zmin > 8 ? 2 : 1 },
      hovertemplate: '%{y}<br>step %{x}<br>‖grad‖ %{text}<extra></extra>',
    };
    return { data: [trace], layout };
  }

  async function drain() {
    drawing = true;
    try {
      while (dirty) {
        dirty = false;
        if (div.clientWidth < 50 || div.clientHeight < 50) continue; // hidden: drawn when it gets a size
        const fig = figure();
        try {
          await Plotly.react(div, fig.data, fig.layout, CONFIG);
          div.dataset.columns = String(cols.shown().length);
        } catch (err) {
          console.error('gradient flow: could not draw', err);
        }
      }
    } finally {
      drawing = false;
    }
  }

  function drawNow() {
    clearTimeout(timer);
    timer = null;
    dirty = true;
    if (!drawing) drain();
  }

  function scheduleDraw() {
    if (!timer) timer = setTimeout(drawNow, intervalMs);
  }

  new ResizeObserver(() => drawNow()).observe(div);
  drawNow();

  return {
    /** New job: no columns; `text` says what will appear. */
    reset(text = note) {
      cols.clear();
      labels = null;
      lo = Infinity;
      hi = -Infinity;
      note = text;
      revision += 1;
      delete div.dataset.columns;
      drawNow();
    },

    /** Append one `gradients` message as a column (a throttled redraw). */
    push(msg) {
      if (!labels) labels = msg.layers.map((index, i) => `layer ${index} · ${msg.layer_types[i] ?? '?'}`);
      const logs = msg.norms.map(logNorm);
      for (const v of logs) {
        if (v === null) continue;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      cols.push({ step: msg.step, norms: msg.norms, logs });
      scheduleDraw();
    },

    /** The batch is in: nothing more to do (each push scheduled the throttled redraw). */
    flush() {},

    /** Draw what is buffered without waiting for the throttle (end of a job): after the next paint,
     * so a replay's visible charts are not held up by this one. */
    finish() {
      if (!timer) return;
      clearTimeout(timer);
      timer = null;
      afterPaint(drawNow);
    },
  };
}
