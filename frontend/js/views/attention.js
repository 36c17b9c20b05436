// Right column, "Attention" tab: what every self-attention head looks at, from `attention` messages;
// the "Cross attention" tab is a second instance (prefix 'cross') fed `cross_attention` messages: the
// target positions (rows) over the source tokens (columns), and under it the three stages for one query
// of the chosen head (scores before the softmax, the softmax weights, the values and their weighted sum).
// Head view: one layer and head as a T x T heatmap (rows = queries, row 0 on top; columns = keys), the
// probe's tokens on both axes, sequential 0-1 scale. Model view: layers x heads small multiples of the
// same snapshot. Every snapshot of the run is kept (decimated past MAX_SNAPSHOTS), so the scrubber
// can go back through training; "live" follows the newest. Redraws are coalesced to the newest
// frame, at most one per `intervalMs`. Export: the figure as PNG or SVG, the snapshot as JSON.

import { payloadNested } from './arrays.js';
import { el } from './dom.js';
import { batched } from './series.js';
import { DIVERGING, FONT, PROBABILITY } from './plotTheme.js';

export const MAX_SNAPSHOTS = 400;
const CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['lasso2d', 'select2d'] };
const SHOWN = { ' ': '␣', '\n': '⏎', '\t': '⇥' };

/** A token as an axis label: blanks and newlines made visible. */
export function showToken(token) {
  return SHOWN[token] ?? token;
}

/** Label of one attention (a layer, or a block of a transformer_encoder). */
function attnLabel(layer) {
  if (layer.type === 'cross_attention') return `layer ${layer.index} · cross_attention · ${layer.score}`;
  const score = layer.score && layer.score !== 'scaled_dot' ? ` · ${layer.score}` : '';
  const block = layer.type === 'transformer_encoder' ? ` block ${layer.block}` : '';
  return `layer ${layer.index} · ${layer.type}${block}${layer.causal ? ' (causal)' : ''}${score}`;
}

/**
 * Snapshots of a run, at most `max`: past it every other one is dropped (the first and newest stay),
 * so a long run keeps an evenly thinned history.
 */
export class SnapshotHistory {
  constructor(max = MAX_SNAPSHOTS) {
    this.max = max;
    this.items = [];
  }

  push(msg) {
    const last = this.items[this.items.length - 1];
    if (last && last.step === msg.step) this.items[this.items.length - 1] = msg; // resent step: replace
    else this.items.push(msg);
    if (this.items.length > this.max) this.items = this.items.filter((_, i) => i % 2 === 0 || i === this.items.length - 1);
  }
}

const LONG = 16; // past this many tokens the map fills its box (cells need not be square) and ticks thin out

/** Every `stride`-th index of `n`, so that at most `most` tick labels show. */
export function tickStride(n, most) {
  return Math.max(1, Math.ceil(n / Math.max(1, most)));
}

function axis(tokens, title, reversed, most) {
  const stride = tickStride(tokens.length, most);
  const vals = tokens.map((_, i) => i).filter((i) => i % stride === 0);
  return {
    title: { text: title, standoff: 4 },
    tickmode: 'array', tickvals: vals, ticktext: vals.map((i) => showToken(tokens[i])),
    tickfont: { size: tokens.length > 32 ? 8 : tokens.length > LONG ? 9 : 11 }, tickangle: 0,
    autorange: reversed ? 'reversed' : true, fixedrange: true, showgrid: false, zeroline: false, automargin: true,
  };
}

/**
 * One head as a T x T map in a `width` x `height` px box. Short sequences: square cells, every token
 * labelled. Long ones (a 64-character line): the map fills the box, and only as many token labels as fit
 * side by side (x) and one above the other (y) show; hover names every cell's tokens.
 */
/** The row (query) labels of a message: the target positions of cross attention, else the tokens. */
export function queryTokens(msg) {
  return msg.type === 'cross_attention' ? msg.target : msg.tokens;
}

