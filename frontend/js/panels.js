// The panel registry: one entry per panel the server can stream (backend/nnplay/probes/registry.py
// names them; a job's `panels` list, in its validation summary and its record, says which it streams).
// An entry gives its views (constructor, the message types each draws: LATEST, only the newest of a
// batch counts, `render(msg)`; ALL, every message does, `push(msg)` then `flush()`; its placeholders),
// and its tab (label, tooltip, hint, order, the pane's elements where index.html has none). Everything
// else is derived from here: the views and their routes (main.js, the dispatcher in
// controllers/stream.js), the tab buttons and panes (views/tabs.js), which tabs show for a job
// (`panelLayout`), the views' resets (controllers/inside.js). Nothing else lists message types or tabs.
//
// A new panel: its view module (reset(placeholder), render or push + flush), its import and ONE entry
// below (in the server registry's order), and its message types in protocol.js (the parity test asks).

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
import { createWeights } from './views/weights.js';

import { afterPaint } from './views/plotTheme.js';
import { mapsPlaceholder } from './specRules.js';

export const LATEST = 'latest';
export const ALL = 'all';

/** What the Representations tab says with no word2vec or autoencoder job (its view is built by main.js). */
export const REPR_PLACEHOLDER = 'Word vectors (word2vec jobs on a word corpus) and autoencoder codes (dataset.target “input”) appear here while they train.';

/** Message types that belong to no panel: the job's own life, handled by the jobs wiring. */
export const NON_VISUAL = Object.freeze(['status', 'settings', 'data_info']);

/**
 * One entry per server panel, in the order of the server's registry (backend/nnplay/probes/registry.py).
 *
 * `views`: view key -> {make, messages, placeholder, idle, waiting}: `make($)` builds the view from the
 * page (`$`: id -> element; absent: the view is built elsewhere and only used here, e.g. `repr`);
 * `messages`: type -> LATEST (the view's `render(msg)` gets the newest of a batch) or ALL (`push(msg)`
 * for each, then `flush()`); `placeholder`: what the view says before any job, handed to `reset`
 * (absent: main.js or the inside controller resets it, its reset taking more than a text);
 * `idle`: what it says when a job is closed (default `placeholder`); `waiting(ctx)`: what it says when
 * a job is opened, ctx = {spec, streams (the job's panels, a Set), waiting (the spec's
 * "waiting for the first probe" text)} (default ctx.waiting); `pane`: null for a view outside the tabs
 * (always on screen; default: the entry's tab).
 *
 * `tab`: the tab the panel draws in, a key, or the tab itself where this panel defines it:
 * {key, order (left to right), label, title (the button's tooltip), hint (the line beside the tabs),
 * always (shown whatever the job streams), hidden (hidden before the first layout), fallback (rank
 * among the tabs selected when the selected one is hidden), select (selected when a job streaming
 * this panel is opened), pane (where the pane is not in index.html: {parts: [[id, className]...] its
 * elements, caption: [id, text]})}. `box`/`parts`: the element ids shown in the "inside" tab when it streams.
 */
