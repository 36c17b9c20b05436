// The spec rules that remain on the page, DOM-free: what a data-set change does to a layer network
// (output count, loss, word2vec), how specs compare with the presets, and the texts that follow from
// a spec (input shape, captions, placeholders). `infoOf(name)` looks a data set up (default: the
// store's list, state.js); tests hand their own.

import { clone, datasetInfo, tidySpec, withPath } from './state.js';

const IMAGE_LAYERS = new Set(['conv2d', 'maxpool2d', 'avgpool2d', 'batchnorm2d', 'local_response_norm']);
const SEQUENCE_LAYERS = new Set(['embedding', 'rnn', 'lstm', 'gru', 'positional_encoding', 'self_attention',
  'transformer_encoder', 'sequence_pool', 'cross_attention']);
const ATTENTION_TYPES = new Set(['self_attention', 'transformer_encoder']);

/** 'words' for a word2vec job, 'latent' for an autoencoder (the input as target), else null. */
export function reprMode(spec) {
  if (spec?.network?.type === 'word2vec') return 'words';
  return spec?.dataset?.target === 'input' ? 'latent' : null;
}

/** The layer list of a spec's network ([] for word2vec or an unreadable spec). */
export function layersOf(spec) {
  return Array.isArray(spec?.network?.layers) ? spec.network.layers : [];
}

/** The output counts the server accepts from a network on data set `info` with `loss`, as
 * spec/network.py checks them: 1 for regression; the number of classes for classification (or 1
 * for a 2-class set with `bce_with_logits`). Null for sets with per-step or series targets. */
export function allowedOutputs(info, loss) {
  if (!info || info.target_shape?.length) return null;
  if (info.task === 'regression') return [1];
  const n = info.classes?.length;
  if (info.task !== 'classification' || !n) return null;
  return loss === 'bce_with_logits' && n === 2 ? [n, 1] : [n];
}

/** Whether a layer network can take data set `info`'s examples: no sequence layers, and image
 * layers only on images. */
export function fitsInput(layers, info) {
  if (layers.some((l) => SEQUENCE_LAYERS.has(l?.type))) return false;
  return !layers.some((l) => IMAGE_LAYERS.has(l?.type)) || info?.input_shape?.length === 3;
}

/** A new data set for a layer network whose last `linear` gave the old data set's output count
 * (its classes, or 1 for regression): that layer's `out_features` becomes the new set's count.
 * Anything else is left to the server's validation message. */
export function forOutputs(before, spec, infoOf = datasetInfo) {
  const layers = layersOf(spec);
  const last = layers.length - 1;
  const info = infoOf(spec?.dataset?.name);
  if (last < 0 || layers[last]?.type !== 'linear' || !fitsInput(layers, info)) return spec;
  const loss = spec.training?.loss ?? 'cross_entropy';
  const was = allowedOutputs(infoOf(before?.dataset?.name), before?.training?.loss ?? loss);
  const now = allowedOutputs(info, loss);
  const out = layers[last].out_features;
  if (!was || !now || !was.includes(out) || now.includes(out)) return spec;
  return withPath(spec, ['network', 'layers', last, 'out_features'], now[0]);
}

/** One line saying how a data-set change set the output layer's size, or ''. */
export function outputsNote(before, spec, infoOf = datasetInfo) {
  const old = layersOf(before);
  const layers = layersOf(spec);
  const last = layers.length - 1;
  if (last < 0 || old.length !== layers.length || layers[last]?.type !== 'linear') return '';
  const [from, to] = [old[last]?.out_features, layers[last].out_features];
  if (from === to || from === undefined) return '';
  const info = infoOf(spec.dataset?.name);
  const what = info?.task === 'regression' ? 'one target value' : `${info?.classes?.length} classes`;
  return `Changed layers[${last}].out_features from ${from} to ${to}: “${spec.dataset.name}” has ${what}.`;
}

/** Choosing a word corpus for a layer network: the network and training of the first word2vec preset
 * (a corpus trains word2vec only), on the chosen corpus. */