function headFigure(msg, layer, head, width = 0, height = 0) {
  const tokens = msg.tokens;
  const queries = queryTokens(msg);
  const cross = msg.type === 'cross_attention';
  const T = Math.max(tokens.length, queries.length);
  const long = T > LONG;
  const shown = tokens.map(showToken);
  const shownQ = queries.map(showToken);
  const widest = Math.max(1, ...shown.map((t) => t.length));
  const margin = long ? { l: 40, r: 8, t: 24, b: 30 } : { l: 40, r: 8, t: 30, b: 36 };
  const plotW = Math.max(60, (width || 480) - margin.l - margin.r - 60); // the colour bar takes ~60 px
  const plotH = Math.max(40, (height || 200) - margin.t - margin.b - 16);
  const mostX = long ? Math.floor(plotW / (widest * 6 + 8)) : T;
  const mostY = long ? Math.floor(plotH / 11) : T;
  const trace = {
    type: 'heatmap', z: payloadNested(layer)[head], x: tokens.map((_, i) => i), y: queries.map((_, i) => i),
    zmin: 0, zmax: 1, colorscale: PROBABILITY, xgap: long ? 0 : 1, ygap: long ? 0 : 1,
    customdata: shownQ.map((q) => shown.map((k) => [q, k])),
    hovertemplate: 'query %{y} “%{customdata[0]}” → key %{x} “%{customdata[1]}”<br>weight %{z:.3f}<extra></extra>',
    colorbar: { title: { text: 'weight', side: 'right' }, thickness: 10, len: 0.9, tickvals: [0, 0.25, 0.5, 0.75, 1] },
  };
  const square = long ? {} : { scaleanchor: 'y', constrain: 'domain' };
  const layout = {
    title: { text: cross ? `Cross attention · head ${head} · step ${msg.step}` : `Attention · ${attnLabel(layer)} · head ${head} · step ${msg.step}`, font: { size: 12 }, x: 0.01, xanchor: 'left' },
    font: FONT, margin,
    xaxis: { ...axis(tokens, cross ? 'source token (key)' : 'key token (attended to)', false, mostX), side: 'bottom', ...square },
    yaxis: { ...axis(queries, cross ? 'target character (query)' : 'query token', true, mostY), ...(long ? {} : { constrain: 'domain' }) },
    paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: '#ffffff',
  };
  return { data: [trace], layout };
}

function modelFigure(msg) {
  const rows = msg.layers.length;
  const cols = Math.max(...msg.layers.map((l) => l.shape[0]));
  const data = [];
  const annotations = [];
  const layout = {
    title: { text: `Attention, every layer × head · step ${msg.step}`, font: { size: 12 }, x: 0.01, xanchor: 'left' },
    font: FONT, margin: { l: 8, r: 8, t: 26, b: 22 },
    grid: { rows, columns: cols, pattern: 'independent', xgap: 0.06, ygap: 0.14 },
    coloraxis: { colorscale: PROBABILITY, cmin: 0, cmax: 1,
      colorbar: { title: { text: 'weight', side: 'right' }, thickness: 10, len: 0.9 } },
    paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: '#ffffff',
  };
  msg.layers.forEach((layer, r) => {
    payloadNested(layer).forEach((z, h) => {
      const n = r * cols + h + 1;
      const suffix = n === 1 ? '' : String(n);
      data.push({ type: 'heatmap', z, coloraxis: 'coloraxis', xaxis: `x${suffix}`, yaxis: `y${suffix}`, meta: [r, h],
        hovertemplate: `${attnLabel(layer)}, head ${h}<br>query %{y} → key %{x}: %{z:.3f}<extra></extra>` });
      layout[`xaxis${suffix}`] = { visible: false, fixedrange: true };
      layout[`yaxis${suffix}`] = { visible: false, autorange: 'reversed', fixedrange: true };
      annotations.push({ text: `L${layer.index}${layer.type === 'transformer_encoder' ? `.${layer.block}` : ''} h${h}`,
        xref: `x${suffix} domain`, yref: `y${suffix} domain`, x: 0.5, y: 1, yanchor: 'bottom', showarrow: false,
        font: { size: 9 } });
    });
  });
  annotations.push({ text: 'rows = queries (top-down), columns = keys; click a square to open it',
    xref: 'paper', yref: 'paper', x: 0.5, y: 0, yshift: -18, showarrow: false, font: { size: 10, color: '#52606d' } });
  layout.annotations = annotations;
  return { data, layout };
}

