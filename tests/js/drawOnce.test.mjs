// A view asked to redraw several times while one batch of stream messages is dispatched (a replay sets
// the points, then a frame) draws once, with what the batch left; it drew the first state at once and
// the last 200 ms later, so opening a long run drew the 2,000-point boundary twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';

const calls = [];
globalThis.Plotly = { react: async (div, data, layout) => { calls.push(layout); } };
globalThis.ResizeObserver = class { observe() {} };
globalThis.document = {
  createElement: () => ({ getContext: () => ({ font: '', measureText: (text) => ({ width: 6 * text.length }) }) }),
};

const { createDecisionBoundary } = await import('../../frontend/js/views/decisionBoundary.js');
const ticks = async (n) => { for (let i = 0; i < n; i += 1) await new Promise((resolve) => { setTimeout(resolve, 0); }); };

test('what one synchronous batch sets is drawn once, in its last state', async () => {
  const div = { clientWidth: 600, clientHeight: 400, dataset: {} };
  const view = createDecisionBoundary(div, { placeholder: 'first', minIntervalMs: 200 });
  await ticks(3);
  calls.length = 0;
  view.reset('second');
  view.reset('third'); // (the same batch)
  await ticks(3);
  assert.equal(calls.length, 1);
  assert.match(JSON.stringify(calls[0].annotations), /third/);
});
