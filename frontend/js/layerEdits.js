// Pure edits of a network's layer list for the visual builder (views/networkBuilder.js): blocks
// (an affine layer and the activation right after it), add, remove, move, a field step, the activation
// menu. Layer types, their fields and their families come from the server's catalogue (GET /api/layers):
// nothing here names a layer type. Every function returns a new list; the input is never changed.

/** {type -> catalogue entry} from GET /api/layers rows. */
export function indexCatalogue(rows) {
  return new Map((rows || []).map((row) => [row.type, row]));
}

export function inFamily(catalogue, type, family) {
  return Boolean(catalogue.get(type)?.families?.includes(family));
}

/** The activation types the catalogue declares (family "activation"), in its order. */
export function activationTypes(catalogue) {
  return [...catalogue.values()].filter((row) => row.families?.includes('activation')).map((row) => row.type);
}

/**
 * The layer list as blocks: an affine layer (family "affine": linear, conv2d) and the activation
 * layer right after it form one block; every other layer is a block of its own.
 * @returns {{start: number, end: number, activation: string|null}[]} end exclusive
 */
export function blocks(layers, catalogue) {
  const out = [];
  for (let i = 0; i < layers.length; i += 1) {
    const next = layers[i + 1];
    const paired = inFamily(catalogue, layers[i]?.type, 'affine') && next && inFamily(catalogue, next.type, 'activation');
    out.push({ start: i, end: paired ? i + 2 : i + 1, activation: paired ? next.type : null });
    if (paired) i += 1;
  }
  return out;
}

/** Remove block `b` (its layer and its activation). */
export function removeBlock(layers, catalogue, b) {
  const block = blocks(layers, catalogue)[b];
  if (!block) return layers.slice();
  return [...layers.slice(0, block.start), ...layers.slice(block.end)];
}

/** Move block `b` one place up (delta -1) or down (+1), swapping it with its neighbouring block. */
export function moveBlock(layers, catalogue, b, delta) {
  const list = blocks(layers, catalogue);
  const other = b + delta;
  if (!list[b] || !list[other]) return layers.slice();
  const [first, second] = delta < 0 ? [list[other], list[b]] : [list[b], list[other]];
  const part = (blk) => layers.slice(blk.start, blk.end);
  return [...layers.slice(0, first.start), ...part(second), ...part(first), ...layers.slice(second.end)];
}

/** Block `b`'s activation becomes `type` (inserted or replaced), or is removed for '' / null. */
export function setActivation(layers, catalogue, b, type) {
  const block = blocks(layers, catalogue)[b];
  if (!block || !inFamily(catalogue, layers[block.start]?.type, 'affine')) return layers.slice();
  const activation = type ? [{ type }] : [];
  return [...layers.slice(0, block.start + 1), ...activation, ...layers.slice(block.end)];
}

/** Layer `index`'s integer `field` changed by `delta`, kept within the schema's minimum and maximum. */
export function stepField(layers, catalogue, index, field, delta) {
  const layer = layers[index];
  const prop = intProperty(catalogue.get(layer?.type), field);
  if (!prop) return layers.slice();
  const current = Number.isInteger(layer[field]) ? layer[field] : prop.default ?? prop.minimum ?? 1;
  return withField(layers, index, field, clamp(current + delta, prop));
}

/** Layer `index` with `field` set to `value` (a new list). */
export function withField(layers, index, field, value) {
  return layers.map((layer, i) => (i === index ? { ...layer, [field]: value } : layer));
}

function clamp(value, { minimum, maximum, exclusiveMinimum }) {
  let v = value;
  if (Number.isFinite(minimum)) v = Math.max(v, minimum);
  if (Number.isFinite(exclusiveMinimum)) v = Math.max(v, exclusiveMinimum + 1);
  if (Number.isFinite(maximum)) v = Math.min(v, maximum);
  return v;
}

/** A schema property's integer branch ({type: 'integer', minimum, maximum, default}), or null. */
export function intProperty(entry, field) {
  const prop = entry?.json_schema?.properties?.[field];
  if (!prop) return null;
  const branch = prop.type === 'integer' ? prop : (prop.anyOf || []).find((p) => p.type === 'integer');
  return branch ? { ...branch, default: prop.default } : null;
}

/** A schema property's real-number branch ({type: 'number', minimum, maximum, exclusiveMaximum, default}), or null. */
export function numberProperty(entry, field) {
  const prop = entry?.json_schema?.properties?.[field];
  if (!prop) return null;
  const branch = prop.type === 'number' ? prop : (prop.anyOf || []).find((p) => p.type === 'number');
  return branch ? { ...branch, default: prop.default } : null;
}

/** A schema property's named choices (its string enum, e.g. padding's ['same', 'valid']), or null. */
export function choiceOptions(entry, field) {
  const prop = entry?.json_schema?.properties?.[field];
  if (!prop) return null;
  const branch = Array.isArray(prop.enum) ? prop : (prop.anyOf || []).find((p) => Array.isArray(p.enum));
  return branch ? branch.enum : null;
}

const isSet = (layer, field) => layer?.[field] !== undefined && layer?.[field] !== null;