/**
 * The three stages of attention for query `query` of head `head` (cross attention, computed on the
 * server from the layer's own tensors): the scores before the softmax (bars over the source tokens),
 * the softmax weights (bars, 0-1), and the values of the source tokens (columns under their bars, one
 * row per dimension of the head) with, in the last column, their weighted sum (the context).
 * `range` ({scores: [lo, hi], values: max |value|}): the run's ranges, so that scores and values keep one
 * scale across snapshots; null: this snapshot's own.
 */
export function stagesFigure(msg, layer, head, query, range = null) {
  const tokens = msg.tokens.map(showToken);
  const x = tokens.map((_, i) => i);
  const scores = payloadNested(layer.scores)[head][query].map((v) => (Number.isFinite(v) ? v : null)); // hidden keys: -inf
  const weights = payloadNested(layer)[head][query];
  const values = payloadNested(layer.values)[head]; // (key, dim)
  const context = payloadNested(layer.context)[head][query]; // (dim,)
  const columns = [...x, x.length + 0.5]; // the weighted sum stands half a column apart
  const z = context.map((c, d) => [...values.map((row) => row[d]), c]); // (dim, key + 1)
  const tick = { tickmode: 'array', tickvals: columns, ticktext: [...tokens, 'Σ'], tickangle: 0, fixedrange: true,
    range: [-0.5, x.length + 1], showgrid: false };
  const target = showToken(queryTokens(msg)[query] ?? '');
  const data = [
    { type: 'bar', x, y: scores, marker: { color: '#7b8794' }, xaxis: 'x', yaxis: 'y', name: 'score',
      hovertemplate: 'key %{x}: score %{y:.3f}<extra></extra>' },
    { type: 'bar', x, y: weights, marker: { color: '#2171b5' }, xaxis: 'x2', yaxis: 'y2', name: 'weight',
      hovertemplate: 'key %{x}: weight %{y:.3f}<extra></extra>' },
    { type: 'heatmap', z, x: columns, colorscale: DIVERGING, zmin: -(range?.values ?? layer.values.vmax),
      zmax: range?.values ?? layer.values.vmax,
      xaxis: 'x3', yaxis: 'y3', xgap: 1,
      colorbar: { title: { text: 'value', side: 'right' }, thickness: 8, len: 0.38, y: 0, yanchor: 'bottom' },
      hovertemplate: 'column %{x}, dimension %{y}: %{z:.3f}<extra></extra>' },
  ];
  const layout = {
    title: { text: `3 stages · head ${head} · query ${query} “${target}” · step ${msg.step}`, font: { size: 12 }, x: 0.01, xanchor: 'left' },
    font: FONT, margin: { l: 44, r: 8, t: 24, b: 22 }, showlegend: false,
    xaxis: { ...tick, anchor: 'y', showticklabels: false }, yaxis: { domain: [0.72, 1], title: { text: '1 score', standoff: 2 }, fixedrange: true,
      ...(range?.scores ? { range: range.scores } : {}) },
    xaxis2: { ...tick, anchor: 'y2', showticklabels: false }, yaxis2: { domain: [0.44, 0.66], title: { text: '2 softmax', standoff: 2 }, range: [0, 1], fixedrange: true },
    xaxis3: { ...tick, anchor: 'y3' },
    yaxis3: { domain: [0, 0.38], title: { text: '3 values', standoff: 2 }, autorange: 'reversed', fixedrange: true, showticklabels: false },
    paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: '#ffffff',
  };
  return { data, layout };
}

/** The caption of a windowed message: what part of the attention it holds, and why. */
export function windowText(msg) {
  const w = msg.window;
  const heads = Math.max(...msg.layers.map((l) => l.heads_total ?? l.shape[0]));
  return `Window: the first ${w.tokens} of ${w.tokens_total} tokens` + (w.heads < heads ? `, the first ${w.heads} of ${heads} heads` : '')
    + ` (rows sum to 1 over all keys; a message is at most ${w.limit_kb} KiB, NNPLAY_MAX_MESSAGE_KB).`;
}

