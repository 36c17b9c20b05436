// Shared Plotly look: fonts, margins, colour scales. Plotly is the global from vendor/plotly-cartesian.min.js.

export const FONT = { family: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', size: 11, color: '#1f2933' };

export const COLORS = {
  trainStep: 'rgba(31, 119, 180, 0.35)',
  train: '#1f77b4',
  test: '#d62728',
  chance: '#7b8794',
};

/** One diverging scale for signed quantities, blue < 0 < red, white at 0 (ColorBrewer RdBu). */
export const DIVERGING = [
  [0, '#2166ac'], [1 / 6, '#67a9cf'], [2 / 6, '#d1e5f0'], [0.5, '#f7f7f7'],
  [4 / 6, '#fddbc7'], [5 / 6, '#ef8a62'], [1, '#b2182b'],
];

/**
 * p(class 1) of a binary classifier under the data points: blue (surely class 0), white (0.5,
 * undecided), orange (surely class 1); lighter than the point colours so the points stay visible.
 */
export const REGION_SCALE = [
  [0, '#5b9bd0'], [0.25, '#a9cbe8'], [0.5, '#f7f7f7'], [0.75, '#f8c9a0'], [1, '#ee9550'],
];

/** One colour per class (class 0 blue, class 1 orange, as REGION_SCALE's ends). */
export const CLASS_COLORS = ['#2166ac', '#d95f02', '#1b9e77', '#7570b3', '#e7298a', '#66a61e', '#e6ab02',
  '#a6761d', '#666666', '#17becf'];

/** Probabilities (attention weights): one sequential 0-1 scale, white (0) to dark blue (1) (ColorBrewer Blues). */
export const PROBABILITY = [
  [0, '#ffffff'], [0.125, '#deebf7'], [0.25, '#c6dbef'], [0.375, '#9ecae1'], [0.5, '#6baed6'],
  [0.625, '#4292c6'], [0.75, '#2171b5'], [0.875, '#08519c'], [1, '#08306b'],
];

/** Unsigned magnitudes (log gradient norms): dark (small) to bright (large). */
export const SEQUENTIAL = 'Viridis';

/** `hex` mixed with white: t = 0 gives `hex`, t = 1 white. */
export function tint(hex, t) {
  const n = parseInt(hex.slice(1), 16);
  const mix = (c) => Math.round(c + (255 - c) * t);
  return `rgb(${mix(n >> 16)}, ${mix((n >> 8) & 255)}, ${mix(n & 255)})`;
}

/** Images: white (low) to black (high), like ink on paper. */
export const GREYS = [[0, '#ffffff'], [1, '#000000']];

/** The same scale as a CSS gradient, bottom (low) to top (high), for hand-drawn colour bars. */
export function cssGradient(scale) {
  return `linear-gradient(to top, ${scale.map(([t, c]) => `${c} ${(t * 100).toFixed(1)}%`).join(', ')})`;
}

export function baseLayout(title, xTitle, yTitle) {
  return {
    title: { text: title, font: { size: 13 }, x: 0.01, xanchor: 'left', y: 0.97, yanchor: 'top' },
    font: FONT,
    margin: { l: 52, r: 12, t: 30, b: 36 },
    xaxis: { title: { text: xTitle, standoff: 4 }, zeroline: false, automargin: true },
    yaxis: { title: { text: yTitle, standoff: 4 }, zeroline: false, automargin: true },
    legend: { orientation: 'h', x: 1, xanchor: 'right', y: 1.02, yanchor: 'bottom', font: { size: 10 } },
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: '#ffffff',
    hovermode: 'x unified',
  };
}

export const CHART_CONFIG = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ['lasso2d', 'select2d'] };

export function emptyNote(text, widthPx = 0) {
  return {
    text: widthPx > 0 ? wrapLines(text, widthPx, `12px ${FONT.family}`).join('<br>') : text,
    showarrow: false, xref: 'paper', yref: 'paper', x: 0.5, y: 0.5,
    font: { size: 12, color: '#7b8794' },
  };
}

let measurer = null;

/** `text` cut at spaces into lines no wider than `widthPx` in CSS `font` (measured on a canvas; a
 * plotly annotation does not wrap by itself). A word wider than the width keeps a line of its own. */