const ENTRIES = [
  {
    name: 'metrics',
    tab: {
      key: 'likelihood', order: 50, always: true, label: 'MLE vs MAP',
      title: 'The objective split into the data term (likelihood) and the prior terms (weight decay, L1)',
      hint: 'data term (likelihood) and prior terms (weight decay = Gaussian, L1 = Laplace)',
    },
    views: {
      loss: { make: ($) => createLossChart($('loss-chart')), messages: { metrics: ALL }, pane: null },
      accuracy: { make: ($) => createAccuracyChart($('accuracy-chart')), messages: { metrics: ALL }, pane: null },
      likelihood: { make: ($) => createLikelihoodChart($('likelihood-chart')), messages: { metrics: ALL } },
    },
  },
  {
    name: 'gradients',
    tab: {
      key: 'gradients', order: 30, always: true, fallback: 6, label: 'Gradient flow',
      title: 'How much gradient reaches each layer, step by step', hint: 'how much of the loss gradient reaches each layer',
    },
    views: {
      gradients: {
        make: ($) => createGradientFlow($('gradient-flow')), messages: { gradients: ALL },
        placeholder: 'Press ▶ Play: each layer’s gradient norm is drawn here, step by step.',
        waiting: (ctx) => (ctx.streams.has('gradients') ? 'Waiting for the first steps…'
          : 'This job streams no per-layer gradients (a word2vec job, or a network with no trainable layer).'),
      },
    },
  },
  {
    name: 'activations',
    tab: {
      key: 'activations', order: 40, hidden: true, label: 'Activations',
      title: 'Each activation and its derivative; saturated and dead units per layer',
      hint: 'each activation and its derivative; the share of saturated or dead units per layer',
      pane: {
        parts: [['activation-curves', 'act-curves'], ['saturation-plot', 'plot act-plot-heat']],
        caption: ['saturation-caption', 'Solid: f(x); dashed: f′(x) (torch autograd); grey band: where |f′| is under 5% of '
          + 'its maximum: a unit there is saturated and passes almost no gradient back. σ′ = σ(1 − σ) ≤ ¼, tanh′ = 1 − tanh² ≤ 1. '
          + 'Heatmap: per layer, the share of the probe examples’ (the first 128 test examples) units saturated (sigmoid, '
          + 'tanh, gelu) or dead (relu: zero on every probe example). Compare with the Gradient flow tab: the gradient fades '
          + 'in the layers below saturated ones.'],
      },
    },
    views: {
      activations: {
        make: ($, placeholder) => createActivations({
          curvesEl: $('activation-curves'), heatmapEl: $('saturation-plot'), placeholder,
        }),
        messages: { activation_curves: LATEST, saturation: ALL },
        placeholder: 'Press ▶ Play: each activation layer’s share of saturated (sigmoid, tanh) or dead (relu) units is drawn at every probe.',
      },
    },
  },
  {
    name: 'latent_codes',
    tab: {
      key: 'repr', order: 80, fallback: 3, label: 'Representations',
      title: 'Learned representations: word vectors (word2vec) or an autoencoder\'s codes',
      hint: 'what the network learned to represent: word vectors or an autoencoder’s codes',
    },
    views: { repr: { messages: { latent_codes: ALL, reconstructions: LATEST } } },
  },
  {
    name: 'feature_maps', box: 'fm-box',
    tab: {
      key: 'inside', order: 10, fallback: 4, label: 'Feature maps',
      title: 'Feature maps for image data, the decision boundary for 2-D data',
    },
    views: {
      maps: {
        make: ($, placeholder) => createFeatureMaps($('feature-maps'), { placeholder }),
        messages: { feature_maps: LATEST },
        placeholder: 'Feature maps of conv/pool layers appear here while an image network trains.',
        waiting: ({ spec }) => mapsPlaceholder(spec),
      },
    },
  },
  {
    name: 'decision_boundary', tab: 'inside', box: 'boundary-box',
    views: {
      boundary: {
        make: ($, placeholder) => createDecisionBoundary($('decision-boundary'), { placeholder }),
        messages: { data_points: LATEST, decision_boundary: LATEST },
        placeholder: 'Press ▶ Play: the decision boundary over the input plane is drawn here as the network learns.',
      },
    },
  },
  {
    name: 'neuron_maps',
    tab: {
      key: 'neurons', order: 20, hidden: true, fallback: 5, label: 'Neurons',
      title: 'Every hidden unit over the input plane, in the network diagram',
      hint: 'each hidden unit over the input plane; click one to see it large',
    },
    views: {
      neurons: {
        make: ($, placeholder) => createNetworkDiagram({
          diagramEl: $('network-diagram'), detailEl: $('neuron-detail'), legendEl: $('neuron-legend'), placeholder,
        }),
        messages: { neuron_maps: LATEST },
        placeholder: 'Press ▶ Play: every hidden unit of the MLP is drawn over the input plane as the network learns.',
      },
    },
  },
  {
    name: 'attention',
    tab: {
      key: 'attention', order: 60, fallback: 2, select: true, label: 'Attention',
      title: 'What each self-attention head attends to, snapshot by snapshot',
      hint: 'what each self-attention head looks at, for one probe sequence',
    },
    views: {
      attention: {
        make: ($, placeholder) => createAttention({
          plotEl: $('attention-plot'), controlsEl: $('attention-controls'), ioEl: $('attention-io'), placeholder,
        }),
        messages: { attention: ALL },
        placeholder: 'Attention heatmaps appear here while a network with self_attention or transformer_encoder layers trains.',
        waiting: (ctx) => (ctx.streams.has('attention') ? ctx.waiting
          : 'This network has no self_attention or transformer_encoder layer: no attention to show.'),
      },
    },
  },
  {
    name: 'cross_attention',
    tab: {
      key: 'cross', order: 70, hidden: true, fallback: 1, select: true, label: 'Cross attention',
      title: 'Encoder-decoder attention: each target character over the source, and the three stages for one',
      hint: 'where each target character looks in the source: the alignment, and the three stages',
    },
    views: {
      cross: {
        make: ($, placeholder) => createAttention({
          plotEl: $('cross-plot'), controlsEl: $('cross-controls'), ioEl: $('cross-io'), stagesEl: $('cross-stages'),
          prefix: 'cross', placeholder,
        }),
        messages: { cross_attention: ALL },
        placeholder: 'Cross attention appears here while a network with a cross_attention layer trains.',
        waiting: (ctx) => (ctx.streams.has('cross_attention') ? ctx.waiting
          : 'Cross attention appears here while a network with a cross_attention layer trains.'),
      },
    },
  },
  {
    name: 'gates', tab: 'inside', box: 'seq-box', parts: ['gates', 'gates-caption', 'time-gradients', 'time-gradients-caption'],
    views: {
      gates: {
        make: ($, placeholder) => createGates($('gates'), { placeholder }),
        messages: { gates: LATEST },
        placeholder: 'Press ▶ Play: the gates of every recurrent layer are drawn here for the probe sequence as the network learns.',
        idle: 'Press ▶ Play to watch the gates.',
      },
      timeGradients: {
        make: ($, placeholder) => createTimeGradients($('time-gradients'), { placeholder }),
        messages: { time_gradients: ALL },
        placeholder: 'Gradients through time appear at every probe.',
        idle: 'Press ▶ Play to watch the gates.',
      },
    },
  },
  {
    name: 'forecast', tab: 'inside', box: 'seq-box', parts: ['forecast'],
    views: {
      forecast: {
        make: ($, placeholder) => createForecast($('forecast'), { placeholder }),
        messages: { forecast: LATEST },
        placeholder: 'The forecast over the test range is drawn at every probe.',
        idle: 'Press ▶ Play to watch the gates.',
      },
    },
  },
  {
    name: 'text_sample', tab: 'inside', box: 'seq-box', parts: ['text-samples'],
    views: {
      samples: {
        make: ($, placeholder) => createTextSamples($('text-samples'), { placeholder }),
        messages: { text_sample: ALL },
        placeholder: 'Generated text appears at every probe.',
        idle: 'Press ▶ Play to watch the gates.',
      },
    },
  },
  {
    // Active learning draws on the decision boundary: the labelled pool points ringed, the next queries starred.
    name: 'active_learning', tab: null,
    views: { boundary: { messages: { active_round: LATEST } } },
  },
  {
    name: 'embedding_projection', tab: 'repr',
    views: { repr: { messages: { embedding_projection: LATEST } } },
  },
  {
    name: 'weights',
    tab: {
      key: 'weights', order: 45, hidden: true, label: 'Weights',
      title: 'The weights themselves: each layer’s histogram now and at initialisation; a linear layer on images as pictures',
      hint: 'weights now (bars) and at initialisation (grey)',
      pane: {
        parts: [['weight-templates', 'wt-templates'], ['weight-histograms', 'wt-histograms']],
        caption: ['weights-caption', 'Bars: the density of the layer’s weights (biases left out) now; grey line: at the first '
          + 'probe, the initialisation. Weight decay pulls them towards 0; a layer whose histogram never moves is not learning. '
          + 'Pictures: a linear layer reading the pixels, each unit’s weight on every pixel: the unit’s output is the '
          + 'image times this picture, summed, plus its bias, so red pixels raise it and blue ones lower it.'],
      },
    },
    views: {
      weights: {
        make: ($, placeholder) => createWeights({
          templatesEl: $('weight-templates'), histogramsEl: $('weight-histograms'), placeholder,
        }),
        messages: { weights: LATEST },
        placeholder: 'Press ▶ Play: a histogram of each layer’s weights is drawn at every probe, over the initial one.',
      },
    },
  },
];

