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

async function request(method, path, body) {
  const init = { method, headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  let res;
  try {
    res = await fetch(path, init);
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

const enc = encodeURIComponent;

export const api = {
  health: () => request('GET', '/api/health'),
  presets: () => request('GET', '/api/presets'),
  datasets: () => request('GET', '/api/datasets'),
  /** body: {dataset, network, training?} -> summary {input_shape, output_shape, layers, total_params, warnings} */
  validate: (body) => request('POST', '/api/networks/validate', body),
  createJob: (spec) => request('POST', '/api/jobs', spec),
  listJobs: () => request('GET', '/api/jobs'),
  getJob: (id) => request('GET', `/api/jobs/${enc(id)}`),
  metrics: (id) => request('GET', `/api/jobs/${enc(id)}/metrics`),
  stopJob: (id) => request('POST', `/api/jobs/${enc(id)}/stop`),
  deleteJob: (id) => request('DELETE', `/api/jobs/${enc(id)}`),
};
