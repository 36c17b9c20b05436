// The Neurons diagram as a builder (TensorFlow Playground style), for views/networkDiagram.js: the
// network on screen as columns of blank units before any job draws it, and the +/- controls above the
// columns: hidden layers (add one like the last, remove the last) and neurons per hidden layer. The
// controls only say what was asked ({kind: 'addHidden' | 'removeHidden' | 'step', ...}, the builder's
// action vocabulary); the builder controller edits the spec with layerEdits.js and validates it.

import { el } from './dom.js';

/** Units drawn per column: the server's neuron_maps probe sends at most this many (registry max_units). */
export const MAX_UNITS = 16;
/** Height of the two control rows above the column titles (px). */
export const CONTROLS_PX = 46;

/**
 * The network on screen as the diagram's columns, every unit blank (false; outputs null): input (2),
 * each hidden layer (at most MAX_UNITS drawn of its units), output.
 * @param {{hidden: {start: number, at: number, units: number|null, activation: string|null}[], outputs: number|null}} net
 *   layerEdits.js hiddenLayers and outputUnits; column titles name layer `at`, as the frames do
 */
export function structureColumns(net) {
  const names = (n, f) => Array.from({ length: n }, (_, k) => f(k));
  const cols = [{ title: 'input', total: 2, units: [false, false], names: ['x1', 'x2'] }];
  for (const h of net.hidden) {
    const n = Math.max(0, Math.min(h.units ?? 0, MAX_UNITS)); // a size the server refuses (-3) draws none
    cols.push({ title: `layer ${h.at} · ${h.activation ?? 'linear'}`, total: h.units ?? 0, units: Array(n).fill(false), names: names(n, (k) => `unit ${k}`) });
  }
  const out = Math.max(0, net.outputs ?? 0);
  cols.push({ title: 'output', total: out, units: Array(Math.min(out, MAX_UNITS)).fill(null), names: names(Math.min(out, MAX_UNITS), (k) => `logit ${k}`) });
  return cols;
}

/** Whether a `neuron_maps` frame shows the network on screen (same hidden widths and outputs). */
export function frameMatches(frame, net) {
  if (!net) return true;
  return frame.layers.length === net.hidden.length && frame.outputs_total === net.outputs
    && frame.layers.every((layer, k) => layer.units_total === net.hidden[k].units);
}

function stepButton(text, label, key, action, onEdit, disabled = false) {
  const b = el('button', { type: 'button', className: 'nd-btn', text, title: label, 'aria-label': label, 'data-key': key });
  b.disabled = disabled;
  b.addEventListener('click', () => onEdit(action));
  return b;
}

/**
 * The control rows: "− N hidden layers +" on top (the last hidden layer cannot be removed here: with
 * none the diagram has nothing to draw; the builder can), then "− N neurons +" centred over each hidden
 * column. `pos`: the columns' node positions (networkDiagram's layout); `onEdit(action)`.
 */
export function controlsFor(net, pos, onEdit) {
  const n = net.hidden.length;
  const layersBar = el('div', { className: 'nd-ctl nd-layers', role: 'group', 'aria-label': 'Hidden layers' }, [
    stepButton('−', 'Remove the last hidden layer', 'layers:-', { kind: 'removeHidden' }, onEdit, n <= 1),
    el('span', { className: 'nd-count', 'data-role': 'layers', text: `${n} hidden layer${n === 1 ? '' : 's'}` }),
    stepButton('+', 'Add a hidden layer (like the last one)', 'layers:+', { kind: 'addHidden' }, onEdit),
  ]);
  const perLayer = net.hidden.map((h, k) => {
    const p = pos[k + 1][0];
    const x = p ? p.x + p.size / 2 : 0;
    const units = h.units ?? 0;
    const bar = el('div', { className: 'nd-ctl nd-neurons', role: 'group', 'aria-label': `Neurons of layer ${h.start}`, 'data-layer': String(h.start) }, [
      stepButton('−', `Remove a neuron from layer ${h.start}`, `${h.start}:-`, { kind: 'step', index: h.start, field: 'out_features', delta: -1 }, onEdit, units <= 1),
      el('span', { className: 'nd-count', 'data-role': 'neurons', text: String(units), title: `${units} neurons` }),
      stepButton('+', `Add a neuron to layer ${h.start}`, `${h.start}:+`, { kind: 'step', index: h.start, field: 'out_features', delta: 1 }, onEdit),
    ]);
    Object.assign(bar.style, { left: `${x}px`, transform: 'translateX(-50%)' });
    return bar;
  });
  return [layersBar, ...perLayer];
}