/** The schema's fields other than `type`. */
function fieldsOf(entry) {
  return Object.keys(entry?.json_schema?.properties || {}).filter((field) => field !== 'type');
}

/**
 * The integer fields the builder gives +/- controls for: those the type requires and those the
 * layer sets (a size inferred from the previous layer, default null, is shown only when set; a
 * padding set to "same" is shown too, with its choice).
 */
export function steppedFields(entry, layer) {
  const required = new Set(entry?.json_schema?.required || []);
  return fieldsOf(entry).filter((field) => intProperty(entry, field) && (required.has(field) || isSet(layer, field)));
}

/**
 * The real-number fields the builder gives an input for (dropout's p, leaky_relu's negative_slope):
 * those the layer sets, and a type's only field.
 */
export function valueFields(entry, layer) {
  const fields = fieldsOf(entry);
  return fields.filter((field) => numberProperty(entry, field) && (isSet(layer, field) || fields.length === 1));
}

/**
 * The fields with named choices only (no integer branch) the builder gives a menu for (an attention
 * layer's score, sequence_pool's mode): those the layer sets, and a type's only field.
 */
export function choiceFields(entry, layer) {
  const fields = fieldsOf(entry);
  return fields.filter((field) => choiceOptions(entry, field) && !intProperty(entry, field)
    && (isSet(layer, field) || fields.length === 1));
}

/**
 * A new layer of `type`, its required integer fields copied from the nearest layer of the same type
 * before `at` or else a small default (3 for a kernel, 16 for a size), clamped to the schema.
 */
export function newLayer(catalogue, type, layers, at) {
  const entry = catalogue.get(type);
  const layer = { type };
  const same = layers.slice(0, at).reverse().find((l) => l?.type === type);
  for (const field of entry?.json_schema?.required || []) {
    if (field === 'type' || !intProperty(entry, field)) continue;
    const guess = Number.isInteger(same?.[field]) ? same[field] : (field.includes('kernel') ? 3 : 16);
    layer[field] = clamp(guess, intProperty(entry, field));
  }
  return layer;
}

/**
 * Where "Add layer" inserts: before the last block when that block is an affine layer without an
 * activation (an MLP's or CNN's output layer, which should stay last), else at the end.
 */
export function insertIndex(layers, catalogue) {
  const list = blocks(layers, catalogue);
  const last = list[list.length - 1];
  if (last && !last.activation && inFamily(catalogue, layers[last.start]?.type, 'affine')) return last.start;
  return layers.length;
}

/**
 * `layers` with a new `type` layer at insertIndex. A new affine layer gets the activation of the
 * nearest block before it that has one (a new hidden layer like the others).
 */
export function addLayer(layers, catalogue, type) {
  const at = insertIndex(layers, catalogue);
  const added = [newLayer(catalogue, type, layers, at)];
  if (inFamily(catalogue, type, 'affine')) {
    const before = blocks(layers.slice(0, at), catalogue).reverse().find((blk) => blk.activation);
    if (before) added.push({ type: before.activation });
  }
  return [...layers.slice(0, at), ...added, ...layers.slice(at)];
}

// ---- the Neurons diagram as a builder (views/networkDiagram.js): hidden layers of a dense stack ----

/**
 * The hidden blocks as the Neurons diagram draws them (the server's probes/neurons.py hidden_blocks):
 * one per dense layer (family "dense") but the last, running to the layer before the next dense one.
 * @returns {{start: number, end: number, at: number, units: number|null, activation: string|null}[]} end
 *   exclusive; at: the layer whose outputs are the units (the block's last activation, else the dense
 *   layer); units: the dense layer's out_features; activation: the type of layer `at` when an activation
 */
export function hiddenLayers(layers, catalogue) {
  const dense = (layers || []).flatMap((layer, i) => (inFamily(catalogue, layer?.type, 'dense') ? [i] : []));
  return dense.slice(0, -1).map((start, k) => {
    const end = dense[k + 1];
    const acts = layers.slice(start + 1, end).flatMap((l, i) => (inFamily(catalogue, l?.type, 'activation') ? [start + 1 + i] : []));
    const units = layers[start].out_features;
    const at = acts.length ? acts.at(-1) : start; // the layer whose output the units are (the frame's layer index)
    return { start, end, at, units: Number.isInteger(units) ? units : null, activation: acts.length ? layers[at].type : null };
  });
}

/** The output layer's width (the last dense layer's out_features), or null without one. */
export function outputUnits(layers, catalogue) {
  const last = (layers || []).findLast((layer) => inFamily(catalogue, layer?.type, 'dense'));
  return Number.isInteger(last?.out_features) ? last.out_features : null;
}

/** A hidden layer added after the last one (Add layer of its type: its width and activation copied). */
export function addHiddenLayer(layers, catalogue) {
  const last = (layers || []).findLast((layer) => inFamily(catalogue, layer?.type, 'dense'));
  return last ? addLayer(layers, catalogue, last.type) : layers.slice();
}

/** The last hidden block removed (its dense layer and the layers up to the next dense one). */
export function removeHiddenLayer(layers, catalogue) {
  const block = hiddenLayers(layers, catalogue).at(-1);
  return block ? [...layers.slice(0, block.start), ...layers.slice(block.end)] : layers.slice();
}
