// node --test: TraceBuffer (frontend/js/views/plotTheme.js) draws new points and the layout changes
// that go with them in one plotly call, without a browser (plotly replaced by a recorder).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { TraceBuffer } from '../../frontend/js/views/plotTheme.js';

function recorder() {
  const calls = [];
  globalThis.Plotly = {
    update: (div, data, layout, idx) => {
      calls.push(['update', structuredClone(data), layout, idx]);
      idx.forEach((i, k) => { div.data[i].x = data.x[k]; div.data[i].y = data.y[k]; });
    },
    extendTraces: (div, data, idx) => {
      calls.push(['extendTraces', structuredClone(data), idx]);
      idx.forEach((i, k) => { div.data[i].x.push(...data.x[k]); div.data[i].y.push(...data.y[k]); });
    },
  };
  return calls;
}

test('the first points and their layout change go in one Plotly.update; later points extend', () => {
  const calls = recorder();
  const div = { data: [{ x: [], y: [] }, { x: [], y: [] }, { x: [], y: [] }] };
  let empty = true;
  const seen = [];
  const after = [];
  const buffer = new TraceBuffer(() => div, 3, {
    layout: (lastX) => {
      seen.push(lastX);
      if (!empty) return null;
      empty = false;
      return { 'annotations[0].visible': false };
    },
    after: () => after.push(div.data[0].x.length),
  });
  buffer.push(0, 1, 0.9);
  buffer.push(0, 2, 0.8);
  buffer.push(2, 2, 0.85);
  buffer.flush();
  assert.deepEqual(calls, [['update', { x: [[1, 2], [2]], y: [[0.9, 0.8], [0.85]] }, { 'annotations[0].visible': false }, [0, 2]]]);
  buffer.push(0, 3, 0.7);
  buffer.flush();
  assert.deepEqual(calls[1], ['extendTraces', { x: [[3]], y: [[0.7]] }, [0]]);
  assert.deepEqual(div.data[0], { x: [1, 2, 3], y: [0.9, 0.8, 0.7] });
  assert.deepEqual(seen, [2, 3], 'the layout hook sees the largest x drawn after each flush');
  assert.deepEqual(after, [2, 3], 'after() runs once the points are drawn');
  buffer.flush(); // nothing buffered: no call
  assert.equal(calls.length, 2);
});

test('a layout change later on keeps the points already drawn', () => {
  const calls = recorder();
  const div = { data: [{ x: [1, 2], y: [5, 6] }] };
  const buffer = new TraceBuffer(() => div, 1, { layout: (lastX) => (lastX > 12 ? { 'xaxis.tickmode': 'auto' } : null) });
  buffer.push(0, 13, 7);
  buffer.flush();
  assert.deepEqual(calls, [['update', { x: [[1, 2, 13]], y: [[5, 6, 7]] }, { 'xaxis.tickmode': 'auto' }, [0]]]);
});
