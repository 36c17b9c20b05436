// node --test: min/max decimation of live curves (frontend/js/views/decimate.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { decimate, keepIndices } from '../../frontend/js/views/decimate.js';

test('short curves are kept whole', () => {
  assert.deepEqual(keepIndices([3, 2, 1], 10), [0, 1, 2]);
});

test('a long curve keeps first, last, spikes and gaps within the budget', () => {
  const ys = Array.from({ length: 10000 }, (_, i) => 1 / (1 + i));
  ys[4321] = 50;
  ys[7777] = null;
  const idx = keepIndices(ys, 200);
  assert.ok(idx.length <= 202);
  for (const i of [0, 9999, 4321, 7777]) assert.ok(idx.includes(i), `index ${i} kept`);
  const { x, y } = decimate(ys.map((_, i) => i + 1), ys, 200);
  assert.equal(x.length, y.length);
  assert.equal(Math.max(...y.filter((v) => v !== null)), 50);
});