/** The registry, each entry with `tab` as its key and `messages` (type -> mode) over its views. */
export const PANELS = Object.freeze(ENTRIES.map((entry) => Object.freeze({
  ...entry,
  tab: entry.tab?.key ?? entry.tab ?? null,
  messages: Object.assign({}, ...Object.values(entry.views).map((v) => v.messages)),
})));

/** The tabs, left to right: those the panels define (see ENTRIES' `tab`). */
export const TABS = Object.freeze(ENTRIES.map((e) => e.tab).filter((t) => t && typeof t === 'object')
  .sort((a, b) => a.order - b.order));

/** When the selected tab is hidden, the first shown of these is selected instead. */
export const TAB_FALLBACK = Object.freeze(TABS.filter((t) => t.fallback).sort((a, b) => a.fallback - b.fallback)
  .map((t) => t.key));

/** Every view the registry resets with a text: [key, {placeholder, idle, waiting}], in registry order. */
export const RESETS = Object.freeze(ENTRIES.flatMap((e) => Object.entries(e.views))
  .filter(([, v]) => v.placeholder !== undefined)
  .map(([key, v]) => [key, Object.freeze({
    placeholder: v.placeholder, idle: v.idle ?? v.placeholder, waiting: v.waiting ?? ((ctx) => ctx.waiting),
  })]));

