// Right column, "inside" tab on sequence data: the gates and states of one recurrent layer and
// direction for the probe sequence, from `gates` messages. One heatmap row per array (LSTM i, f, g, o,
// c_t, h_t; GRU r, z, n, h_t; RNN h_t), units down, time across; the time axis is labelled with the
// probe's input (its characters, or its values). Sigmoid gates share one sequential 0-1 scale;
// tanh candidates and h_t one diverging -1..1 scale; c_t a diverging scale of its own (± its largest
// magnitude). Hover shows unit, step, input and value. A select picks the layer and direction.

import { payloadNested } from './arrays.js';
import { el } from './dom.js';
import { DIVERGING, FONT, emptyNote } from './plotTheme.js';

const CONFIG = { displaylogo: false, responsive: false, modeBarButtonsToRemove: ['lasso2d', 'select2d'] };
/** Gates are probabilities: white (closed, 0) to dark blue (open, 1). */
export const GATE_SCALE = [[0, '#f7fbff'], [0.25, '#c6dbef'], [0.5, '#6baed6'], [0.75, '#2171b5'], [1, '#08306b']];
const ROW_PX = 50; // per row, at most
const MIN_ROW_PX = 22; // per row, when the panel is short (then it scrolls)
const MARGIN = { l: 76, r: 70, t: 26, b: 40 };
const MAX_TICKS = 50;

function layerKey(l) {
  return `${l.index}:${l.layer}:${l.direction}`;
}

function layerText(l) {
  return `layer ${l.index} · ${l.type}${l.layer ? ` (stacked ${l.layer + 1})` : ''} · ${l.direction}`;
}

const MAX_VALUE_TICKS = 14; // numeric (or other multi-character) labels: at most this many
const CHAR_PX = 6.2; // about one tick-label character at 10 px

/** A numeric label to 3 significant digits (a trailing mark such as the adding set's "*" kept). */
function shortLabel(label) {
  const m = /^(-?[\d.]+(?:e[-+]?\d+)?)(\D*)$/i.exec(String(label));
  return m && Number.isFinite(Number(m[1])) ? `${Number(Number(m[1]).toPrecision(3))}${m[2]}` : String(label);
}

/** Evenly spaced tick indices over `n` steps, at most `most` of them (every step when they fit). */
function every(n, most) {
  const stride = Math.max(1, Math.ceil(n / Math.max(1, most)));
  const vals = [];
  for (let t = 0; t < n; t += stride) vals.push(t);
  return vals;
}

/**
 * Tick positions and labels for the time axis over a plot `width` px wide. Single characters (text
 * models): every step, or every k-th past MAX_TICKS. Longer labels (a series' values): at most
 * MAX_VALUE_TICKS, as many as fit side by side, values to 3 significant digits; where even a few of
 * those would not fit, the step indices instead.
 */
export function timeTicks(labels, width = 0) {
  if (labels.every((l) => String(l).length <= 1)) {
    const vals = every(labels.length, MAX_TICKS);
    return { tickvals: vals, ticktext: vals.map((t) => labels[t]), kind: 'input' };
  }
  const text = labels.map(shortLabel);
  const room = (chars) => (width ? Math.floor(width / (chars * CHAR_PX + 10)) : MAX_VALUE_TICKS);
  const fit = Math.min(MAX_VALUE_TICKS, room(Math.max(...text.map((l) => l.length))));
  if (fit >= Math.min(6, labels.length)) {
    const vals = every(labels.length, fit);
    return { tickvals: vals, ticktext: vals.map((t) => text[t]), kind: 'input' };
  }
  const vals = every(labels.length, Math.min(MAX_VALUE_TICKS, room(String(labels.length - 1).length)));
  return { tickvals: vals, ticktext: vals.map(String), kind: 'index' };
}

/** A tick value as short text: 2 significant digits, with a minus sign as Plotly writes it. */
const short = (v) => String(Number(v.toPrecision(2))).replace('-', '−');

const BAR_YPAD = 6; // px between a colour bar's end and the end of its slot (Plotly's ypad; its default is 10)
const CHAR_EM = 0.62; // a title character, as a share of its font size (a little over the measured 0.54)

/**
 * Evenly spaced tick values from `lo` to `hi` on a colour bar `barPx` long: the most of `counts`
 * (descending) whose labels, `fontPx` high, stay apart; never fewer than the two ends.
 */
