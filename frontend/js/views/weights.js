// "Weights" tab: what the network has learned, as numbers. Per weighted layer a histogram of its weights
// now (bars) over the histogram at the run's first probe, the initialisation (grey line; every message
// carries it as `first`), both as densities
// (bins differ as the weights spread); where the first
// trainable layer is a linear reading a one-channel image, its weights drawn as images ("templates":
// logistic regression on digits learns one 8x8 template per class; red pixels vote for the class, blue
// against it). `weights` messages replace each other (the newest of a batch is drawn, at most every
// `intervalMs`).

import { decodeFloat32 } from './arrays.js';
import { DIVERGING, FONT, emptyNote } from './plotTheme.js';

const CONFIG = { displaylogo: false, responsive: false, displayModeBar: false };
const TITLE_PX = 30; // a card's title above its plot (up to two lines)

/** Bin centres, width and densities (count / (total * width): the histogram's area is 1, so two
 * histograms with different bins compare) of a histogram entry {lo, hi, count, counts}. */
export function binCentres(layer) {
  const n = layer.counts.length;
  const width = (layer.hi - layer.lo) / n;
  const scale = layer.count > 0 && width > 0 ? 1 / (layer.count * width) : 0;
  return { x: layer.counts.map((_, i) => layer.lo + (i + 0.5) * width), width, density: layer.counts.map((c) => c * scale) };
}

/** The card title of a histogram entry: "layer 1 · linear · 640 weights · std 0.12 (init 0.10)". */
export function histogramTitle(layer, initial, firstStep = 0) {
  const std = (v) => (v == null ? '—' : v.toPrecision(2));
  const init = initial && initial !== layer ? ` (${firstStep ? `step ${firstStep}` : 'init'} ${std(initial.std)})` : '';
  return `layer ${layer.index} · ${layer.type} · ${layer.count.toLocaleString('en')} weights · std ${std(layer.std)}${init}`;
}

/** RGB of `v` on the DIVERGING scale over [-m, m] (0 white). */
export function divergingRgb(v, m) {
  const t = m > 0 ? Math.min(1, Math.max(0, (v / m + 1) / 2)) : 0.5;
  let i = 1;
  while (i < DIVERGING.length - 1 && DIVERGING[i][0] < t) i += 1;
  const [t0, c0] = DIVERGING[i - 1];
  const [t1, c1] = DIVERGING[i];
  const f = t1 > t0 ? (t - t0) / (t1 - t0) : 0;
  const rgb = (hex) => [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));
  const a = rgb(c0);
  const b = rgb(c1);
  return a.map((x, k) => Math.round(x + f * (b[k] - x)));
}

/** The side in px of each of `k` templates so that they fill about `share` of a `width` x `height` pane
 * (64 to 160 px; 6 px gaps, 16 px for a caption). */
export function templateSize(k, width, height, share = 0.45) {
  if (!(k > 0) || !(width > 0) || !(height > 0)) return 64;
  for (let s = 160; s > 64; s -= 4) {
    const perRow = Math.max(1, Math.floor((width - 8) / (s + 6)));
    if (Math.ceil(k / perRow) * (s + 22) <= height * share) return s;
  }
  return 64;
}

/** The height in px of each of `n` histogram cards in a `width` x `height` area (cards at least 260 px
 * wide, side by side): what fills the area, 130 to 260 px. */
export function histogramHeight(n, width, height) {
  if (!(n > 0) || !(width > 0) || !(height > 0)) return 130;
  const rows = Math.ceil(n / Math.max(1, Math.floor(width / 264)));
  return Math.max(130, Math.min(260, Math.floor(height / rows) - 4));
}

function histogramFigure(layer, initial, width, height, firstStep = 0) {
  const { x, width: w, density } = binCentres(layer);
  const data = [{ type: 'bar', x, y: density, width: w, name: 'now', marker: { color: '#1f77b4' }, customdata: layer.counts,
    hovertemplate: 'weight %{x:.3g}<br>%{customdata} weights (density %{y:.3g})<extra>now</extra>' }];
  if (initial && initial !== layer) {
    const init = binCentres(initial);
    data.push({ type: 'scatter', mode: 'lines', x: init.x, y: init.density, name: firstStep ? `step ${firstStep}` : 'initialisation', customdata: initial.counts,
      line: { color: '#52606d', width: 1.5, shape: 'hvh' },
      hovertemplate: 'weight %{x:.3g}<br>%{customdata} weights (density %{y:.3g})<extra>%{fullData.name}</extra>' });
  }
  return {
    data,
    layout: {
      width, height, font: FONT, margin: { l: 40, r: 6, t: 6, b: 26 }, showlegend: false, bargap: 0,
      xaxis: { title: { text: 'weight', standoff: 0, font: { size: 10 } }, zeroline: true },
      yaxis: { title: { text: 'density', standoff: 0, font: { size: 10 } }, rangemode: 'tozero' },
      paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: '#ffffff',
    },
  };
}

