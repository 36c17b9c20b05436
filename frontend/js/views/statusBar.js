// Middle column, top: the job's status line, training progress, messages from the server, and the
// final test accuracy once the job has finished.

import { STATUS_TEXT, isTerminal } from '../protocol.js';

// 'connecting' / 'open' / 'closed' say nothing worth a line: the status line covers them.
const CONNECTION_TEXT = {
  reconnecting: 'connection lost, reconnecting…',
  lost: 'lost the connection to this job’s stream',
};

/** `text` as one nowrap span per " · " part, so a long line wraps between parts ("step 450" stays
 * whole) and after a dot, never before one. */
function setParts(element, text) {
  const parts = text.split(' · ');
  element.replaceChildren(...parts.flatMap((part, i) => {
    const span = document.createElement('span');
    span.className = 'status-part';
    span.textContent = i < parts.length - 1 ? `${part} ·` : part;
    return i ? [document.createTextNode(' '), span] : [span];
  }));
}

export function createStatusBar({ statusEl, noteEl, finalEl, detailEl, connectionEl }) {
  let status = null;
  let progress = '';
  let connection = null;
  let noteTimer = null;
  let noteKind = null; // 'error' | 'info' | null (no note)
  let noteUnreachable = false; // the error note says the server could not be reached
  let progressStatus = null; // the job's status when the progress text was set

  function paint() {
    if (!status) {
      statusEl.textContent = 'No job yet. Press ▶ to train this network (or pick a preset, adjust, Train).';
      statusEl.className = 'status idle';
      return;
    }
    // a queue position is no progress of a job that has left the queue (until its first metrics)
    const shown = progress && !(progressStatus === 'queued' && status.status !== 'queued') ? progress : '';
    setParts(statusEl, `${status.status}${shown ? ` · ${shown}` : ''}`);
    statusEl.title = [STATUS_TEXT[status.status], status.detail].filter(Boolean).join('\n');
    statusEl.className = `status status-${status.status}`;
  }

  // The connection has a line of its own: inside the status line, the ellipsis could hide it.
  function paintConnection() {
    const text = status ? CONNECTION_TEXT[connection] || '' : '';
    connectionEl.textContent = text;
    connectionEl.hidden = !text;
    connectionEl.className = `connection${connection === 'lost' ? ' lost' : ''}`;
  }

  function paintDetail() {
    const text = status?.detail || '';
    detailEl.textContent = text;
    detailEl.title = text;
    detailEl.hidden = !text;
  }

  return {
    /** A new job on screen (or none). */
    reset() {
      status = null;
      progress = '';
      connection = null;
      paintDetail();
      paintConnection();
      finalEl.hidden = true;
      finalEl.textContent = '';
      finalEl.className = 'final';
      paint();
    },

    /** @param {{status: string, detail?: string|null, final?: object|null}} s */
    setStatus(s) {
      status = s;
      paint();
      paintDetail();
      paintConnection();
      if (isTerminal(s.status)) this.setFinal(s.status, s.final, s.detail);
    },

    setProgress(text) {
      progress = text;
      progressStatus = status?.status ?? null;
      paint();
    },

    setConnection(state) {
      connection = state;
      paintConnection();
    },

    /** The headline figure of a finished job. */
    setFinal(jobStatus, final, detail) {
      const acc = final?.test_accuracy;
      const r2 = final?.test_r2;
      finalEl.hidden = false;
      if (typeof acc !== 'number' && typeof r2 === 'number') { // regression: R^2 and RMSE
        // RMSE in the target's data units (test_rmse; older jobs stored only the MSE as trained)
        const value = final.test_rmse ?? (final.test_loss != null ? Math.sqrt(final.test_loss) : null);
        const rmse = value != null ? ` · RMSE ${value.toPrecision(3)}` : '';
        setParts(finalEl, `Test R²: ${r2.toFixed(3)}${rmse}`);
        finalEl.title = final.test_loss != null
          ? `RMSE in the target's units; test loss (MSE as trained${final.test_rmse != null && Math.abs(final.test_rmse ** 2 - final.test_loss) > 1e-9 ? ', on the standardised series' : ''}) ${final.test_loss.toFixed(4)}`
          : '';
        finalEl.className = `final ok status-${jobStatus}`;
      } else if (typeof acc === 'number') {
        finalEl.textContent = `Test accuracy: ${acc.toFixed(3)}`;
        finalEl.title = final.test_loss != null ? `test loss ${final.test_loss.toFixed(4)}` : '';
        finalEl.className = `final ok status-${jobStatus}`;
      } else {
        const loss = final?.test_loss ?? final?.train_loss; // no accuracy: autoencoders, word2vec
        const lossText = typeof loss === 'number' ? `${final?.test_loss != null ? 'Test' : 'Train'} loss: ${loss.toFixed(4)}` : 'Test accuracy: n/a';
        finalEl.textContent = jobStatus === 'completed' ? lossText : STATUS_TEXT[jobStatus] || jobStatus;
        finalEl.title = detail || '';
        finalEl.className = `final status-${jobStatus}`;
      }
    },

    /** A short message (e.g. a server error), shown until replaced; `ms` hides it after a while. */
    note(text, { kind = 'info', ms = 0, unreachable = false } = {}) {
      clearTimeout(noteTimer);
      noteEl.textContent = text || '';
      noteEl.className = `note ${kind}`;
      noteEl.hidden = !text;
      noteKind = text ? kind : null;
      noteUnreachable = Boolean(text) && unreachable;
      if (text && ms) {
        noteTimer = setTimeout(() => {
          noteEl.hidden = true;
          noteKind = null;
        }, ms);
      }
    },

    /** Hide the note if it still says `text` (a hint whose moment has passed; a newer note stays). */
    dropNote(text) {
      if (!noteEl.hidden && noteEl.textContent === text) this.note('');
    },

    /** Hide an error note (a later action succeeded); `unreachableOnly`: only "cannot reach the server". */
    clearError({ unreachableOnly = false } = {}) {
      if (noteKind !== 'error' || (unreachableOnly && !noteUnreachable)) return;
      this.note('');
    },
  };
}