/**
 * @param {{plotEl: HTMLElement, controlsEl: HTMLElement, ioEl: HTMLElement, placeholder: string,
 *          intervalMs?: number}} opts
 */
export function createAttention({ plotEl, controlsEl, ioEl, placeholder, intervalMs = 150, prefix = 'attn', stagesEl = null }) {
  const history = new SnapshotHistory();
  const state = { view: 'head', layer: 0, head: 0, query: 0, index: -1, live: true };
  let timer = null;
  let drawing = false;
  let dirty = false;
  let clickBound = false;
  const arrived = new WeakMap(); // snapshot -> performance.now() when it reached the view
  let maxLagMs = 0; // the oldest a newest snapshot has been when drawn live (arrival -> drawn)

  const layerSel = el('select', { id: `${prefix}-layer`, title: 'Which attention layer (or transformer block) to show' });
  const headSel = el('select', { id: `${prefix}-head`, title: 'Which head of that layer' });
  const viewSel = el('select', { id: `${prefix}-view`, title: 'Head view: one head, tokens on both axes; model view: every layer and head'
    + (stagesEl ? '' : '; 3 stages: scores, softmax and weighted sum of the values for one query') }, [
    el('option', { value: 'head', text: 'head view' }), el('option', { value: 'model', text: 'model view' }),
    ...(stagesEl ? [] : [el('option', { value: 'stages', text: '3 stages' })]),
  ]);
  const scrub = el('input', { id: `${prefix}-scrub`, type: 'range', min: '0', max: '0', value: '0', step: '1',
    title: 'Scrub through the snapshots taken during training', 'aria-label': 'training step of the snapshot' });
  const stepLabel = el('span', { id: `${prefix}-step`, className: 'attn-step', text: '' });
  const liveBox = el('input', { id: `${prefix}-live`, type: 'checkbox', checked: '' });
  const exportBtn = (format, text, title) => el('button', { type: 'button', className: 'small-btn', 'data-format': format, text, title });
  const buttons = [exportBtn('png', 'PNG', 'Download the figure as a PNG image'), exportBtn('svg', 'SVG', 'Download the figure as an SVG image'),
    exportBtn('json', 'JSON', 'Download the raw attention weights of this snapshot (every layer and head) as JSON')];
  const querySel = el('select', { id: `${prefix}-query`, title: stagesEl
    ? 'Which query (target position) the three stages are shown for; or click a row of the map'
    : 'Which query token the 3 stages view shows' });
  controlsEl.replaceChildren(
    el('label', { text: 'view ' }, [viewSel]), el('label', { text: 'layer ' }, [layerSel]), el('label', { text: 'head ' }, [headSel]),
    el('label', { text: 'query ' }, [querySel]),
    el('span', { className: 'attn-scrubber' }, [scrub, stepLabel]),
    el('label', { className: 'attn-live', title: 'Follow the newest snapshot' }, [liveBox, document.createTextNode(' live')]),
    el('span', { className: 'attn-export' }, buttons),
  );

  /** Scores' [min, max] and values' largest |value| of layer `index` over every snapshot kept. */
  function runRange(index) {
    const layers = history.items.map((m) => m.layers[index]).filter((l) => l?.scores);
    const lo = Math.min(0, ...layers.map((l) => l.scores.vmin ?? 0));
    const hi = Math.max(0, ...layers.map((l) => l.scores.vmax ?? 0));
    const pad = 0.05 * (hi - lo || 1);
    return { scores: [lo - pad, hi + pad], values: Math.max(1e-6, ...layers.map((l) => l.values.vmax ?? 0)) };
  }

  function current() {
    return history.items[state.index] || null;
  }

  function fillSelect(select, labels, selected) {
    const same = select.options.length === labels.length && labels.every((t, i) => select.options[i].textContent === t);
    if (!same) select.replaceChildren(...labels.map((t, i) => el('option', { value: String(i), text: t })));
    select.value = String(selected);
  }

  function syncControls() {
    const msg = current();
    const n = history.items.length;
    scrub.max = String(Math.max(0, n - 1));
    scrub.value = String(Math.max(0, state.index));
    scrub.disabled = n < 2;
    liveBox.checked = state.live;
    for (const b of buttons) b.disabled = !msg;
    if (!msg) {
      stepLabel.textContent = '';
      return;
    }
    stepLabel.textContent = `step ${msg.step} · epoch ${msg.epoch} · ${state.index + 1}/${n}`;
    state.layer = Math.min(state.layer, msg.layers.length - 1);
    fillSelect(layerSel, msg.layers.map(attnLabel), state.layer);
    const heads = msg.layers[state.layer]?.shape[0] ?? 1;
    state.head = Math.min(state.head, heads - 1);
    fillSelect(headSel, Array.from({ length: heads }, (_, h) => `head ${h}`), state.head);
    const queries = queryTokens(msg);
    state.query = Math.min(state.query, queries.length - 1);
    fillSelect(querySel, queries.map((t, i) => `${i} “${showToken(t)}”`), state.query);
    layerSel.disabled = state.view === 'model';
    headSel.disabled = state.view === 'model';
    querySel.disabled = !stagesEl && state.view !== 'stages';
  }

  function renderIo(msg) {
    if (!msg) {
      ioEl.replaceChildren();
      return;
    }
    const perStep = msg.predicted.length > 1;
    const line = (label, items, marks) => el('div', { className: 'attn-io-line' }, [
      el('span', { className: 'attn-io-label', text: label }),
      ...items.map((t, i) => el('span', { className: `attn-tok${marks ? (marks[i] ? ' right' : ' wrong') : ''}`, text: showToken(t) })),
    ]);
    const right = msg.predicted.map((p, i) => p === msg.target[i]);
    ioEl.replaceChildren(
      line(msg.type === 'cross_attention' ? 'source' : 'probe input', msg.tokens),
      ...(msg.decoder_input ? [line('decoder input', msg.decoder_input)] : []),
      line(perStep ? 'predicted' : 'predicted class', msg.predicted, right),
      line(perStep ? 'target' : 'true class', msg.target),
      ...(msg.window ? [el('div', { className: 'attn-window hint', text: windowText(msg) })] : []),
    );
  }

  function showPlaceholder(text) {
    if (stagesEl) {
      Plotly.purge(stagesEl);
      stagesEl.replaceChildren();
      stagesEl.dataset.step = '';
    }
    Plotly.purge(plotEl);
    clickBound = false;
    plotEl.replaceChildren(el('p', { className: 'placeholder', text }));
    plotEl.dataset.step = '';
  }

  async function draw() {
    const msg = current();
    syncControls();
    renderIo(msg);
    if (!msg) return;
    if (!msg.layers.length) {
      showPlaceholder(placeholder);
      return;
    }
    const layer = msg.layers[state.layer];
    if (state.view === 'stages' && !layer.scores) {
      showPlaceholder('The 3 stages are streamed for self_attention layers; a transformer_encoder block sends its weights only.');
      plotEl.dataset.view = state.view;
      return;
    }
    const fig = state.view === 'model' ? modelFigure(msg)
      : state.view === 'stages' ? stagesFigure(msg, layer, state.head, state.query, runRange(state.layer))
      : headFigure(msg, layer, state.head, plotEl.clientWidth, plotEl.clientHeight);
    plotEl.querySelector('.placeholder')?.remove();
    await Plotly.react(plotEl, fig.data, fig.layout, CONFIG);
    if (stagesEl && layer.scores) {
      const stages = stagesFigure(msg, layer, state.head, state.query, runRange(state.layer));
      stagesEl.querySelector('.placeholder')?.remove();
      await Plotly.react(stagesEl, stages.data, stages.layout, CONFIG);
      stagesEl.dataset.query = String(state.query);
      stagesEl.dataset.step = String(msg.step);
    }
    if (!clickBound) { // model view: a click on a small heatmap opens that layer and head in the head view
      clickBound = true;
      plotEl.on('plotly_click', (ev) => {
        const meta = ev?.points?.[0]?.data?.meta;
        if (state.view === 'head' && stagesEl && Number.isInteger(ev?.points?.[0]?.y)) { // a row: that query's stages
          state.query = ev.points[0].y;
          schedule();
          return;
        }
        if (state.view !== 'model' || !Array.isArray(meta)) return;
        [state.layer, state.head] = meta;
        state.view = 'head';
        viewSel.value = 'head';
        schedule();
      });
    }
    plotEl.dataset.step = String(msg.step);
    if (state.live && msg === history.items[history.items.length - 1] && arrived.has(msg)) {
      maxLagMs = Math.max(maxLagMs, performance.now() - arrived.get(msg));
      plotEl.dataset.maxLagMs = String(Math.round(maxLagMs));
    }
    plotEl.dataset.view = state.view;
    plotEl.dataset.query = String(state.query);
    plotEl.dataset.layer = String(state.layer);
    plotEl.dataset.head = String(state.head);
  }

  /** Redraw soon: at most one draw per intervalMs, always of the newest state. */
  function schedule() {
    dirty = true;
    if (timer || drawing) return;
    timer = setTimeout(async () => {
      timer = null;
      if (!dirty) return;
      dirty = false;
      drawing = true;
      try {
        await draw();
      } catch (err) {
        console.error('attention: could not draw', err);
      } finally {
        drawing = false;
        if (dirty) schedule();
      }
    }, intervalMs);
  }

  function download(format) {
    const msg = current();
    if (!msg) return;
    const name = `attention-step${msg.step}${state.view === 'head' ? `-layer${msg.layers[state.layer].index}-head${state.head}` : '-all'}`;
    if (format === 'json') {
      const { v, type, job_id: jobId, step, epoch, tokens, predicted, target, layers } = msg;
      const blob = new Blob([JSON.stringify({ v, type, job_id: jobId, step, epoch, tokens, predicted, target, layers })], { type: 'application/json' });
      const a = el('a', { href: URL.createObjectURL(blob), download: `${name}.json` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
      return;
    }
    Plotly.downloadImage(plotEl, { format, filename: name, width: 720, height: state.view === 'model' ? 560 : 640 });
  }

  viewSel.addEventListener('change', () => { state.view = viewSel.value; schedule(); });
  layerSel.addEventListener('change', () => { state.layer = Number(layerSel.value); state.head = 0; schedule(); });
  headSel.addEventListener('change', () => { state.head = Number(headSel.value); schedule(); });
  querySel.addEventListener('change', () => { state.query = Number(querySel.value); schedule(); });
  scrub.addEventListener('input', () => {
    state.index = Number(scrub.value);
    state.live = state.index === history.items.length - 1;
    schedule();
  });
  liveBox.addEventListener('change', () => {
    state.live = liveBox.checked;
    if (state.live) state.index = history.items.length - 1;
    schedule();
  });
  for (const b of buttons) b.addEventListener('click', () => download(b.dataset.format));

  showPlaceholder(placeholder);
  syncControls();
  // How many token labels fit follows the box: redraw when it changes size.
  let boxSize = '';
  new ResizeObserver(() => {
    const size = `${plotEl.clientWidth}x${plotEl.clientHeight}`;
    if (size === boxSize) return;
    boxSize = size;
    if (current()) schedule();
  }).observe(plotEl);

  /** Keep `attention` messages (in seq order); the newest is drawn while "live" is on. */
  function pushAll(messages) {
    const held = state.live ? null : current()?.step; // a scrubbed-to snapshot stays on screen
    const now = performance.now();
    for (const msg of messages) {
      arrived.set(msg, now);
      history.push(msg);
    }
    const at = held === null || held === undefined ? -1 : history.items.findIndex((m) => m.step >= held);
    state.index = at >= 0 ? at : history.items.length - 1;
    schedule();
  }

  return {
    /** Clear for a new job (`text` says what will appear). */
    reset(text = placeholder) {
      history.items = [];
      maxLagMs = 0;
      Object.assign(state, { layer: 0, head: 0, query: 0, index: -1, live: true });
      clearTimeout(timer);
      timer = null;
      dirty = false;
      showPlaceholder(text);
      syncControls();
      renderIo(null);
    },

    /** `push(msg)` each message of a batch, then `flush()`: kept in seq order, drawn once. */
    ...batched(pushAll),
  };
}
