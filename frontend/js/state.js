// The single state store of the page, plus the URL hash (#job=ID) that names the job on screen.
// Views never read this module; main.js and the controllers (controllers/) read the store and hand views what they render.

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
  tab: 'inside',    // right column, bottom: the selected tab's key (panels.js's TABS)
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

// ---- the URL: #job=ID&cfg=... ----------------------------------------------------------------
// `job` names the job on screen (its stored curves replay when the link is opened); `cfg` is the
// whole configuration: the spec being edited and the page settings (preset, selected tab), as
// base64url of UTF-8 JSON, so a copied link reopens the same experiment.

export function jobIdFromHash(hash = location.hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const id = params.get('job');
  return id && /^[\w-]{1,128}$/.test(id) ? id : null;
}

/** {spec, presetId, tab} as URL-safe text. */
export function encodeConfig(config) {
  const bytes = new TextEncoder().encode(JSON.stringify(config));
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The configuration in the hash ({spec, presetId, tab}), or null when absent or unreadable. */
export function configFromHash(hash = location.hash) {
  const text = new URLSearchParams(hash.replace(/^#/, '')).get('cfg');
  if (!text) return null;
  try {
    const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    const config = JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
    return config && typeof config === 'object' && config.spec && typeof config.spec === 'object' ? config : null;
  } catch {
    return null;
  }
}

/** The hash for a job and a configuration (either may be null). */
export function makeHash(jobId, config) {
  const params = new URLSearchParams();
  if (jobId) params.set('job', jobId);
  if (config) params.set('cfg', encodeConfig(config));
  const text = params.toString();
  return text ? `#${text}` : '';
}

/** Point the URL at job `jobId` (a new history entry when the job changes) with the current config. */
export function writeJobHash(jobId, config = configFromState()) {
  const target = makeHash(jobId, config);
  if (location.hash === target) return;
  if (jobId && jobId !== jobIdFromHash()) history.pushState(null, '', target || location.pathname + location.search);
  else history.replaceState(null, '', target || location.pathname + location.search);
}

/** Keep the configuration in the URL up to date (no new history entry). */
export function writeConfigHash() {
  writeJobHash(state.jobId);
}

function configFromState() {
  return state.spec ? { spec: state.spec, presetId: state.presetId, tab: state.tab } : null;
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
