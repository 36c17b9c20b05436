// Websocket client for /api/jobs/{id}/stream?after=SEQ.
// Tracks the last seq received, drops duplicates, and after an unexpected close (job not yet
// terminal) reconnects with after=lastSeq so that history resumes with no gaps.

import { apiToken } from './api.js';
import { MSG, PROTOCOL_VERSION, isTerminal } from './protocol.js';

const MAX_BACKOFF_MS = 5000;
const MAX_QUIET_ATTEMPTS = 30; // consecutive reconnects without a single message before giving up

// A stored history's step metrics and gradients come downsampled to about this many points (first,
// last, min and max loss per bucket: spikes stay), so a long finished job opens fast.
export const HISTORY_POINTS = 2000;

/** The stream's URL; with an API token set, `&token=` (browsers cannot set headers on a websocket).
 * `batch=true`: each frame is a JSON array of messages (a browser pays a fixed cost per frame: a
 * long run's replay of thousands of small messages arrives several times faster). */
export function streamUrl(jobId, after, token = apiToken()) {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const auth = token ? `&token=${encodeURIComponent(token)}` : '';
  const query = `max_points=${HISTORY_POINTS}&batch=true&after=${after}${auth}`;
  return `${scheme}://${location.host}/api/jobs/${encodeURIComponent(jobId)}/stream?${query}`;
}

export class JobStream {
  /**
   * @param {string} jobId
   * @param {{after?: number, onMessage: (msg: object) => void,
   *          onConnection?: (state: 'connecting'|'open'|'reconnecting'|'closed'|'lost', info?: object) => void}} opts
   */
  constructor(jobId, { after = 0, onMessage, onConnection = () => {} }) {
    this.jobId = jobId;
    this.lastSeq = after;
    this.onMessage = onMessage;
    this.onConnection = onConnection;
    this.terminal = false;
    this.closedByUs = false;
    this.attempts = 0;
    this.ws = null;
    this.timer = null;
  }

  start() {
    this.onConnection('connecting');
    this._open();
    return this;
  }

  /** Stop listening for good (switching to another job, page teardown). */
  close() {
    this.closedByUs = true;
    clearTimeout(this.timer);
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) this.ws.close(1000);
    this.ws = null;
  }

  _open() {
    const ws = new WebSocket(streamUrl(this.jobId, this.lastSeq));
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws === ws) this.onConnection('open');
    };
    ws.onmessage = (ev) => {
      if (this.ws === ws) this._receive(ev.data);
    };
    ws.onclose = (ev) => {
      if (this.ws === ws) this._closed(ev);
    };
  }

  /** One frame: a JSON array of messages (`batch=true`) or a single message. */
  _receive(raw) {
    let data;
    try {
      data = JSON.parse(raw);
    } catch {
      return; // not a protocol message
    }
    for (const msg of Array.isArray(data) ? data : [data]) this._message(msg);
  }

  _message(msg) {
    if (!msg || msg.v !== PROTOCOL_VERSION || typeof msg.seq !== 'number') return;
    if (msg.seq <= this.lastSeq) return; // duplicate after a reconnect
    this.lastSeq = msg.seq;
    this.attempts = 0;
    if (msg.type === MSG.STATUS && isTerminal(msg.status)) this.terminal = true;
    this.onMessage(msg);
  }

  _closed(ev) {
    this.ws = null;
    if (this.closedByUs) return;
    if (this.terminal) {
      this.onConnection('closed', { code: ev.code });
      return;
    }
    // 1008 (policy: missing or wrong API token) and 4xxx are the server refusing this stream (e.g.
    // unknown job): do not retry here; controllers/stream.js may ask for a token and resume.
    if (ev.code === 1008 || (ev.code >= 4000 && ev.code < 5000) || this.attempts >= MAX_QUIET_ATTEMPTS) {
      this.onConnection('lost', { code: ev.code, reason: ev.reason });
      return;
    }
    this.attempts += 1;
    const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** (this.attempts - 1));
    this.onConnection('reconnecting', { code: ev.code, attempt: this.attempts, delay });
    this.timer = setTimeout(() => {
      if (!this.closedByUs) this._open();
    }, delay);
  }
}
