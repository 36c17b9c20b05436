import assert from 'node:assert/strict';
import { test } from 'node:test';

import { maybeLinearRegression } from '../../frontend/js/controllers/learned.js';
import { changeText } from '../../frontend/js/views/lossChart.js';

test('a live change reads as the settings and their new values', () => {
  assert.equal(changeText({ lr: 0.05 }), 'lr 0.05');
  assert.equal(changeText({ lr: 0.1, grad_clip: 1 }), 'lr 0.1, grad_clip 1');
  assert.equal(changeText({ grad_clip: null }), 'grad_clip off');
});

test('only one linear layer with one output may be a linear regression', () => {
  const net = (layers) => ({ network: { layers } });
  assert.equal(maybeLinearRegression(net([{ type: 'linear', out_features: 1 }])), true);
  assert.equal(maybeLinearRegression(net([{ type: 'flatten' }, { type: 'linear', out_features: 1 }])), true);
  assert.equal(maybeLinearRegression(net([{ type: 'flatten' }, { type: 'linear', out_features: 10 }])), false);
  assert.equal(maybeLinearRegression(net([{ type: 'linear', out_features: 8 }, { type: 'tanh' }, { type: 'linear', out_features: 1 }])), false);
  assert.equal(maybeLinearRegression({ network: { type: 'word2vec' } }), false);
  assert.equal(maybeLinearRegression(null), false);
});
