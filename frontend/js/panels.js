// The panel registry: one entry per panel the server can stream (backend/nnplay/probes/registry.py
// names them; a job's `panels` list, in its validation summary and its record, says which it streams).
// An entry gives the message types it draws (LATEST: only the newest of a batch counts; ALL: every
// message does), its views' constructors, how each message type reaches them, its tab and its
// placeholder. main.js builds the views and their routes from here (the dispatcher is in controllers/stream.js);
// nothing else lists message types.

import { createAccuracyChart } from './views/accuracyChart.js';
import { createActivations } from './views/activations.js';
import { createAttention } from './views/attention.js';
import { createDecisionBoundary } from './views/decisionBoundary.js';
import { createFeatureMaps } from './views/featureMaps.js';
import { createForecast } from './views/forecast.js';
import { createGates } from './views/gates.js';
import { createGradientFlow } from './views/gradientFlow.js';
import { createLikelihoodChart } from './views/likelihoodChart.js';
import { createLossChart } from './views/lossChart.js';
import { createNetworkDiagram } from './views/networkDiagram.js';
import { createTextSamples } from './views/textSamples.js';
import { createTimeGradients } from './views/timeGradients.js';

export const LATEST = 'latest';
export const ALL = 'all';

export const PLACEHOLDERS = Object.freeze({
  maps: 'Feature maps of conv/pool layers appear here while an image network trains.',
  boundary: 'Press Train: the decision boundary over the input plane is drawn here as the network learns.',
  neurons: 'Press Train: every hidden unit of the MLP is drawn over the input plane as the network learns.',
  gradients: 'Press Train: each layer’s gradient norm is drawn here, step by step.',
  gates: 'Press Train: the gates of every recurrent layer are drawn here for the probe sequence as the network learns.',
  attention: 'Attention heatmaps appear here while a network with self_attention or transformer_encoder layers trains.',
  cross: 'Cross attention appears here while a network with a cross_attention layer trains.',
  repr: 'Word vectors (word2vec jobs on a word corpus) and autoencoder codes (dataset.target “input”) appear here while they train.',
  forecast: 'The forecast over the test range is drawn at every probe.',
  samples: 'Generated text appears at every probe.',
  timeGradients: 'Gradients through time appear at every probe.',
  activations: 'Press Train: each activation layer’s share of saturated (sigmoid, tanh) or dead (relu) units is drawn at every probe.',
});

/** Message types that belong to no panel: the job's own life, handled by the jobs wiring. */
export const NON_VISUAL = Object.freeze(['status', 'settings', 'data_info']);

/**
 * One entry per server panel. `views`: view key -> constructor taking `$` (id -> element);
 * `messages`: type -> LATEST | ALL; `handle`: type -> (views, message or messages) => void;
 * `tab`: the tab it draws in; `box`/`parts`: the element ids shown in the "inside" tab when it streams.
 * The `repr` view (word vectors, autoencoder codes) is built by main.js (it calls the API), so its
 * two panels name it in `uses` and are handed it.
 */
