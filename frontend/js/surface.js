// Wiring of the loss-surface dialog: the form -> POST /api/surface -> the animated view.

import { api, ApiError } from './api.js';
import { createLossSurface } from './views/lossSurface.js';

const STARTS = { rosenbrock: [-1.5, 2, 0.001], beale: [1, 1.5, 0.01], saddle: [-1.5, 0.01, 0.05] };

export function createSurfaceController({ $ }) {
  const dialog = $('surface-dialog');
  const view = createLossSurface({ el: $('surface-chart') });
  const errors = $('surface-errors');

  function showErrors(lines) {
    errors.replaceChildren(...lines.map((line) => Object.assign(document.createElement('li'), { textContent: line })));
    errors.hidden = !lines.length;
  }

  let latest = 0; // the newest request: an older answer arriving after it is dropped, never drawn over it
  const dropped = () => {
    const chart = $('surface-chart');
    chart.dataset.dropped = String(Number(chart.dataset.dropped || 0) + 1);
  };

  async function run(ev) {
    ev?.preventDefault();
    const ticket = ++latest;
    const num = (id) => (Number.isFinite($(id).valueAsNumber) ? $(id).valueAsNumber : $(id).value);
    const body = { function: $('surface-function').value, start: [num('surface-x'), num('surface-y')],
      lr: num('surface-lr'), steps: num('surface-steps'), momentum: num('surface-momentum'),
      weight_decay: num('surface-weight-decay') };
    delete $('surface-chart').dataset.done; // a new run is on its way: the drawn one is no longer the answer
    try {
      const out = await api.surface(body);
      if (ticket !== latest) return dropped();
      showErrors([]);
      view.play(out);
    } catch (err) {
      if (ticket !== latest) return dropped();
      showErrors(err instanceof ApiError ? err.messages.map((m) => (m.field ? `${m.field}: ${m.msg}` : m.msg))
        : ['Something went wrong in the page; see the console.']);
    }
  }

  $('surface-function').addEventListener('change', () => {
    const [x, y, lr] = STARTS[$('surface-function').value];
    $('surface-x').value = x;
    $('surface-y').value = y;
    $('surface-lr').value = lr;
  });
  $('surface-form').addEventListener('submit', run);
  $('surface-close').addEventListener('click', () => dialog.close());
  $('open-surface').addEventListener('click', () => {
    dialog.showModal();
    if (!$('surface-chart').dataset.shown) run();
  });
}