/** Each view's placeholder text by key, and the Representations tab's. */
export const PLACEHOLDERS = Object.freeze({
  ...Object.fromEntries(RESETS.map(([key, r]) => [key, r.placeholder])), repr: REPR_PLACEHOLDER,
});

/** Every message type a panel draws. */
export function panelMessageTypes() {
  return PANELS.flatMap((p) => Object.keys(p.messages));
}

/** Build every panel's views: view key -> view. */
export function createPanelViews($) {
  const views = {};
  for (const entry of ENTRIES) {
    for (const [key, v] of Object.entries(entry.views)) if (v.make) views[key] = v.make($, v.placeholder);
  }
  return views;
}

/**
 * The dispatcher's routes for the panels, in registry order: one per (message type, view), handing
 * the view (from `views`, every view by key) the newest message (LATEST: `render(msg)`) or each of
 * them (ALL: `push(msg)`, then `flush()`).
 *
 * The curves draw first: views outside the tabs (`pane: null`: loss, accuracy) draw at once; the
 * views of the selected tab (`shown(tab)`) after the next paint (`later`), so the curves are on
 * screen before a heavy picture (a boundary over 2,000 points) is drawn; the views behind other tabs
 * after the paint after that. The messages are pushed at once; only the drawing waits: a view's
 * newest LATEST frame, or its ALL flush. Hidden panes still draw, so a tab opens drawn. A deferred
 * frame never draws over a newer one, and a deferred frame of a job no longer on screen (`current()`)
 * is dropped.
 */
export function panelRoutes(views, { shown = () => true, later = afterPaint, current = () => undefined } = {}) {
  // [the selected tab's deferred draws, the hidden tabs'], by `${view}:${type}`; drawn after 1 and 2 paints
  const queues = [1, 2].map((paints) => ({ pending: new Map(), scheduled: false, paints }));
  const afterPaints = (n, fn) => later(n > 1 ? () => afterPaints(n - 1, fn) : fn);

  function defer(rank, id, draw) {
    queues[1 - rank].pending.delete(id); // (its tab was selected or left since)
    const queue = queues[rank];
    queue.pending.set(id, draw); // a newer frame replaces the one waiting
    if (queue.scheduled) return;
    queue.scheduled = true;
    afterPaints(queue.paints, () => {
      queue.scheduled = false;
      const draws = [...queue.pending.values()];
      queue.pending.clear();
      for (const fn of draws) fn();
    });
  }

  function now(id, draw) {
    for (const queue of queues) queue.pending.delete(id); // an older deferred frame must not draw over this one
    draw();
  }

  return ENTRIES.flatMap((entry) => Object.entries(entry.views).flatMap(([key, v]) => {
    const tab = v.pane !== undefined ? v.pane : entry.tab?.key ?? entry.tab ?? null;
    const route = (id, draw) => (tab === null ? now(id, draw) : defer(shown(tab) ? 0 : 1, id, draw));
    return Object.entries(v.messages).map(([type, mode]) => {
      const id = `${key}:${type}`;
      const handle = mode === LATEST ? (msg) => route(id, () => {
        if (current() === undefined || msg.job_id === current()) views[key].render(msg);
      }) : (list) => {
        const view = views[key];
        for (const msg of list) view.push(msg);
        route(id, () => view.flush());
      };
      return { type, mode, view: key, handle };
    });
  }));
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
  const tabs = {};
  for (const tab of TABS.filter((t) => !t.always)) {
    tabs[tab.key] = tab.key === 'inside' && (panels === null || panels === undefined)
      || PANELS.some((p) => p.tab === tab.key && on.has(p.name));
  }
  return { tabs, box, boxes: BOXES, parts, inside: label };
}
