// The learned-parameters box of the job on screen: asks the server for a linear regression's line
// (its weights are saved at each epoch's end) after epochs and when the job stops, one request at a
// time; other networks never ask, or stop asking at the server's 409.

import { api, ApiError } from '../api.js';
import { SCOPE } from '../protocol.js';
import { createLearnedParams } from '../views/learnedParams.js';

/** Whether `spec` may be a linear regression: a layer list of linear (and flatten) layers only, one output. */
export function maybeLinearRegression(spec) {
  const layers = spec?.network?.layers;
  if (!Array.isArray(layers)) return false;
  const linear = layers.filter((l) => l.type === 'linear');
  return linear.length === 1 && linear[0].out_features === 1 && layers.every((l) => ['linear', 'flatten'].includes(l.type));
}

export function createLearnedController({ $ }) {
  const view = createLearnedParams({ panel: $('learned-panel'), table: $('learned-table'), note: $('learned-note') });
  let jobId = null;
  let busy = false;
  let again = false;

  async function refresh() {
    if (!jobId) return;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    const asked = jobId;
    try {
      const fit = await api.linearFit(asked);
      if (asked === jobId) view.render(fit);
    } catch (err) {
      if (asked !== jobId) return;
      if (err instanceof ApiError && err.status === 409 && /no saved weights/.test(err.message)) {
        view.waiting('The learned weights and bias appear here after the first epoch (weights are saved at each epoch’s end).');
      } else {
        jobId = null; // not a linear regression (or the job is gone): stop asking
        view.hide();
      }
    } finally {
      busy = false;
      if (again) {
        again = false;
        refresh();
      }
    }
  }

  return {
    /** A job is on screen (`job` its record, or null): ask for its line if it may have one. */
    open(job) {
      jobId = job && maybeLinearRegression(job.spec) ? job.id : null;
      view.hide();
      if (jobId) refresh();
    },
    /** A batch of metrics: an epoch ended, so newer weights are saved. */
    onMetrics(list) {
      if (jobId && list.some((m) => m.scope === SCOPE.EPOCH)) refresh();
    },
    refresh,
  };
}
