// Thin fetch wrappers for the REST API. Every failure becomes an ApiError whose `messages`
// are readable lines; raw server text (e.g. a traceback) is never shown.

export class ApiError extends Error {
  /**
   * @param {number} status HTTP status, 0 when the server could not be reached.
   * @param {string|Array|object|null} detail the `detail` of a 4xx body.
   */
  constructor(status, detail) {
    const messages = detailMessages(status, detail);
    super(messages.map((m) => (m.field ? `${m.field}: ${m.msg}` : m.msg)).join('\n'));
    this.name = 'ApiError';
    this.status = status;
    this.detail = detail;
    /** @type {{field: string|null, msg: string, index: number|null}[]} */
    this.messages = messages;
  }
}

/** Layer index of a location like ["body","network","layers",4,"in_features"], else null. */
export function layerIndexOf(loc) {
  if (!Array.isArray(loc)) return null;
  const at = loc.indexOf('layers');
  if (at < 0 || at + 1 >= loc.length) return null;
  const index = Number(loc[at + 1]);
  return Number.isInteger(index) ? index : null;
}

function fieldFromLoc(loc) {
  if (!Array.isArray(loc)) return null;
  const parts = loc[0] === 'body' ? loc.slice(1) : loc;
  let out = '';
  for (const p of parts) {
    out += typeof p === 'number' ? `[${p}]` : (out ? `.${p}` : String(p));
  }
  return out || null;
}

function detailMessages(status, detail) {
  if (status === 401) {
    return [{ field: null, msg: 'This server needs its API token (NNPLAY_API_TOKEN): reload the page to enter it.', index: null }];
  }
  if (Array.isArray(detail)) {
    return detail.map((d) => {
      if (d && typeof d === 'object') {
        const field = d.field || fieldFromLoc(d.loc);
        const index = layerIndexOf(d.loc) ?? layerIndexFromField(field);
        return { field, msg: String(d.msg ?? JSON.stringify(d)), index };
      }
      return { field: null, msg: String(d), index: null };
    });
  }
  if (typeof detail === 'string' && detail) return [{ field: null, msg: detail, index: null }];
  if (detail && typeof detail === 'object') return [{ field: null, msg: JSON.stringify(detail), index: null }];
  if (status === 0) return [{ field: null, msg: 'Cannot reach the server. Is `nnplay serve` running?', index: null }];
  return [{ field: null, msg: `The server answered with an error (HTTP ${status}).`, index: null }];
}

function layerIndexFromField(field) {
  const m = /layers\[(\d+)\]/.exec(field || '');
  return m ? Number(m[1]) : null;
}

// ---- the API token (servers started with NNPLAY_API_TOKEN) -----------------------------------------

const TOKEN_KEY = 'nnplay.apiToken';
let askForToken = null; // ({rejected: boolean}) => Promise<string|null>, set by main.js
let asking = null; // the prompt on screen: concurrent 401s share it
let memoryToken = null; // the token when sessionStorage is unavailable

/** The API token kept in this browser tab's sessionStorage, or null. */
export function apiToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || memoryToken;
  } catch {
    return memoryToken; // storage disabled
  }
}

export function setApiToken(token) {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage disabled: the token lives as long as the page
  }
  memoryToken = token || null;
}

/** `ask({rejected})` is called when the server answers 401; it resolves to a token, or null to give up. */
export function onTokenRequired(ask) {
  askForToken = ask;
}

function promptForToken(rejected) {
  if (!asking) {
    asking = Promise.resolve(askForToken({ rejected })).finally(() => { asking = null; });
  }
  return asking;
}

/**
 * fetch() with `Authorization: Bearer <token>` when a token is set. A 401 asks for a token (once for
 * all requests waiting) and retries; a token that is refused again asks again, saying so. Resolves to
 * the last Response (a 401 when the person cancels the prompt).
 */
export async function authFetch(path, init = {}) {
  for (;;) {
    const token = apiToken();
    const headers = new Headers(init.headers || {});
    if (token) headers.set('Authorization', `Bearer ${token}`);
    const res = await fetch(path, { ...init, headers });
    if (res.status !== 401 || !askForToken) return res;
    if (apiToken() !== token) continue; // a newer token arrived while this request was out
    const next = await promptForToken(Boolean(token));
    if (!next) return res;
    setApiToken(next);
  }
}

// ---- requests -------------------------------------------------------------------------------------

async function request(method, path, body) {
  const init = { method, headers: { Accept: 'application/json' } };
  if (body instanceof FormData) {
    init.body = body; // multipart: the browser sets the Content-Type with its boundary
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  let res;
  try {
    res = await authFetch(path, init);
  } catch (err) {
    throw new ApiError(0, null);
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null; // not JSON (an HTML error page or a traceback): never shown raw
  }
  if (!res.ok) throw new ApiError(res.status, data && 'detail' in data ? data.detail : null);
  return data;
}

/** The file name in a Content-Disposition header (`filename*=UTF-8''...` or `filename="..."`), or null. */
export function dispositionFilename(header) {
  if (!header) return null;
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''));
    } catch {
      // malformed: fall back to the plain name
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;]+)/i.exec(header);
  return plain ? (plain[1] ?? plain[2]).trim() : null;
}