/** Draws unit `u`'s template of `values` ((K, H, W) row-major) on a canvas, over [-m, m]. */
function drawTemplate(canvas, values, u, h, w, m) {
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(w, h);
  for (let p = 0; p < h * w; p += 1) {
    const [r, g, b] = divergingRgb(values[u * h * w + p], m);
    img.data.set([r, g, b, 255], 4 * p);
  }
  ctx.putImageData(img, 0, 0);
}

export function createWeights({ templatesEl, histogramsEl, placeholder = '', intervalMs = 400 }) {
  let initial = null; // the run's first histograms by layer index (the message's `first`)
  let firstStep = 0;
  let latest = null;
  let timer = null;
  let drawnAt = 0;

  function note(text) {
    templatesEl.replaceChildren();
    templatesEl.hidden = true;
    histogramsEl.replaceChildren(Object.assign(document.createElement('p'), { className: 'wt-note', textContent: text }));
  }

  function renderTemplates(t) {
    templatesEl.hidden = !t;
    if (!t) { templatesEl.replaceChildren(); return; }
    const [k, h, w] = t.maps.shape;
    const values = decodeFloat32(t.maps);
    const m = Math.max(Math.abs(t.maps.vmin ?? 0), Math.abs(t.maps.vmax ?? 0));
    const head = Object.assign(document.createElement('div'), { className: 'wt-head' });
    head.textContent = `layer ${t.index} · linear · each unit’s ${h}×${w} weights on the pixels`
      + (k < t.units_total ? ` (first ${k} of ${t.units_total} units)` : '') + ` · red > 0 > blue, ±${m.toPrecision(3)}`;
    const grid = Object.assign(document.createElement('div'), { className: 'wt-grid' });
    for (let u = 0; u < k; u += 1) {
      const fig = Object.assign(document.createElement('figure'), { className: 'wt-template' });
      const canvas = document.createElement('canvas');
      drawTemplate(canvas, values, u, h, w, m);
      const label = t.labels[u] ?? `unit ${u}`;
      fig.append(canvas, Object.assign(document.createElement('figcaption'), { textContent: t.labels.length ? `class ${label}` : label }));
      fig.title = `${t.labels.length ? `class ${label}` : label}: its weight on each pixel`;
      grid.append(fig);
    }
    const pane = templatesEl.parentElement;
    grid.style.setProperty('--wt-size', `${templateSize(k, templatesEl.clientWidth || pane.clientWidth, pane.clientHeight)}px`);
    templatesEl.dataset.templates = String(k);
    templatesEl.replaceChildren(head, grid);
  }

  function renderHistograms(layers) {
    const cards = histogramsEl.querySelectorAll('.wt-card');
    if (cards.length !== layers.length) {
      histogramsEl.replaceChildren(...layers.map(() => {
        const card = Object.assign(document.createElement('div'), { className: 'wt-card' });
        card.append(Object.assign(document.createElement('div'), { className: 'wt-title' }),
          Object.assign(document.createElement('div'), { className: 'wt-plot' }));
        return card;
      }));
    }
    histogramsEl.dataset.layers = String(layers.length);
    const height = histogramHeight(layers.length, histogramsEl.clientWidth, histogramsEl.clientHeight);
    histogramsEl.querySelectorAll('.wt-plot').forEach((plot, i) => {
      const layer = layers[i];
      plot.parentElement.dataset.index = String(layer.index);
      plot.previousElementSibling.textContent = histogramTitle(layer, initial?.get(layer.index), firstStep);
      plot.style.height = `${height - TITLE_PX}px`;
      const fig = histogramFigure(layer, initial?.get(layer.index), Math.max(160, plot.clientWidth || 240), height - TITLE_PX, firstStep);
      Plotly.react(plot, fig.data, fig.layout, CONFIG).catch((err) => console.error('weights: could not draw', err));
    });
  }

  function draw() {
    clearTimeout(timer);
    timer = null;
    if (!latest) return;
    drawnAt = performance.now();
    renderTemplates(latest.templates);
    renderHistograms(latest.layers);
    histogramsEl.dataset.step = String(latest.step);
  }

  let size = '';
  new ResizeObserver(() => { // redrawn when the pane's size changes (templates and cards fill it)
    const now = `${histogramsEl.parentElement.clientWidth}x${histogramsEl.parentElement.clientHeight}`;
    if (now === size) return;
    size = now;
    if (latest) draw();
  }).observe(histogramsEl.parentElement);
  note(placeholder);

  return {
    /** New job (or none): nothing drawn; `text` says what will appear. */
    reset(text = placeholder) {
      clearTimeout(timer);
      timer = null;
      initial = null;
      latest = null;
      delete histogramsEl.dataset.step;
      delete templatesEl.dataset.templates;
      note(text);
    },
    /** The newest `weights` message: drawn now, or when `intervalMs` has passed since the last drawing. */
    render(msg) {
      initial = new Map(msg.first.layers.map((l) => [l.index, l]));
      firstStep = msg.first.step;
      latest = msg;
      const wait = intervalMs - (performance.now() - drawnAt);
      if (wait <= 0) draw();
      else if (!timer) timer = setTimeout(draw, wait);
    },
  };
}
