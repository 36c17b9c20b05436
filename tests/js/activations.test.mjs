import test from 'node:test';
import assert from 'node:assert/strict';

import { primaryShare, rowLabel } from '../../frontend/js/views/activations.js';

test('relu rows show dead units; sigmoid, tanh and gelu rows the saturated share', () => {
  assert.equal(primaryShare('relu'), 'dead');
  assert.equal(primaryShare('leaky_relu'), 'dead');
  for (const t of ['sigmoid', 'tanh', 'gelu']) assert.equal(primaryShare(t), 'saturated');
  assert.equal(rowLabel({ index: 3, type: 'sigmoid' }), 'layer 3 · sigmoid · saturated');
  assert.equal(rowLabel({ index: 1, type: 'relu' }), 'layer 1 · relu · dead');
});