export function barTicks(lo, hi, barPx, fontPx, counts) {
  const need = fontPx * 1.25 + 3; // a label's box (about 1.1 em) and a little air
  const n = counts.find((c) => barPx / (c - 1) >= need) ?? 2;
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

/**
 * One colour axis per scale, their bars stacked evenly down the right margin of a plot area `plotPx`
 * high. Tick values are always given (never Plotly's automatic ones, which pack five labels 7 px apart
 * on a short bar): as many as stay apart on the bar Plotly draws, its slot less BAR_YPAD at each end.
 * A title longer than its slot becomes a short one ("gate", "tanh", "c_t") so titles do not run into
 * each other.
 */
export function coloraxes(arrays, plotPx) {
  const c = arrays.find((a) => a.name === 'c');
  const k = c ? 3 : 2;
  const len = 0.9 / k;
  const slotPx = plotPx / k; // a bar's slot and the gap to the next
  const barPx = plotPx * len - 2 * BAR_YPAD;
  const bar = (i, title, shortTitle, lo, hi, counts) => {
    const full = title.length * 11 * CHAR_EM <= slotPx - 4;
    const font = barPx >= 60 ? 9 : 8;
    const ticks = barTicks(lo, hi, barPx, font, counts);
    return {
      title: { text: full ? title : shortTitle, side: 'right', font: { size: full ? 11 : 9 } },
      thickness: 9, len, y: 1 - (i + 0.5) / k, yanchor: 'middle', ypad: BAR_YPAD, outlinewidth: 0,
      tickfont: { size: font }, tickmode: 'array', tickvals: ticks, ticktext: ticks.map(short),
    };
  };
  const axes = {};
  axes.coloraxis = { colorscale: GATE_SCALE, cmin: 0, cmax: 1, colorbar: bar(0, 'gate (0–1)', 'gate', 0, 1, [6, 3, 2]) };
  axes.coloraxis2 = { colorscale: DIVERGING, cmin: -1, cmax: 1, colorbar: bar(1, 'tanh value', 'tanh', -1, 1, [5, 3, 2]) };
  if (c) {
    axes.coloraxis3 = { colorscale: DIVERGING, cmin: -c.limit, cmax: c.limit,
      colorbar: bar(2, 'cell state', 'c_t', -c.limit, c.limit, [5, 3, 2]) };
  }
  return axes;
}

function axisFor(a) {
  if (a.scale === 'sequential') return 'coloraxis';
  return a.name === 'c' ? 'coloraxis3' : 'coloraxis2';
}

/** The figure's height for `n` rows: `available` px (the panel's visible height) when given, within
 * MIN_ROW_PX..ROW_PX per row, so every row and the time axis show without scrolling where they can. */
export function gateHeight(n, available) {
  const fixed = MARGIN.t + MARGIN.b + 4;
  const most = n * ROW_PX + fixed;
  return available ? Math.max(n * MIN_ROW_PX + fixed, Math.min(most, Math.floor(available))) : most;
}

/** A row's name in the left margin, on two lines: "input gate" above "i". */
function rowLabel(label) {
  const words = label.split(' ');
  return words.length > 1 ? `${words.slice(0, -1).join(' ')}<br><b>${words.at(-1)}</b>` : `<b>${label}</b>`;
}

export function gateFigure(msg, layer, width, available = 0) {
  const arrays = layer.arrays;
  const n = arrays.length;
  const height = gateHeight(n, available);
  const T = msg.time.length;
  const ticks = timeTicks(msg.time, width - MARGIN.l - MARGIN.r);
  const gap = 0.03;
  const rowH = (1 - gap * (n - 1)) / n;
  const layout = {
    width, height, font: FONT, margin: MARGIN, hovermode: 'closest',
    paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: '#ffffff', showlegend: false,
    title: { text: `Gates of ${layerText(layer)} · step ${msg.step}`, font: { size: 13 }, x: 0.01, xanchor: 'left' },
    xaxis: { title: { text: ticks.kind === 'index' ? 'time step (index)' : 'time step (probe input)', standoff: 2 }, anchor: `y${n === 1 ? '' : n}`, tickangle: 0,
      tickvals: ticks.tickvals, ticktext: ticks.ticktext, tickfont: { size: T > 60 ? 8 : 10, family: 'ui-monospace, monospace' }, range: [-0.5, T - 0.5] },
    annotations: [],
    ...coloraxes(arrays, height - MARGIN.t - MARGIN.b),
  };
  const data = arrays.map((a, i) => {
    const yName = i === 0 ? 'yaxis' : `yaxis${i + 1}`;
    const top = 1 - i * (rowH + gap);
    layout[yName] = { domain: [top - rowH, top], autorange: 'reversed', showticklabels: false, ticks: '', zeroline: false,
      showgrid: false };
    // The row's name in the left margin, beside its row (not over the row above it).
    layout.annotations.push({ text: rowLabel(a.label), xref: 'paper', yref: 'paper', x: 0, xanchor: 'right', xshift: -4,
      y: top - rowH / 2, yanchor: 'middle', align: 'right', showarrow: false, font: { size: 9, color: '#52606d' } });
    const z = payloadNested(a); // (unit, time)
    const custom = z.map(() => msg.time);
    return {
      type: 'heatmap', z, x: msg.time.map((_, t) => t), y: z.map((_, u) => u), customdata: custom,
      xaxis: 'x', yaxis: i === 0 ? 'y' : `y${i + 1}`, coloraxis: axisFor(a), zsmooth: false, name: a.label,
      hovertemplate: `${a.label}<br>unit %{y}, step %{x} · input “%{customdata}”<br>value %{z:.3f}<extra></extra>`,
    };
  });
  return { data, layout };
}

export function createGates(container, { placeholder = '' } = {}) {
  const select = el('select', { id: 'gates-layer', title: 'Which recurrent layer and direction to show' });
  const note = el('span', { className: 'hint', id: 'gates-note' });
  const plot = el('div', { id: 'gates-plot', className: 'plot gates-plot' });
  container.replaceChildren(el('div', { className: 'gates-bar' }, [el('label', { for: 'gates-layer', text: 'Layer ' }), select, note]), plot);
  let last = null;
  let chosen = null;
  const box = container.closest('.seq-box'); // the scrolling panel the figure should fit in

  /** The panel's visible height below the layer select, less the captions that follow the gates in
   * the panel, so their caption shows too (0 when not laid out). Generated text (a character model's)
   * may scroll: the gates keep their height. */
  function available() {
    if (!box || !box.clientHeight) return 0;
    const top = plot.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop;
    const gap = parseFloat(getComputedStyle(box).rowGap) || 0;
    const below = [...box.querySelectorAll(':scope > .caption')]
      .filter((c) => !c.hidden && container.compareDocumentPosition(c) & Node.DOCUMENT_POSITION_FOLLOWING)
      .reduce((sum, c) => sum + c.getBoundingClientRect().height + gap, 0);
    return box.clientHeight - top - below - 2;
  }

  let boxHeight = 0;
  if (box) {
    new ResizeObserver(() => { // the window (so the panel) changed size: fit again
      if (box.clientHeight === boxHeight) return;
      boxHeight = box.clientHeight;
      if (last) draw();
    }).observe(box);
  }

  function draw() {
    if (!last) {
      Plotly.react(plot, [], { width: plot.clientWidth || 400, height: 120, font: FONT, annotations: [emptyNote(placeholder)],
        xaxis: { visible: false }, yaxis: { visible: false }, paper_bgcolor: 'rgba(0,0,0,0)' }, CONFIG);
      return;
    }
    const layer = last.layers.find((l) => layerKey(l) === chosen) || last.layers[0];
    const fig = gateFigure(last, layer, Math.max(300, plot.clientWidth || container.clientWidth || 400), available());
    Plotly.react(plot, fig.data, fig.layout, CONFIG).then(() => {
      plot.dataset.step = String(last.step);
      plot.dataset.time = last.time.join('');
    });
    const shown = layer.arrays[0]?.shape?.[0] ?? 0;
    note.textContent = (shown < layer.units_total ? ` first ${shown} of ${layer.units_total} units` : ` ${layer.units_total} units`)
      + (last.window ? ` · first ${last.window.steps} of ${last.window.steps_total} time steps (a message is at most `
        + `${last.window.limit_kb} KiB, NNPLAY_MAX_MESSAGE_KB)` : '');
  }

  select.addEventListener('change', () => {
    chosen = select.value;
    draw();
  });

  return {
    reset(text = placeholder) {
      last = null;
      chosen = null;
      placeholder = text;
      select.replaceChildren();
      note.textContent = '';
      delete plot.dataset.step;
      draw();
    },
    render(msg) {
      const keys = msg.layers.map(layerKey);
      if (select.options.length !== keys.length || [...select.options].some((o, i) => o.value !== keys[i])) {
        select.replaceChildren(...msg.layers.map((l) => el('option', { value: layerKey(l), text: layerText(l) })));
        if (!keys.includes(chosen)) chosen = keys[0];
        select.value = chosen;
      }
      last = msg;
      draw();
    },
  };
}