/** GET a file (an export) with the token: {blob, filename}; ApiError on failure. */
async function download(path) {
  let res;
  try {
    res = await authFetch(path);
  } catch {
    throw new ApiError(0, null);
  }
  if (!res.ok) {
    let data = null;
    try {
      data = await res.json();
    } catch {
      data = null;
    }
    throw new ApiError(res.status, data && 'detail' in data ? data.detail : null);
  }
  return { blob: await res.blob(), filename: dispositionFilename(res.headers.get('content-disposition')) };
}

const enc = encodeURIComponent;

export const api = {
  health: () => request('GET', '/api/health'),
  presets: () => request('GET', '/api/presets'),
  datasets: () => request('GET', '/api/datasets'),
  /** the layer catalogue: [{type, description, probe, json_schema, families}] */
  layers: () => request('GET', '/api/layers'),
  /** body: {dataset, network, training?} -> summary {input_shape, output_shape, layers, total_params, warnings} */
  validate: (body) => request('POST', '/api/networks/validate', body),
  /** `paused`: the job waits before its first step (status paused at step 0) until step or resume */
  createJob: (spec, { paused = false } = {}) => request('POST', `/api/jobs${paused ? '?paused=true' : ''}`, spec),
  /** a linear regression's learned w, b in data units beside least squares (409 for other networks) */
  linearFit: (id) => request('GET', `/api/jobs/${enc(id)}/linear_fit`),
  listJobs: () => request('GET', '/api/jobs'),
  getJob: (id) => request('GET', `/api/jobs/${enc(id)}`),
  metrics: (id) => request('GET', `/api/jobs/${enc(id)}/metrics`),
  stopJob: (id) => request('POST', `/api/jobs/${enc(id)}/stop`),
  /** paused jobs: go on; interrupted / stopped jobs: continue from the last checkpoint -> the Job */
  resumeJob: (id) => request('POST', `/api/jobs/${enc(id)}/resume`),
  /** running jobs: wait between two steps -> the Job (status paused) */
  pauseJob: (id) => request('POST', `/api/jobs/${enc(id)}/pause`),
  /** paused jobs: exactly one optimizer step -> the Job (still paused) */
  stepJob: (id) => request('POST', `/api/jobs/${enc(id)}/step`),
  /** start again from step 0 as a new job (same spec and seed) -> the new Job */
  resetJob: (id) => request('POST', `/api/jobs/${enc(id)}/reset`),
  /** live settings, e.g. {lr: 0.01}, from the next step on -> the Job */
  changeSettings: (id, settings) => request('PATCH', `/api/jobs/${enc(id)}/settings`, settings),
  deleteJob: (id) => request('DELETE', `/api/jobs/${enc(id)}`),
  /** {name?, base: spec, field, values} -> the race {id, field, values, runs: [{value, job}]} */
  createRace: (body) => request('POST', '/api/races', body),
  listRaces: () => request('GET', '/api/races'),
  getRace: (id) => request('GET', `/api/races/${enc(id)}`),
  /** {function, start, lr, steps, optimizers?} -> {grid, paths, minimum, ...} */
  surface: (body) => request('POST', '/api/surface', body),
  /** the course's worked convolution and max-pooling examples, as bodies for convExplain */
  convExamples: () => request('GET', '/api/conv/examples'),
  /** {input (C,H,W), filters (K,C,kh,kw), bias, stride, padding, pool} -> output, cells with their sums, sizes */
  convExplain: (body) => request('POST', '/api/conv/explain', body),
  /** word2vec jobs: the k nearest words by cosine -> {word, step, neighbors: [{word, similarity}]} */
  neighbors: (id, word, k = 10) => request('GET', `/api/jobs/${enc(id)}/neighbors?word=${enc(word)}&k=${k}`),
  /** word2vec jobs: the 5 words nearest to a - b + c -> {query, step, results: [{word, similarity}]} */
  analogy: (id, a, b, c) => request('GET', `/api/jobs/${enc(id)}/analogy?a=${enc(a)}&b=${enc(b)}&c=${enc(c)}`),
  /** form: FormData {file, target, task, name?} -> the new data set (201) */
  uploadDataset: (form) => request('POST', '/api/datasets', form),
  deleteDataset: (name) => request('DELETE', `/api/datasets/${enc(name)}`),
  /** {name?, base: spec, n, first_seed} -> a race over training.seed, one job per seed */
  createReplicates: (body) => request('POST', '/api/replicates', body),
  /** paired t-test and Wilcoxon test of two ended replicate sets, seed by seed */
  compareReplicates: (a, b, metric) => request('GET', `/api/replicates/compare?a=${enc(a)}&b=${enc(b)}&metric=${enc(metric)}`),
  /** an ended replicate set on 2-D data as an ensemble: mean probability, std, mutual information over a grid */
  ensemble: (id, resolution = 40) => request('GET', `/api/replicates/${enc(id)}/ensemble?resolution=${resolution}`),
  /** active learning: test accuracy against labels for 1-3 replicate sets (one per strategy), so far */
  activeCurves: (ids) => request('GET', `/api/active/curves?${ids.map((id) => `race=${enc(id)}`).join('&')}`),
  /** one active-learning run: data_points, the latest decision_boundary and active_round messages */
  activeRun: (jobId) => request('GET', `/api/active/runs/${enc(jobId)}`),
  /** McNemar's exact test of two finished jobs on the same test set */
  compare: (a, b) => request('GET', `/api/compare?a=${enc(a)}&b=${enc(b)}`),
  /** path: e.g. /api/jobs/ID/code -> {blob, filename} */
  download,
};