export function forCorpus(spec, presets, infoOf = datasetInfo) {
  if (infoOf(spec?.dataset?.name)?.kind !== 'corpus' || spec?.network?.type === 'word2vec') return spec;
  const preset = presets.find((p) => p.spec?.network?.type === 'word2vec');
  if (!preset) return spec;
  return { ...clone(preset.spec), name: `word2vec on ${spec.dataset.name}`, dataset: { name: spec.dataset.name } };
}

/** Choosing a regression set: the loss becomes `mse` and a final linear layer gets 1 output. */
export function forRegression(spec, infoOf = datasetInfo) {
  if (infoOf(spec?.dataset?.name)?.task !== 'regression') return spec;
  let out = withPath(spec, ['training', 'loss'], 'mse');
  const layers = out.network?.layers;
  const last = Array.isArray(layers) ? layers.length - 1 : -1;
  if (last >= 0 && layers[last]?.type === 'linear') out = withPath(out, ['network', 'layers', last, 'out_features'], 1);
  return out;
}

/** A spec as compared with the presets: tidied, without its name, object keys sorted. */
export function specKey(spec) {
  const sorted = (v) => (Array.isArray(v) ? v.map(sorted)
    : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])])) : v);
  const rest = { ...tidySpec(clone(spec)) };
  delete rest.name;
  return JSON.stringify(sorted(rest));
}

/** The input shape `spec` gives the data set: its `seq_len` or `window`, where it sets one, is the
 * number of steps (the first dimension); otherwise the data set's default shape. */
export function specInputShape(info, spec) {
  const shape = [...(info.input_shape || [])];
  for (const option of ['seq_len', 'window']) {
    const steps = spec?.dataset?.[option];
    if (info.params?.includes(option) && Number.isInteger(steps) && steps > 0 && shape.length) shape[0] = steps;
  }
  return shape;
}

/** The attention caption for `spec`: how to read a row, and what a good head draws on this data set. */
export function attentionCaption(spec, infoOf = datasetInfo) {
  const info = infoOf(spec?.dataset?.name);
  const causal = layersOf(spec).some((l) => ATTENTION_TYPES.has(l?.type) && l.causal);
  const rows = 'Each row: how one query token splits its attention over the keys (sums to 1).';
  const what = {
    reverse: 'Reversing digits, a good head draws the anti-diagonal: output i looks at input T−1−i.',
    sort: 'Sorting digits, each output position looks for the digit of its rank, wherever it stands: no fixed diagonal.',
    copy: 'Copying, a good head draws the diagonal: each position looks at its own input.',
  }[info?.name];
  if (what) return `${rows} ${what}`;
  if (info?.task === 'language_modeling' || causal) {
    return `${rows} A causal model predicts the next character: heads only look back (on or below the diagonal), often at the previous character.`;
  }
  if (info?.task === 'classification') {
    return `${rows} Classifying a line: tokens look anywhere in it; the class comes from the pooled line (its <cls> token or the mean).`;
  }
  return `${rows} A causal head stays on or below the diagonal.`;
}

/** What the feature-map panel says until the job's first probe arrives (or if none will). */
export function mapsPlaceholder(spec, infoOf = datasetInfo) {
  const info = infoOf(spec?.dataset?.name);
  const layers = layersOf(spec);
  if (info && info.kind !== 'image') {
    return `Feature maps are drawn for image data sets such as digits, decision boundaries for 2-D sets such as spiral; “${info.name}” is ${info.kind} data.`;
  }
  if (!layers.some((l) => /^(conv2d|maxpool2d|avgpool2d)$/.test(l?.type))) {
    return 'This network has no conv/pool layers; feature maps show the channels of conv2d, maxpool2d and avgpool2d layers.';
  }
  return waitingForProbe(spec);
}

/** The placeholder of a probe view before its first snapshot: the spec's cadence in steps, or auto. */
export function waitingForProbe(spec) {
  const every = spec?.training?.probe_every;
  return every ? `Waiting for the first probe (every ${every} steps)…` : 'Waiting for the first probe…';
}