export const PANELS = Object.freeze([
  {
    name: 'metrics', tab: null,
    views: {
      loss: ($) => createLossChart($('loss-chart')),
      accuracy: ($) => createAccuracyChart($('accuracy-chart')),
      likelihood: ($) => createLikelihoodChart($('likelihood-chart')),
    },
    messages: { metrics: ALL },
    handle: {
      metrics: (v, list) => {
        for (const msg of list) {
          v.loss.push(msg); // buffered: drawn by the flushes below
          v.accuracy.push(msg);
          v.likelihood.push(msg);
        }
        v.loss.flush();
        v.likelihood.flush();
        v.accuracy.flush();
      },
    },
  },
  {
    name: 'gradients', tab: 'gradients',
    views: { gradients: ($) => createGradientFlow($('gradient-flow')) },
    messages: { gradients: ALL },
    handle: { gradients: (v, list) => v.gradients.pushAll(list) },
  },
  {
    name: 'activations', tab: 'activations',
    views: {
      activations: ($) => createActivations({
        curvesEl: $('activation-curves'), heatmapEl: $('saturation-plot'), placeholder: PLACEHOLDERS.activations,
      }),
    },
    messages: { activation_curves: LATEST, saturation: ALL },
    handle: {
      activation_curves: (v, msg) => v.activations.setCurves(msg),
      saturation: (v, list) => v.activations.pushAll(list),
    },
  },
  {
    name: 'latent_codes', tab: 'repr', uses: ['repr'],
    messages: { latent_codes: ALL, reconstructions: LATEST },
    handle: {
      latent_codes: (v, list) => v.repr.codes(list),
      reconstructions: (v, msg) => v.repr.reconstructions(msg),
    },
  },
  {
    name: 'feature_maps', tab: 'inside', box: 'fm-box',
    views: { maps: ($) => createFeatureMaps($('feature-maps'), { placeholder: PLACEHOLDERS.maps }) },
    messages: { feature_maps: LATEST },
    handle: { feature_maps: (v, msg) => v.maps.render(msg) },
  },
  {
    name: 'decision_boundary', tab: 'inside', box: 'boundary-box',
    views: { boundary: ($) => createDecisionBoundary($('decision-boundary'), { placeholder: PLACEHOLDERS.boundary }) },
    messages: { data_points: LATEST, decision_boundary: LATEST },
    handle: {
      data_points: (v, msg) => v.boundary.setPoints(msg),
      decision_boundary: (v, msg) => v.boundary.render(msg),
    },
  },
  {
    name: 'neuron_maps', tab: 'neurons',
    views: {
      neurons: ($) => createNetworkDiagram({
        diagramEl: $('network-diagram'), detailEl: $('neuron-detail'), legendEl: $('neuron-legend'),
        placeholder: PLACEHOLDERS.neurons,
      }),
    },
    messages: { neuron_maps: LATEST },
    handle: { neuron_maps: (v, msg) => v.neurons.render(msg) },
  },
  {
    name: 'attention', tab: 'attention',
    views: {
      attention: ($) => createAttention({
        plotEl: $('attention-plot'), controlsEl: $('attention-controls'), ioEl: $('attention-io'),
        placeholder: PLACEHOLDERS.attention,
      }),
    },
    messages: { attention: ALL },
    handle: { attention: (v, list) => v.attention.pushAll(list) },
  },
  {
    name: 'cross_attention', tab: 'cross',
    views: {
      cross: ($) => createAttention({
        plotEl: $('cross-plot'), controlsEl: $('cross-controls'), ioEl: $('cross-io'), stagesEl: $('cross-stages'),
        prefix: 'cross', placeholder: PLACEHOLDERS.cross,
      }),
    },
    messages: { cross_attention: ALL },
    handle: { cross_attention: (v, list) => v.cross.pushAll(list) },
  },
  {
    name: 'gates', tab: 'inside', box: 'seq-box', parts: ['gates', 'gates-caption', 'time-gradients', 'time-gradients-caption'],
    views: {
      gates: ($) => createGates($('gates'), { placeholder: PLACEHOLDERS.gates }),
      timeGradients: ($) => createTimeGradients($('time-gradients'), { placeholder: PLACEHOLDERS.timeGradients }),
    },
    messages: { gates: LATEST, time_gradients: ALL },
    handle: {
      gates: (v, msg) => v.gates.render(msg),
      time_gradients: (v, list) => v.timeGradients.pushAll(list),
    },
  },
  {
    name: 'forecast', tab: 'inside', box: 'seq-box', parts: ['forecast'],
    views: { forecast: ($) => createForecast($('forecast'), { placeholder: PLACEHOLDERS.forecast }) },
    messages: { forecast: LATEST },
    handle: { forecast: (v, msg) => v.forecast.render(msg) },
  },
  {
    name: 'text_sample', tab: 'inside', box: 'seq-box', parts: ['text-samples'],
    views: { samples: ($) => createTextSamples($('text-samples'), { placeholder: PLACEHOLDERS.samples }) },
    messages: { text_sample: ALL },
    handle: { text_sample: (v, list) => v.samples.pushAll(list) },
  },
  {
    // Active learning draws on the decision boundary: the labelled pool points ringed, the next queries starred.
    name: 'active_learning', tab: null,
    messages: { active_round: LATEST },
    handle: { active_round: (v, msg) => v.boundary.markActive(msg) },
  },
  {
    name: 'embedding_projection', tab: 'repr', uses: ['repr'],
    messages: { embedding_projection: LATEST },
    handle: { embedding_projection: (v, msg) => v.repr.projection(msg) },
  },
]);

/** Every message type a panel draws. */
export function panelMessageTypes() {
  return PANELS.flatMap((p) => Object.keys(p.messages));
}

/** Build every panel's views: view key -> view. */
export function createPanelViews($) {
  const views = {};
  for (const panel of PANELS) {
    for (const [key, make] of Object.entries(panel.views || {})) views[key] = make($);
  }
  return views;
}

/**
 * The dispatcher's routes for the panels, in registry order: one per message type, handing the
 * panel's views (`views`, every view by key) the newest message (LATEST) or all of them (ALL).
 */
export function panelRoutes(views) {
  return PANELS.flatMap((panel) => Object.entries(panel.messages).map(([type, mode]) => ({
    type, mode, handle: (payload) => panel.handle[type](views, payload),
  })));
}

const SEQUENCE_PANELS = ['gates', 'forecast', 'text_sample'];
const BOXES = ['fm-box', 'boundary-box', 'seq-box'];

/**
 * What the tabs show for a job streaming `panels` (null: not known yet, nothing is hidden but the
 * panels that need a stream). Returns `tabs` (tab key -> shown; tabs absent here are always shown),
 * `box` (the element id shown in the "inside" tab), `parts` (element id -> shown, in the sequence box)
 * and `inside` (which label the "inside" tab takes: 'image', 'boundary', 'sequence' or 'forecast').
 */
export function panelLayout(panels) {
  const on = new Set(panels || []);
  const inside = PANELS.filter((p) => p.tab === 'inside' && on.has(p.name));
  const box = inside[0]?.box ?? 'fm-box';
  const parts = {};
  for (const p of PANELS) for (const id of p.parts || []) parts[id] = on.has(p.name);
  const seq = SEQUENCE_PANELS.filter((name) => on.has(name));
  let label = box === 'boundary-box' ? 'boundary' : 'image';
  if (box === 'seq-box') label = seq.length === 1 && seq[0] === 'forecast' ? 'forecast' : 'sequence';
  const tabs = {
    inside: panels === null || panels === undefined || inside.length > 0,
    neurons: on.has('neuron_maps'),
    attention: on.has('attention'),
    cross: on.has('cross_attention'),
    activations: on.has('activations'),
    repr: on.has('latent_codes') || on.has('embedding_projection'),
  };
  return { tabs, box, boxes: BOXES, parts, inside: label };
}
