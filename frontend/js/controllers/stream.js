// The job stream on screen: one JobStream at a time, its messages queued and dispatched in batches
// (dispatch.js) to `routes`, and the replay of a job's stored history.
//
// Stream messages are queued and handled in batches, once per animation frame: a fast live job then
// costs one extendTraces per chart and one draw per visual per frame, instead of one of each per
// message. The stored history of a job being opened (every message up to its `last_seq` when it was
// fetched) is handled in batches of up to REPLAY_BATCH_MS instead, and at once when it is all in: a
// long run's thousands of messages are drawn once, not frame by frame (opening took minutes so).

import { createDispatcher } from '../dispatch.js';
import { JobStream } from '../socket.js';
import { store } from '../state.js';

const INBOX_FALLBACK_MS = 250; // requestAnimationFrame pauses in a background tab: drain anyway
const REPLAY_BATCH_MS = 1000;
const MAX_AUTH_RESUMES = 3;

/**
 * `routes`: the dispatcher's routes; `status`: the status bar view (connection state);
 * `refreshJob(id)`: reload the job's record after a lost connection, resolving to whether it could.
 */
export function createStreamController({ routes, status, refreshJob }) {
  const dispatch = createDispatcher(routes);
  let stream = null;
  let inbox = [];
  let replayUntil = 0; // the opened job's last stored seq until its message arrives; 0: live
  let pendingTimer = null;
  let pendingFrame = null;

  function onMessage(msg) {
    inbox.push(msg);
    if (replayUntil && msg.seq >= replayUntil) { // the history is in: draw it now
      replayUntil = 0;
      cancelInbox();
    }
    scheduleInbox(replayUntil ? REPLAY_BATCH_MS : null);
  }

  /** Handle the inbox after `delayMs`, or (null) at the next animation frame; once per schedule. */
  function scheduleInbox(delayMs) {
    if (pendingTimer !== null) return;
    const run = () => {
      cancelInbox();
      processInbox();
    };
    pendingTimer = setTimeout(run, delayMs ?? INBOX_FALLBACK_MS);
    if (delayMs === null) pendingFrame = requestAnimationFrame(run);
  }

  function cancelInbox() {
    clearTimeout(pendingTimer);
    if (pendingFrame !== null) cancelAnimationFrame(pendingFrame);
    pendingTimer = null;
    pendingFrame = null;
  }

  function processInbox() {
    const batch = inbox;
    inbox = [];
    dispatch(batch, { jobId: store.get().jobId });
  }

  /** Open job `id`'s stream from `after`; a stream refused for its token (1008) asks for one and resumes. */
  function listen(id, after, authResumes = 0) {
    stream = new JobStream(id, {
      after,
      onMessage,
      onConnection: (state, info) => {
        if (store.get().jobId !== id) return;
        store.set({ connection: state });
        status.setConnection(state);
        if (state !== 'lost') return;
        const lastSeq = stream?.lastSeq ?? after;
        refreshJob(id).then((ok) => {
          // A REST call with the token worked (asking for one if needed): the socket may now pass too.
          if (ok && info?.code === 1008 && authResumes < MAX_AUTH_RESUMES && store.get().jobId === id) {
            listen(id, lastSeq, authResumes + 1);
          }
        });
      },
    }).start();
  }

  return {
    /** Stop the stream and drop what is queued (another job opened, or none). */
    close() {
      if (stream) stream.close();
      stream = null;
      cancelInbox();
      inbox = [];
      replayUntil = 0;
    },
    /** Read job `id`'s stream from the start; messages up to `lastSeq` are its stored history. */
    open(id, lastSeq) {
      replayUntil = lastSeq || 0;
      listen(id, 0);
    },
  };
}