export function wrapLines(text, widthPx, font) {
  measurer ??= document.createElement('canvas').getContext('2d');
  measurer.font = font;
  const lines = [];
  for (const word of String(text).split(/\s+/).filter(Boolean)) {
    const line = lines.length ? `${lines[lines.length - 1]} ${word}` : word;
    if (lines.length && measurer.measureText(line).width <= widthPx) lines[lines.length - 1] = line;
    else lines.push(word);
  }
  return lines;
}

// The page draws SVG traces only: plotly's WebGL traces (scattergl) compile their draw calls with
// Function(), which the server's Content-Security-Policy refuses (script-src 'self', no 'unsafe-eval':
// backend/nnplay/api/security.py), and the vendored cartesian bundle does not carry them. Long curves
// stay short instead: the server thins their history and the charts decimate what they draw.

/**
 * Batches points and appends them with one plotly call per flush: push(traceIndex, x, y); a flush
 * happens at most every `intervalMs`, or when asked. `layout(lastX)` (optional), called at each flush
 * with the largest x drawn after it, returns the layout changes that go with the new points, or null:
 * they are drawn together (Plotly.update, one redraw; not extendTraces then relayout, two). `after()`
 * (optional) runs once the points are drawn.
 */
export class TraceBuffer {
  constructor(getDiv, nTraces, { layout = null, after = null, intervalMs = 100 } = {}) {
    this.getDiv = getDiv;
    this.nTraces = nTraces;
    this.layout = layout;
    this.after = after;
    this.intervalMs = intervalMs;
    this.timer = null;
    this.clear();
  }

  clear() {
    clearTimeout(this.timer);
    this.timer = null;
    this.xs = Array.from({ length: this.nTraces }, () => []);
    this.ys = Array.from({ length: this.nTraces }, () => []);
  }

  push(trace, x, y) {
    this.xs[trace].push(x);
    this.ys[trace].push(y);
    if (!this.timer) this.timer = setTimeout(() => this.flush(), this.intervalMs);
  }

  flush() {
    clearTimeout(this.timer);
    this.timer = null;
    const idx = [];
    for (let i = 0; i < this.nTraces; i += 1) if (this.xs[i].length) idx.push(i);
    if (!idx.length) return;
    const x = idx.map((i) => this.xs[i]);
    const y = idx.map((i) => this.ys[i]);
    this.xs = Array.from({ length: this.nTraces }, () => []);
    this.ys = Array.from({ length: this.nTraces }, () => []);
    const div = this.getDiv();
    const relayout = this.layout?.(lastX(div.data, idx, x));
    if (relayout) {
      const joined = (key, added) => idx.map((i, k) => div.data[i][key].concat(added[k]));
      Plotly.update(div, { x: joined('x', x), y: joined('y', y) }, relayout, idx);
    } else {
      Plotly.extendTraces(div, { x, y }, idx);
    }
    this.after?.();
  }
}

/** The largest last x of the traces once `added` (per trace in `idx`) is appended. */
function lastX(traces, idx, added) {
  let last = -Infinity;
  traces.forEach((t, i) => {
    const k = idx.indexOf(i);
    const xs = k >= 0 && added[k].length ? added[k] : t.x;
    if (xs.length) last = Math.max(last, xs[xs.length - 1]);
  });
  return last;
}

/** Run `fn` once after the next paint (a frame callback, then a task); in a background tab, where
 * frames pause, after 250 ms. */
export function afterPaint(fn) {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    clearTimeout(fallback);
    fn();
  };
  const fallback = setTimeout(run, 250);
  requestAnimationFrame(() => setTimeout(run, 0));
}

/**
 * Keep a drawn Plotly chart the size of its box: resize it whenever the box changes size (a chart
 * first drawn while its tab was hidden keeps Plotly's default 700 px otherwise).
 */
export function followBox(div) {
  new ResizeObserver(() => {
    const full = div._fullLayout;
    if (!full || div.clientWidth < 50 || div.clientHeight < 50) return;
    if (Math.abs(full.width - div.clientWidth) < 1 && Math.abs(full.height - div.clientHeight) < 1) return;
    Plotly.Plots.resize(div);
  }).observe(div);
}
