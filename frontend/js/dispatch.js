// Table-driven routing of a batch of stream messages to their handlers. DOM-free.
//
// A route is {type, mode, handle}: `mode` 'latest' hands `handle` the newest message of that type in
// the batch, 'all' the list of them in arrival order. Routes run in table order (several routes may
// share a type), once per batch and only for types the batch holds. A message of a type no route
// names goes to `onUnknown(type, message)`: never dropped silently.

/**
 * @param {{type: string, mode: 'latest'|'all', handle: (payload: any) => void}[]} routes
 * @param {{onUnknown?: (type: string, msg: object) => void}} [opts]
 * @returns {(batch: object[], opts?: {jobId?: string}) => void} dispatches one batch; messages of
 *   another job than `jobId` (when given) are skipped.
 */
export function createDispatcher(routes, { onUnknown = defaultUnknown } = {}) {
  const known = new Set(routes.map((r) => r.type));
  return function dispatch(batch, { jobId } = {}) {
    const byType = new Map();
    for (const msg of batch) {
      if (jobId !== undefined && msg.job_id !== jobId) continue;
      if (!known.has(msg.type)) {
        onUnknown(msg.type, msg);
        continue;
      }
      if (!byType.has(msg.type)) byType.set(msg.type, []);
      byType.get(msg.type).push(msg);
    }
    for (const route of routes) {
      const list = byType.get(route.type);
      if (list) route.handle(route.mode === 'latest' ? list[list.length - 1] : list);
    }
  };
}

const reported = new Set();

/** Report each unknown type once per page (a newer server may send what this page cannot draw). */
function defaultUnknown(type) {
  if (reported.has(type)) return;
  reported.add(type);
  console.warn(`nnplay: stream message of unknown type "${type}" ignored (no panel draws it)`);
}
