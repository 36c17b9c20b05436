// The websocket vocabulary shared with the backend (backend/nnplay/protocol.py).
// Every message: {"v": 1, "type": ..., "job_id": ..., "seq": n, "step": s, ...}.

export const PROTOCOL_VERSION = 1;

export const MSG = Object.freeze({
  STATUS: 'status',
  METRICS: 'metrics',
  FEATURE_MAPS: 'feature_maps',
  DATA_POINTS: 'data_points', // once, before training, on 1-D/2-D data sets (task: classification | regression)
  DATA_INFO: 'data_info', // once, before training: split sizes and missing values
  DECISION_BOUNDARY: 'decision_boundary', // every probe step: class map (2-D) or prediction curve/surface (regression)
  GRADIENTS: 'gradients', // per-layer gradient L2 norms, with every step-metrics point
  NEURON_MAPS: 'neuron_maps', // with every decision_boundary: hidden units over the grid, weights
  GATES: 'gates', // recurrent gates and states of the probe sequence, every probe step
  TIME_GRADIENTS: 'time_gradients', // ||dL/dh_t|| over the probe batch, every probe step
  FORECAST: 'forecast', // model vs actual over a series' test range, every probe step
  TEXT_SAMPLE: 'text_sample', // generated text of a character model, every probe step
  SETTINGS: 'settings', // live settings of a running job changed (e.g. lr), from step + 1 on
  ATTENTION: 'attention', // every probe step, networks with self_attention / transformer_encoder layers
  CROSS_ATTENTION: 'cross_attention', // every probe step, networks with cross_attention: weights and stages
  EMBEDDING_PROJECTION: 'embedding_projection', // every probe step, word2vec jobs: words in 2-D (aligned PCA)
  LATENT_CODES: 'latent_codes', // autoencoders: PCA baseline once, then the test set's codes every probe step
  RECONSTRUCTIONS: 'reconstructions', // autoencoders: first test examples and their reconstructions
  ACTIVATION_CURVES: 'activation_curves', // once, networks with activation layers: f and f' of each type used
  SATURATION: 'saturation', // every probe step: each activation layer's saturated and dead shares
  WEIGHTS: 'weights', // every probe step: each layer's weight histogram; a linear first layer on images as templates
  ACTIVE_ROUND: 'active_round', // active learning (training.active): each round's labels, test accuracy, next queries
});

export const SCOPE = Object.freeze({ STEP: 'step', EPOCH: 'epoch' });

export const STATUS = Object.freeze({
  QUEUED: 'queued',
  RUNNING: 'running',
  PAUSED: 'paused',
  COMPLETED: 'completed',
  STOPPED: 'stopped',
  FAILED: 'failed',
  DIVERGED: 'diverged',
  INTERRUPTED: 'interrupted',
});

/** Statuses after which a job never changes again; the server closes the stream after sending one. */
export const TERMINAL_STATUSES = Object.freeze(new Set([
  STATUS.COMPLETED, STATUS.STOPPED, STATUS.FAILED, STATUS.DIVERGED, STATUS.INTERRUPTED,
]));

export function isTerminal(status) {
  return TERMINAL_STATUSES.has(status);
}

/** Short human sentence per status, for the status line. */
export const STATUS_TEXT = Object.freeze({
  queued: 'Queued: waiting for a free worker…',
  running: 'Training…',
  paused: 'Paused between two steps: Step takes one, Resume goes on, Stop ends it.',
  completed: 'Completed.',
  stopped: 'Stopped by request.',
  failed: 'Failed.',
  diverged: 'Diverged: the loss became non-finite (try a smaller learning rate or gradient clipping).',
  interrupted: 'Interrupted: the server stopped while this job was running.',
});
