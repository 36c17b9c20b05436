// The single state store of the page, plus the URL hash (#job=ID) that names the job on screen.
// Views never read this module; main.js reads the store and hands views what they render.

const state = {
  presets: [],      // GET /api/presets
  datasets: [],     // GET /api/datasets
  presetId: null,   // the preset the current spec started from
  spec: null,       // the JobSpec being edited (null while the editor holds invalid JSON)
  specError: null,  // JSON parse error of the editor text, or null
  validation: null, // {ok: true, summary} | {ok: false, messages} | null while pending
  jobId: null,      // the job shown on the right (its curves, maps, status)
  job: null,        // its Job record, updated by status messages
  connection: null, // 'connecting' | 'open' | 'reconnecting' | 'closed' | 'lost'
  jobs: [],         // GET /api/jobs, newest first
  tab: 'inside',    // right column, bottom: 'inside' (feature maps / decision boundary) | 'gradients' | 'likelihood' | 'attention'
};

const listeners = new Map(); // key -> Set(fn)

export const store = {
  get() {
    return state;
  },
  /** Shallow-merge `patch` and notify the listeners of every key whose value changed. */
  set(patch) {
    const changed = [];
    for (const [key, value] of Object.entries(patch)) {
      if (!(key in state)) throw new Error(`unknown state key ${key}`);
      if (state[key] !== value) {
        state[key] = value;
        changed.push(key);
      }
    }
    for (const key of changed) {
      for (const fn of listeners.get(key) || []) fn(state[key], state);
    }
  },
  /** Call fn(value, state) whenever `key` changes; returns an unsubscribe function. */
  on(key, fn) {
    if (!listeners.has(key)) listeners.set(key, new Set());
    listeners.get(key).add(fn);
    return () => listeners.get(key).delete(fn);
  },
};

// ---- the URL: #job=ID -------------------------------------------------------------------------

export function jobIdFromHash(hash = location.hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const id = params.get('job');
  return id && /^[\w-]{1,128}$/.test(id) ? id : null;
}

export function writeJobHash(jobId) {
  const target = jobId ? `#job=${encodeURIComponent(jobId)}` : '';
  if (location.hash === target) return;
  if (jobId) history.pushState(null, '', target);
  else history.replaceState(null, '', location.pathname + location.search);
}

// ---- spec helpers ---------------------------------------------------------------------------

export const TOY_DEFAULTS = Object.freeze({ n_samples: 400, noise: 0.1 });

export function clone(value) {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/** A copy of `spec` with `path` (e.g. ['training', 'lr']) set to `value`. */
export function withPath(spec, path, value) {
  const out = clone(spec) || {};
  let node = out;
  for (const key of path.slice(0, -1)) {
    if (node[key] === null || typeof node[key] !== 'object') node[key] = {};
    node = node[key];
  }
  node[path[path.length - 1]] = value;
  return out;
}

export function datasetInfo(name) {
  return state.datasets.find((d) => d.name === name) || null;
}

/** Whether the data set takes `n_samples` / `noise` (the synthetic 2-D sets). */
export function isToy(name) {
  const info = datasetInfo(name);
  if (!info) return false;
  return Array.isArray(info.params) ? info.params.includes('n_samples') : info.kind === 'toy2d';
}

/** Data set options that only some data sets take (their `params`); the others drop them. */
export const DATASET_OPTIONS = Object.freeze(['n_samples', 'noise', 'window', 'horizon', 'seq_len']);

/**
 * Keep the dataset block consistent with its data set: options it does not take are removed, and the
 * toy defaults filled in for those it takes.
 */
export function normalizeDataset(spec) {
  if (!spec || typeof spec !== 'object' || !spec.dataset || typeof spec.dataset !== 'object') return spec;
  const out = clone(spec);
  const info = datasetInfo(out.dataset.name);
  if (!info) return out;
  const params = Array.isArray(info.params) ? info.params : (info.kind === 'toy2d' ? ['n_samples', 'noise'] : []);
  for (const key of DATASET_OPTIONS) {
    if (!params.includes(key)) delete out.dataset[key];
    else if (out.dataset[key] === undefined && TOY_DEFAULTS[key] !== undefined) out.dataset[key] = TOY_DEFAULTS[key];
  }
  return out;
}

/**
 * A spec as a person would write it, for the editor: no dataset options the data set ignores, and each layer with "type" first and without null (= inferred or default) fields.
 */
export function tidySpec(spec) {
  const out = normalizeDataset(spec);
  if (out && typeof out === 'object' && out.name === null) delete out.name;
  const layers = out?.network?.layers;
  if (!Array.isArray(layers)) return out;
  out.network.layers = layers.map((layer) => {
    if (!layer || typeof layer !== 'object' || Array.isArray(layer)) return layer;
    const tidy = { type: layer.type };
    for (const [k, v] of Object.entries(layer)) if (k !== 'type' && v !== null) tidy[k] = v;
    return tidy;
  });
  return out;
}
