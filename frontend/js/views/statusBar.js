// Middle column, top: the job's status line, training progress, messages from the server, and the
// final test accuracy once the job has finished.

import { STATUS_TEXT, isTerminal } from '../protocol.js';

const CONNECTION_TEXT = {
  connecting: 'connecting…',
  reconnecting: 'connection lost, reconnecting…',
  lost: 'lost the connection to this job’s stream',
};

export function createStatusBar({ statusEl, noteEl, finalEl }) {
  let status = null;
  let progress = '';
  let connection = null;
  let noteTimer = null;

  function paint() {
    if (!status) {
      statusEl.textContent = 'No job yet. Pick a preset, adjust, press Train.';
      statusEl.className = 'status idle';
      return;
    }
    const conn = CONNECTION_TEXT[connection] ? ` · ${CONNECTION_TEXT[connection]}` : '';
    statusEl.textContent = `${status.status}${progress ? ` · ${progress}` : ''}${conn}`;
    statusEl.title = [STATUS_TEXT[status.status], status.detail].filter(Boolean).join('\n');
    statusEl.className = `status status-${status.status}${connection === 'reconnecting' ? ' reconnecting' : ''}`;
  }

  return {
    /** A new job on screen (or none). */
    reset() {
      status = null;
      progress = '';
      connection = null;
      finalEl.hidden = true;
      finalEl.textContent = '';
      finalEl.className = 'final';
      paint();
    },

    /** @param {{status: string, detail?: string|null, final?: object|null}} s */
    setStatus(s) {
      status = s;
      paint();
      if (isTerminal(s.status)) this.setFinal(s.status, s.final, s.detail);
    },

    setProgress(text) {
      progress = text;
      paint();
    },

    setConnection(state) {
      connection = state;
      paint();
    },

    /** The headline figure of a finished job. */
    setFinal(jobStatus, final, detail) {
      const acc = final?.test_accuracy;
      finalEl.hidden = false;
      if (typeof acc === 'number') {
        finalEl.textContent = `Test accuracy: ${acc.toFixed(3)}`;
        finalEl.title = final.test_loss != null ? `test loss ${final.test_loss.toFixed(4)}` : '';
        finalEl.className = `final ok status-${jobStatus}`;
      } else {
        finalEl.textContent = jobStatus === 'completed' ? 'Test accuracy: n/a' : STATUS_TEXT[jobStatus] || jobStatus;
        finalEl.title = detail || '';
        finalEl.className = `final status-${jobStatus}`;
      }
    },

    /** A short message (e.g. a server error), shown until replaced; `ms` hides it after a while. */
    note(text, { kind = 'info', ms = 0 } = {}) {
      clearTimeout(noteTimer);
      noteEl.textContent = text || '';
      noteEl.className = `note ${kind}`;
      noteEl.hidden = !text;
      if (text && ms) noteTimer = setTimeout(() => { noteEl.hidden = true; }, ms);
    },
  };
}
