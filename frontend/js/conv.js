// Wiring of the convolution dialog: the course's worked examples (GET /api/conv/examples) or the
// user's own numbers (the JSON editor) -> POST /api/conv/explain -> the grids, stepped value by value.

import { api, ApiError } from './api.js';
import { createConvExplorer } from './views/convExplorer.js';

export function createConvController({ $ }) {
  const dialog = $('conv-dialog');
  const view = createConvExplorer({ convEl: $('conv-grids'), poolEl: $('conv-pool'), textEl: $('conv-text'),
    sizesEl: $('conv-sizes') });
  const errors = $('conv-errors');
  let examples = null;

  function showErrors(lines) {
    errors.replaceChildren(...lines.map((line) => Object.assign(document.createElement('li'), { textContent: line })));
    errors.hidden = !lines.length;
  }

  /** The editor's request with the stride and padding fields applied; null (and an error shown) if not JSON. */
  function request() {
    try {
      const body = JSON.parse($('conv-json').value);
      for (const key of ['stride', 'padding']) {
        const v = $(`conv-${key}`).valueAsNumber;
        if (Number.isFinite(v)) body[key] = v;
      }
      return body;
    } catch (err) {
      showErrors([`The numbers are not valid JSON: ${err.message}`]);
      return null;
    }
  }

  async function run(ev) {
    ev?.preventDefault();
    const body = request();
    if (!body) return;
    try {
      const out = await api.convExplain(body);
      showErrors([]);
      view.draw(out, body);
    } catch (err) {
      showErrors(err instanceof ApiError ? err.messages.map((m) => (m.field ? `${m.field}: ${m.msg}` : m.msg))
        : ['Something went wrong in the page; see the console.']);
    }
  }

  function load(name) {
    const body = examples[name];
    $('conv-stride').value = body.stride;
    $('conv-padding').value = body.padding;
    const { stride, padding, ...rest } = body;
    $('conv-json').value = JSON.stringify(Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== null)));
    return run();
  }

  $('conv-form').addEventListener('submit', run);
  $('conv-example').addEventListener('change', () => load($('conv-example').value));
  $('conv-prev').addEventListener('click', () => view.step(-1));
  $('conv-next').addEventListener('click', () => view.step(1));
  $('conv-close').addEventListener('click', () => dialog.close());
  $('open-conv').addEventListener('click', async () => {
    dialog.showModal();
    if (examples) return;
    try {
      examples = await api.convExamples();
      await load($('conv-example').value);
    } catch (err) {
      showErrors([err instanceof ApiError ? err.message : 'Could not load the worked examples.']);
    }
  });
}
