import test from 'node:test';
import assert from 'node:assert/strict';

import { lowRuns, primaryShare, rowLabel, stepEdges } from '../../frontend/js/views/activations.js';

test('relu rows show dead units; sigmoid, tanh and gelu rows the saturated share', () => {
  assert.equal(primaryShare('relu'), 'dead');
  assert.equal(primaryShare('leaky_relu'), 'dead');
  for (const t of ['sigmoid', 'tanh', 'gelu']) assert.equal(primaryShare(t), 'saturated');
  assert.equal(rowLabel({ index: 3, type: 'sigmoid' }), 'layer 3 · sigmoid · saturated');
  assert.equal(rowLabel({ index: 1, type: 'relu' }), 'layer 1 · relu · dead');
});

test('saturated stretches of the input axis are the runs where |f\'| is low', () => {
  assert.deepEqual(lowRuns([-3, -2, -1, 0, 1, 2, 3], [true, true, false, false, false, true, true]), [[-3, -2], [2, 3]]);
  assert.deepEqual(lowRuns([0, 1], [false, false]), []);
});

test('saturation cells span from their snapshot to the next: the axis starts at the first step, never before', () => {
  assert.deepEqual(stepEdges([0, 150, 300]), [0, 150, 300, 450]);
  assert.deepEqual(stepEdges([0, 10, 20, 25]), [0, 10, 20, 25, 30]);
  assert.deepEqual(stepEdges([7]), [7, 8]);
  assert.deepEqual(stepEdges([]), []);
});
