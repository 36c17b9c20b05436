// Right column: the probe image, the network's prediction for it, and one small heatmap per
// channel of every conv/pool layer in a `feature_maps` message. Maps replace (Plotly.react);
// frames that arrive while one is being drawn are coalesced (only the newest is drawn).

import { cssGradient, DIVERGING, FONT, GREYS } from './plotTheme.js';
import { formatShape } from './summaryTable.js';
import { el } from './dom.js';
import { payloadNested } from './arrays.js';

const MAP_CONFIG = { staticPlot: true, displayModeBar: false, responsive: false };

/** Symmetric range around 0 from a layer's vmin/vmax, so 0 is always the middle colour. */
export function symmetricRange(vmin, vmax) {
  const m = Math.max(Math.abs(vmin ?? 0), Math.abs(vmax ?? 0));
  return m > 0 && Number.isFinite(m) ? m : 1;
}

function fmtNum(v) {
  if (!Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a !== 0 && (a < 0.01 || a >= 1000)) return v.toExponential(1);
  return v.toFixed(a < 1 ? 2 : 1);
}

const MAX_PER_ROW = 8;

/** Pixel size of one channel map: bigger when there are few channels; `scale` (>= 1) grows it to
 * fill a large panel. */
function mapSize(shape, channels, scale = 1) {
  const [, h = 1, w = 1] = shape;
  const base = Math.round((channels <= 6 ? 42 : channels <= MAX_PER_ROW ? 36 : 28) * scale);
  return { width: base, height: Math.max(8, Math.round((base * h) / Math.max(w, 1))) };
}

const MAP_GAP = 3; // px between maps (.fm-grid gap)
const LAYER_EXTRA = 22; // px per layer besides its maps: title and the gap to the next layer
const MAX_SCALE = 3;

/** How much the maps of `layers` can grow (1 to MAX_SCALE) to fill `width` x `height` px, the room
 * beside the probe input: at 1920x1080 the maps fill the panel instead of staying 30 px (issue 16). */
export function mapScale(layers, width, height) {
  if (!layers.length || !(width > 0) || !(height > 0)) return 1;
  let widest = 0;
  let mapsHeight = 0;
  for (const layer of layers) {
    const channels = layer.shape[0]; // the message carries its arrays as payloads: the shape, not nested lists
    const size = mapSize(layer.shape, channels);
    const perRow = Math.min(channels, MAX_PER_ROW);
    widest = Math.max(widest, perRow * (size.width + MAP_GAP));
    mapsHeight += Math.ceil(channels / perRow) * (size.height + MAP_GAP);
  }
  const byWidth = (width - 60) / widest; // 60: the layer's colour bar
  const byHeight = (height - layers.length * LAYER_EXTRA) / mapsHeight;
  return Math.max(1, Math.min(MAX_SCALE, byWidth, byHeight));
}

function heatmap(z, zmin, zmax, colorscale, size, hover = false) {
  const trace = {
    type: 'heatmap', z, zmin, zmax, colorscale, showscale: false,
    hoverinfo: hover ? 'z' : 'skip', xgap: 0, ygap: 0,
  };
  const layout = {
    width: size.width, height: size.height, margin: { l: 0, r: 0, t: 0, b: 0 },
    xaxis: { visible: false, fixedrange: true },
    yaxis: { visible: false, autorange: 'reversed', fixedrange: true }, // row 0 at the top
    paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)', font: FONT,
  };
  return { data: [trace], layout };
}

function colorBar(scale, top, mid, bottom, height) {
  return el('div', { className: 'colorbar', title: 'colour scale' }, [
    el('div', { className: 'colorbar-ramp', style: `background: ${cssGradient(scale)}; height: ${height}px` }),
    el('div', { className: 'colorbar-labels', style: `height: ${height}px` }, [
      el('span', { text: top }), el('span', { text: mid }), el('span', { text: bottom }),
    ]),
  ]);
}

