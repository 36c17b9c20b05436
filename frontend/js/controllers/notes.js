// The status line's error notes: what a failed request says, and the "server refused this spec"
// note, which the next edit of the spec clears.

import { ApiError } from '../api.js';

/** The text of a failed request (ApiError), or a pointer to the console for a bug in the page. */
export function errorText(err) {
  if (err instanceof ApiError) return err.message;
  console.error(err);
  return 'Something went wrong in the page; see the browser console.';
}

/** `status`: the status bar view (views/statusBar.js). */
export function createNotes(status) {
  let refusalShown = false; // the "server refused this spec" note, cleared by the next edit

  return {
    /** `prefix: why` as an error note (marked unreachable when the server did not answer). */
    error(prefix, err) {
      const unreachable = err instanceof ApiError && err.status === 0;
      status.note(`${prefix}: ${errorText(err)}`, { kind: 'error', unreachable });
    },
    /** A later action succeeded: an error note about an earlier one is stale now. */
    clear() {
      refusalShown = false;
      status.clearError();
    },
    /** The server refused the spec: say so until the spec is edited. */
    refused(text) {
      status.note(text, { kind: 'error' });
      refusalShown = true;
    },
    /** The spec changed: a refusal note about the spec before is stale. */
    dropRefusal() {
      if (!refusalShown) return;
      refusalShown = false;
      status.note('');
    },
  };
}
