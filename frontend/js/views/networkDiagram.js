// Right column, "Neurons" tab (2-D data): the network drawn as TensorFlow Playground does, from
// `neuron_maps` messages. Layers are columns (inputs x1, x2; each hidden block; the outputs), units are
// nodes showing their activation over the input plane as a thumbnail (the decision boundary's grid,
// row 0 = lowest x2 at the bottom, as that plot), edges are the weights: blue < 0 < red, width and
// opacity by |w| relative to the largest |w| of that layer. One diverging scale per layer, centred on
// 0 at ± max |activation| of the layer (its vmin/vmax), so units of one layer compare directly.
// Clicking a unit draws its map large (a Plotly heatmap with axes and a colour bar) beside the diagram.
// Given the network on screen (setNetwork), the diagram is also its builder: +/- hidden layers and
// neurons per hidden layer (views/diagramControls.js); before a job draws that network (idle, or a job
// that trained another one), its units are drawn blank.

import { decodeQuantized, payloadNested } from './arrays.js';
import { DIVERGING, FONT, cssGradient, emptyNote } from './plotTheme.js';
import { CONTROLS_PX, controlsFor, frameMatches, structureColumns } from './diagramControls.js';

const SVG = 'http://www.w3.org/2000/svg';
const CONFIG = { displaylogo: false, responsive: false, modeBarButtonsToRemove: ['lasso2d', 'select2d', 'autoScale2d'] };
const MAX_NODE_PX = 40;
const MIN_NODE_PX = 8;
const NOTE_PX = 30; // the two lines under blank units (nd-note)
const TITLE_PX = 26; // two lines of column titles on top ("layer 1 · tanh" / "16 of 32 units")
const STOPS = DIVERGING.map(([t, hex]) => [t, parseInt(hex.slice(1), 16)]);

/** RGB of `t` in [0, 1] on the diverging scale (0.5 = white). */
export function divergingRgb(t) {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0.5));
  let k = 1;
  while (k < STOPS.length - 1 && STOPS[k][0] < x) k += 1;
  const [t0, c0] = STOPS[k - 1];
  const [t1, c1] = STOPS[k];
  const f = t1 > t0 ? (x - t0) / (t1 - t0) : 0;
  const ch = (c, s) => (c >> s) & 255;
  return [16, 8, 0].map((s) => Math.round(ch(c0, s) + (ch(c1, s) - ch(c0, s)) * f));
}

/** ± the largest |value| of a layer: the symmetric range its units are drawn in. */
export function symmetricRange(vmin, vmax) {
  const m = Math.max(Math.abs(vmin ?? 0), Math.abs(vmax ?? 0));
  return m > 0 ? m : 1;
}

/** The diagram's columns from a frame: inputs, hidden blocks (maps decoded), outputs. */
function columnsOf(frame) {
  const r1 = frame.x1.length;
  const r2 = frame.x2.length;
  const ramp = (axis) => { // the inputs' own "activation": x1 or x2 at each grid point
    const a = new Float32Array(r1 * r2);
    for (let i = 0; i < r2; i += 1) for (let j = 0; j < r1; j += 1) a[i * r1 + j] = axis === 1 ? frame.x1[j] : frame.x2[i];
    return a;
  };
  const m = symmetricRange(Math.min(frame.x1[0], frame.x2[0]), Math.max(frame.x1.at(-1), frame.x2.at(-1)));
  const cols = [{ title: 'input', total: 2, range: m, units: [ramp(1), ramp(2)], names: ['x1', 'x2'] }];
  for (const layer of frame.layers) {
    const values = decodeQuantized(layer);
    const [u, rows, colsN] = layer.shape;
    const size = rows * colsN;
    cols.push({
      title: `layer ${layer.index} · ${layer.type}`, total: layer.units_total, layer,
      range: symmetricRange(layer.vmin, layer.vmax),
      units: Array.from({ length: u }, (_, k) => values.subarray(k * size, (k + 1) * size)),
      names: Array.from({ length: u }, (_, k) => `unit ${k}`),
    });
  }
  const nOut = frame.weights.length ? frame.weights.at(-1).shape[0] : 0;
  cols.push({ title: 'output', total: frame.outputs_total, units: Array(nOut).fill(null),
    names: Array.from({ length: nOut }, (_, k) => `logit ${k}`) });
  return cols;
}