export function createFeatureMaps(container, { placeholder, minIntervalMs = 600, maxStaleMs = 3000 }) {
  let generation = 0; // bumped by reset(); a draw of an older generation stops
  let pending = null;
  let drawing = false;
  let structure = ''; // layer indices, types and shapes of the drawn grid; a change rebuilds it
  let parts = null;
  let lastDrawn = 0; // performance.now() when a frame was last drawn completely

  /** Whether the frame being drawn should give way: a newer one is waiting and the panel is not
   * starved (a complete frame within the last maxStaleMs). */
  function superseded(gen) {
    return gen !== generation || (pending !== null && performance.now() - lastDrawn < maxStaleMs);
  }

  function showPlaceholder(text) {
    structure = '';
    parts = null;
    for (const div of container.querySelectorAll('.js-plotly-plot')) Plotly.purge(div);
    container.replaceChildren(el('p', { className: 'placeholder', text }));
  }

  function layerKey(msg) {
    const inputShape = msg.input ? msg.input.shape.join('x') : 'none';
    return [inputShape, ...(msg.layers || []).map((l) => `${l.index}:${l.type}:${l.shape.join('x')}`)].join('|');
  }

  function build(msg) {
    for (const div of container.querySelectorAll('.js-plotly-plot')) Plotly.purge(div);
    const probeImg = el('div', { className: 'probe-image', id: 'probe-image' });
    const probeBar = el('div', { className: 'probe-colorbar' });
    const prediction = el('div', { className: 'prediction', id: 'probe-prediction' });
    const probe = el('div', { className: 'fm-probe' }, [
      el('div', { className: 'fm-title', text: 'probe input' }),
      el('div', { className: 'probe-row' }, [probeImg, probeBar]),
      prediction,
    ]);
    const layers = el('div', { className: 'fm-layers' });
    const scale = mapScale(msg.layers || [], container.clientWidth - 140, container.clientHeight - 8); // 140: the probe column
    const layerParts = (msg.layers || []).map((layer) => {
      const channels = layer.shape[0];
      const size = mapSize(layer.shape, channels, scale);
      const maps = Array.from({ length: channels }, (_, c) => el('div', {
        className: 'fmap', 'data-layer': layer.index, 'data-channel': c,
        style: `width:${size.width}px;height:${size.height}px`, title: `channel ${c}`,
      }));
      const title = el('div', { className: 'fm-title' });
      const bar = el('div', { className: 'fm-bar' });
      const grid = el('div', {
        className: 'fm-grid',
        style: `grid-template-columns: repeat(${Math.min(channels, MAX_PER_ROW)}, ${size.width}px)`,
      }, maps);
      const block = el('div', { className: 'fm-layer', 'data-layer': layer.index }, [
        title, el('div', { className: 'fm-body' }, [grid, bar]),
      ]);
      layers.append(block);
      return { title, maps, bar, size };
    });
    if (!layerParts.length) {
      layers.append(el('p', { className: 'placeholder', text: msg.input
        ? 'This network has no conv/pool layers: nothing to show beyond the prediction.'
        : 'Feature maps are drawn for image data sets (such as digits) with conv/pool layers.' }));
    }
    container.replaceChildren(probe, layers);
    parts = { probe, probeImg, probeBar, prediction, layers: layerParts };
  }

  function renderPrediction(msg) {
    const { prediction } = parts;
    const pred = msg.prediction;
    const truth = msg.input?.label_name ?? (msg.input?.label ?? null);
    prediction.replaceChildren();
    if (!pred) return;
    const p = Array.isArray(pred.probabilities) ? pred.probabilities[pred.class] : null;
    const correct = truth !== null && String(pred.label_name ?? pred.class) === String(truth);
    prediction.append(
      el('div', { className: `pred-line ${truth === null ? '' : correct ? 'right' : 'wrong'}` }, [
        el('span', { text: 'predicted ' }),
        el('strong', { text: String(pred.label_name ?? pred.class) }),
        el('span', { text: p !== null && p !== undefined ? ` (${(p * 100).toFixed(0)}%)` : '' }),
      ]),
    );
    if (truth !== null) prediction.append(el('div', { className: 'truth-line', text: `true label ${truth}` }));
    if (Array.isArray(pred.probabilities) && pred.probabilities.length <= 20) {
      const bars = pred.probabilities.map((q, i) => el('div', {
        className: `pbar${i === pred.class ? ' top' : ''}`, 'data-class': i, title: `class ${i}: ${(q * 100).toFixed(1)}%`,
      }, [el('div', { className: 'pbar-fill', style: `height:${Math.max(1, q * 100).toFixed(1)}%` })]));
      prediction.append(el('div', { className: 'pbars', title: 'predicted probability per class' }, bars));
      const names = Array.isArray(msg.classes) && msg.classes.length === pred.probabilities.length ? msg.classes : null;
      prediction.append(el('div', { className: 'pbar-labels', 'aria-hidden': 'true' }, pred.probabilities.map((_, i) => el('span', {
        className: `pbar-label${i === pred.class ? ' top' : ''}`, text: String(names ? names[i] : i),
      }))));
    }
  }

  async function drawInput(input, gen) {
    const { probeImg, probeBar } = parts;
    if (!input) {
      probeImg.replaceChildren(el('span', { className: 'placeholder', text: 'no image input' }));
      return;
    }
    const [, h = 1, w = 1] = input.shape;
    const size = { width: 84, height: Math.round((84 * h) / Math.max(w, 1)) };
    const fig = heatmap(payloadNested(input)[0], input.vmin, input.vmax, GREYS, size, true);
    if (gen !== generation) return;
    await Plotly.react(probeImg, fig.data, fig.layout, { ...MAP_CONFIG, staticPlot: false });
    probeBar.replaceChildren(colorBar(GREYS, fmtNum(input.vmax), '', fmtNum(input.vmin), size.height));
  }

  async function drawLayer(layer, part, gen) {
    const m = symmetricRange(layer.vmin, layer.vmax);
    const total = layer.channels_total ?? layer.shape[0];
    const shown = layer.shape[0] < total ? ` (first ${layer.shape[0]} of ${total} channels)` : '';
    part.title.textContent = `layer ${layer.index} · ${layer.type} · ${formatShape(layer.shape)}${shown}`;
    part.title.title = `activations in [${fmtNum(layer.vmin)}, ${fmtNum(layer.vmax)}]; colour range ±${fmtNum(m)}`;
    const channels = payloadNested(layer); // (channel, row, col)
    for (let c = 0; c < part.maps.length; c += 1) {
      if (superseded(gen)) return;
      const fig = heatmap(channels[c], -m, m, DIVERGING, part.size);
      await Plotly.react(part.maps[c], fig.data, fig.layout, MAP_CONFIG);
    }
    const rows = Math.max(1, Math.round(part.maps[0]?.parentElement?.offsetHeight || part.size.height));
    part.bar.replaceChildren(colorBar(DIVERGING, `+${fmtNum(m)}`, '0', `−${fmtNum(m)}`, Math.max(36, rows)));
  }

  async function draw(msg, gen) {
    const key = layerKey(msg);
    if (key !== structure || !parts) {
      build(msg);
      structure = key;
    }
    renderPrediction(msg);
    await drawInput(msg.input, gen);
    for (let i = 0; i < (msg.layers || []).length; i += 1) {
      if (superseded(gen)) return;
      await drawLayer(msg.layers[i], parts.layers[i], gen);
    }
    if (superseded(gen)) return;
    lastDrawn = performance.now();
    container.dataset.step = String(msg.step);
  }

  async function drain() {
    drawing = true;
    try {
      while (pending) {
        const { msg, gen } = pending;
        pending = null;
        if (gen !== generation) continue;
        const started = performance.now();
        try {
          await draw(msg, gen);
        } catch (err) {
          console.error('feature maps: could not draw', err);
        }
        // A frame is dozens of small plots: at most one every minIntervalMs, so that a replayed
        // history or a fast job leaves the main thread to the stream (the newest frame still wins).
        const wait = started + minIntervalMs - performance.now();
        if (pending && wait > 0) await new Promise((resolve) => { setTimeout(resolve, wait); });
      }
    } finally {
      drawing = false;
    }
  }

  showPlaceholder(placeholder);

  return {
    /** Clear the panel for a new job (`text` says what will appear). */
    reset(text = placeholder) {
      generation += 1;
      pending = null;
      lastDrawn = performance.now();
      showPlaceholder(text);
    },

    /** Draw a `feature_maps` message (coalesced: the newest pending frame wins). */
    render(msg) {
      pending = { msg, gen: generation };
      if (!drawing) drain();
    },
  };
}
