// node --test: min/max decimation of live curves and the drawing budget of scatter points (frontend/js/views/decimate.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { MAX_DRAWN_POINTS, decimate, drawBudget, keepIndices, thinPointSet } from '../../frontend/js/views/decimate.js';

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

test('a point set past the drawing budget keeps evenly spaced points, every list in step, each class its share', () => {
  const n = 20000;
  const label = Array.from({ length: n }, (_, i) => (i * 7919) % 3); // classes mixed as a shuffled split
  const set = { x1: label.map((_, i) => i), x2: label.map((_, i) => -i), label, target: null };
  const thin = thinPointSet(set, 2000);
  assert.equal(thin.x1.length, 2000);
  assert.equal(thin.x1[0], 0);
  thin.x1.forEach((x, j) => {
    assert.equal(x, Math.floor((j * n) / 2000));
    assert.equal(thin.x2[j], -x);
    assert.equal(thin.label[j], set.label[x]);
  });
  assert.equal(thin.target, null);
  for (const k of [0, 1, 2]) {
    const share = thin.label.filter((c) => c === k).length / 2000;
    assert.ok(Math.abs(share - set.label.filter((c) => c === k).length / n) < 0.02, `class ${k}: ${share}`);
  }
});

test('a point set within the budget, or 1-D points with an empty x2, is drawn whole', () => {
  const small = { x1: [1, 2, 3], x2: [4, 5, 6], label: [0, 1, 0] };
  assert.equal(thinPointSet(small, 3), small);
  assert.equal(thinPointSet(undefined, 3), undefined);
  const oneD = { x1: Array.from({ length: 10 }, (_, i) => i), x2: [], label: [], target: Array.from({ length: 10 }, (_, i) => 2 * i) };
  const thin = thinPointSet(oneD, 5);
  assert.deepEqual(thin.x1, [0, 2, 4, 6, 8]);
  assert.deepEqual(thin.target, [0, 4, 8, 12, 16]);
  assert.deepEqual(thin.x2, []);
  assert.equal(MAX_DRAWN_POINTS, 2000);
});

test('the drawing budget is shared by train and test in proportion, and spent only past it', () => {
  assert.deepEqual(drawBudget([16000, 4000]), [1600, 400]);
  assert.deepEqual(drawBudget([320, 80]), [320, 80]);
  assert.deepEqual(drawBudget([1999, 1]), [1999, 1]);
  assert.deepEqual(drawBudget([100000, 3]), [2000, 1]); // a tiny part keeps one point
  const [a, b] = drawBudget([12345, 6789]);
  assert.ok(a + b <= MAX_DRAWN_POINTS + 1 && Math.abs(a / b - 12345 / 6789) < 0.01, `${a} ${b}`);
});