function paintThumb(canvas, values, r1, r2, range) {
  if (canvas.width !== r1 || canvas.height !== r2) {
    canvas.width = r1;
    canvas.height = r2;
  }
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(r1, r2);
  for (let i = 0; i < r2; i += 1) {
    for (let j = 0; j < r1; j += 1) {
      const rgb = divergingRgb(0.5 + values[i * r1 + j] / (2 * range));
      const at = ((r2 - 1 - i) * r1 + j) * 4; // grid row 0 (lowest x2) drawn at the bottom
      img.data[at] = rgb[0];
      img.data[at + 1] = rgb[1];
      img.data[at + 2] = rgb[2];
      img.data[at + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function detailFigure(frame, sel, cols, W, H) {
  const col = cols[sel.col];
  const values = col.units[sel.unit];
  const r1 = frame.x1.length;
  const z = Array.from({ length: frame.x2.length }, (_, i) => Array.from(values.subarray(i * r1, (i + 1) * r1)));
  const m = col.range;
  return {
    data: [{
      type: 'heatmap', x: frame.x1, y: frame.x2, z, zmin: -m, zmax: m, zsmooth: 'best', colorscale: DIVERGING,
      colorbar: { thickness: 9, len: 0.9, outlinewidth: 0, tickfont: { size: 9 }, title: { text: 'activation', side: 'right' } },
      hovertemplate: `x1 %{x:.2f}, x2 %{y:.2f}<br>activation %{z:.3f}<br>step ${frame.step}, epoch ${frame.epoch}<extra></extra>`,
    }],
    layout: {
      width: W, height: H, font: FONT, margin: { l: 38, r: 4, t: 24, b: 38 },
      title: { text: `${col.title} · ${col.names[sel.unit]}`, font: { size: 12 }, x: 0.01, xanchor: 'left', y: 0.985, yanchor: 'top' },
      xaxis: { title: { text: 'x1 (standardised)', standoff: 2 }, zeroline: false, showgrid: false },
      yaxis: { title: { text: 'x2 (standardised)', standoff: 2 }, zeroline: false, showgrid: false },
      paper_bgcolor: 'rgba(0,0,0,0)',
    },
  };
}

export function createNetworkDiagram({ diagramEl, detailEl, legendEl, placeholder, minIntervalMs = 200 }) {
  const view = { frame: null, cols: null, sel: { col: 1, unit: 0 }, note: placeholder, net: null, onEdit: null };
  let drawing = false;
  let dirty = false;
  let last = 0;

  /** What to draw: the frame's columns when it shows the network on screen, else that network blank. */
  function shown() {
    const { frame, net } = view;
    if (frame && frameMatches(frame, net)) return { cols: view.cols, live: true };
    return { cols: net ? structureColumns(net) : null, live: false };
  }

  const top = () => TITLE_PX + (view.net && view.onEdit ? CONTROLS_PX : 0); // titles (and controls) above the units

  function layout(cols, live) {
    const W = diagramEl.clientWidth;
    const H = diagramEl.clientHeight - top() - (live ? 0 : NOTE_PX); // the column titles on top, the note below
    const most = Math.max(...cols.map((c) => c.units.length), 1);
    const node = Math.max(MIN_NODE_PX, Math.min(MAX_NODE_PX, Math.floor((H - 4) / most) - 3, Math.floor(W / cols.length / 2)));
    const pad = 14; // room for the first and last column titles
    const gapX = cols.length > 1 ? (W - node - 2 * pad) / (cols.length - 1) : 0;
    return cols.map((c, ci) => {
      const n = c.units.length;
      const pitch = Math.min(node + 3, n > 1 ? (H - node) / (n - 1) : 0);
      const y0 = top() + (H - (pitch * (n - 1) + node)) / 2;
      return c.units.map((_, k) => ({ x: pad + ci * gapX, y: y0 + k * pitch, size: node }));
    });
  }

  function edgesSvg(frame, pos, W, H) {
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', 'nd-edges');
    svg.setAttribute('width', W);
    svg.setAttribute('height', H);
    frame.weights.forEach((w, j) => {
      const maxAbs = symmetricRange(w.vmin, w.vmax);
      const from = pos[j];
      const to = pos[j + 1];
      payloadNested(w).forEach((row, o) => row.forEach((value, i) => { // (out, in)
        if (!from[i] || !to[o] || value === null) return;
        const a = from[i];
        const b = to[o];
        const line = document.createElementNS(SVG, 'line');
        const rel = Math.abs(value) / maxAbs;
        const [r, g, bl] = divergingRgb(value >= 0 ? 0.85 : 0.15);
        line.setAttribute('x1', a.x + a.size);
        line.setAttribute('y1', a.y + a.size / 2);
        line.setAttribute('x2', b.x);
        line.setAttribute('y2', b.y + b.size / 2);
        line.setAttribute('stroke', `rgb(${r},${g},${bl})`);
        line.setAttribute('stroke-width', (0.3 + 3 * rel).toFixed(2));
        line.setAttribute('stroke-opacity', (0.15 + 0.75 * rel).toFixed(2));
        line.dataset.weight = String(value);
        svg.append(line);
      }));
    });
    return svg;
  }

  /** Thin grey edges between every pair of units of neighbouring columns (no weights yet). */
  function plainEdges(pos, W, H) {
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', 'nd-edges');
    svg.setAttribute('width', W);
    svg.setAttribute('height', H);
    pos.slice(1).forEach((to, j) => pos[j].forEach((a) => to.forEach((b) => {
      const line = document.createElementNS(SVG, 'line');
      for (const [k, v] of [['x1', a.x + a.size], ['y1', a.y + a.size / 2], ['x2', b.x], ['y2', b.y + b.size / 2]]) line.setAttribute(k, v);
      line.setAttribute('stroke', '#9aa5b1');
      line.setAttribute('stroke-width', '0.5');
      line.setAttribute('stroke-opacity', '0.35');
      svg.append(line);
    })));
    return svg;
  }

  /** Under the units when they are blank: why, and what to press. */
  function blankNote() {
    const text = view.frame
      ? 'The job on screen trained another network: press Play to train this one.'
      : view.note;
    return el('p', 'nd-note', text);
  }

  function drawDiagram() {
    const { frame } = view;
    const { cols, live } = shown();
    const W = diagramEl.clientWidth;
    const H = diagramEl.clientHeight;
    if (!cols) {
      diagramEl.replaceChildren(el('p', 'placeholder', view.note));
      return;
    }
    const focused = diagramEl.contains(document.activeElement) ? document.activeElement.dataset.key : null;
    const pos = layout(cols, live);
    const nodes = [];
    const colGap = cols.length > 1 && pos[1][0] && pos[0][0] ? pos[1][0].x - pos[0][0].x : W;
    cols.forEach((c, ci) => {
      // Each title keeps to its column's share of the width (wrapping, then cut with an ellipsis;
      // the whole in its tooltip), so neighbouring titles never overlap.
      const title = el('div', 'nd-col-title', c.title);
      if (c.units.length < c.total) title.append(el('span', 'nd-col-count', ` (${c.units.length} of ${c.total})`));
      title.title = title.textContent;
      title.style.maxWidth = `${Math.max(24, colGap - 6)}px`;
      if (view.net && view.onEdit) title.style.top = `${CONTROLS_PX}px`;
      const p0 = pos[ci][0];
      if (ci === 0) title.style.left = '0px'; // first column: left-aligned, last: right-aligned, others centred
      else if (ci === cols.length - 1) title.style.right = '0px';
      else if (p0) Object.assign(title.style, { left: `${p0.x + p0.size / 2}px`, transform: 'translateX(-50%)' });
      nodes.push(title);
      c.units.forEach((values, k) => {
        const p = pos[ci][k];
        const box = el(values ? 'canvas' : 'div', `nd-node${values ? '' : values === false ? ' nd-blank' : ' nd-out'}`);
        box.dataset.col = String(ci);
        Object.assign(box.style, { left: `${p.x}px`, top: `${p.y}px`, width: `${p.size}px`, height: `${p.size}px` });
        box.title = `${c.title} · ${c.names[k]}${values ? ' (click: large)' : ''}`;
        if (values) {
          paintThumb(box, values, frame.x1.length, frame.x2.length, c.range);
          box.dataset.unit = String(k);
          if (ci === view.sel.col && k === view.sel.unit) box.classList.add('selected');
          box.addEventListener('click', () => select(ci, k));
        } else {
          box.textContent = values === false ? (ci === 0 ? c.names[k] : '') : String(k);
        }
        nodes.push(box);
      });
    });
    const controls = view.net && view.onEdit ? controlsFor(view.net, pos, view.onEdit) : [];
    diagramEl.replaceChildren(live ? edgesSvg(frame, pos, W, H) : plainEdges(pos, W, H), ...nodes, ...controls, ...(live ? [] : [blankNote()]));
    if (live) diagramEl.dataset.step = String(frame.step);
    else delete diagramEl.dataset.step;
    diagramEl.dataset.thumbs = String(nodes.filter((n) => n.tagName === 'CANVAS').length);
    diagramEl.dataset.live = String(live);
    if (focused) diagramEl.querySelector(`[data-key="${focused}"]:not(:disabled)`)?.focus();
  }

  async function drawDetail() {
    const { cols, sel } = view;
    const frame = shown().live ? view.frame : null;
    const W = detailEl.clientWidth;
    const H = detailEl.clientHeight;
    if (W < 50 || H < 50) return;
    const fig = frame && cols[sel.col]?.units[sel.unit]
      ? detailFigure(frame, sel, cols, W, H)
      : { data: [], layout: { width: W, height: H, font: FONT, xaxis: { visible: false }, yaxis: { visible: false },
        paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)', annotations: [emptyNote(frame ? 'Click a unit' : 'No maps yet')] } };
    try {
      await Plotly.react(detailEl, fig.data, fig.layout, CONFIG);
      detailEl.dataset.unit = frame ? `${sel.col}:${sel.unit}` : '';
    } catch (err) {
      console.error('neuron detail: could not draw', err);
    }
  }

  async function drain() {
    drawing = true;
    try {
      await null; // after the batch being dispatched: what it sets (points, then a frame) is drawn once
      while (dirty) {
        dirty = false;
        const wait = last + minIntervalMs - performance.now();
        if (wait > 0) await new Promise((resolve) => { setTimeout(resolve, wait); });
        last = performance.now();
        if (diagramEl.clientWidth < 50 || diagramEl.clientHeight < 50) continue;
        drawDiagram();
        await drawDetail();
      }
    } finally {
      drawing = false;
    }
  }

  function schedule() {
    dirty = true;
    if (!drawing) drain();
  }

  function select(col, unit) {
    view.sel = { col, unit };
    schedule();
  }

  if (legendEl) {
    legendEl.replaceChildren(
      el('span', 'nd-key', 'activation'),
      Object.assign(el('span', 'nd-bar'), { title: 'per layer: blue = −max |a|, white = 0, red = +max |a|' }),
      el('span', 'nd-key', '−max · 0 · +max (per layer); edges: weight, blue < 0 < red, width ∝ |w|'),
    );
    legendEl.querySelector('.nd-bar').style.background = cssGradient(DIVERGING).replace('to top', 'to right');
  }
  new ResizeObserver(() => schedule()).observe(diagramEl);
  schedule();

  return {
    reset(text = placeholder) {
      Object.assign(view, { frame: null, cols: null, note: text, sel: { col: 1, unit: 0 } });
      delete diagramEl.dataset.step;
      delete diagramEl.dataset.thumbs;
      schedule();
    },
    /**
     * The network on screen, `{hidden: [{start, units, activation}], outputs}` (layerEdits.js
     * hiddenLayers / outputUnits), or null (not a dense stack: the diagram only draws frames); with
     * `onEdit(action)`, +/- controls edit it.
     */
    setNetwork(net, onEdit = null) {
      view.net = net && net.hidden.length ? net : null;
      view.onEdit = onEdit;
      schedule();
    },
    /** A `neuron_maps` message (coalesced: the newest pending frame wins). */
    render(msg) {
      view.frame = msg;
      view.cols = columnsOf(msg);
      if (!view.cols[view.sel.col]?.units[view.sel.unit]) view.sel = { col: 1, unit: 0 };
      schedule();
    },
  };
}
