// node --test: the URL state and spec helpers of frontend/js/state.js, without a browser.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { clone, configFromHash, encodeConfig, jobIdFromHash, makeHash, store, tidySpec, withPath } from '../../frontend/js/state.js';

const SPEC = { name: 'ünïcode ✓', dataset: { name: 'digits' }, network: { layers: [{ type: 'flatten' }, { type: 'linear', out_features: 10 }] } };

test('a configuration survives the URL hash (base64url of UTF-8 JSON)', () => {
  const config = { spec: SPEC, presetId: 'lenet_digits', tab: 'gradients' };
  const text = encodeConfig(config);
  assert.match(text, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(configFromHash(`#cfg=${text}`), config);
});

test('the job id is read from the hash and odd ids are refused', () => {
  assert.equal(jobIdFromHash('#job=abc123'), 'abc123');
  assert.equal(jobIdFromHash('#job=a/b'), null);
  assert.equal(jobIdFromHash(''), null);
  const hash = makeHash('abc', { spec: SPEC, presetId: null, tab: 'inside' });
  assert.equal(jobIdFromHash(hash), 'abc');
  assert.deepEqual(configFromHash(hash).spec, SPEC);
});

test('withPath copies and sets a nested value, leaving the original alone', () => {
  const spec = clone(SPEC);
  const out = withPath(spec, ['network', 'layers', 1, 'out_features'], 3);
  assert.equal(out.network.layers[1].out_features, 3);
  assert.equal(spec.network.layers[1].out_features, 10);
  assert.deepEqual(withPath({}, ['training', 'lr'], 0.1), { training: { lr: 0.1 } });
});

test('tidySpec drops null layer fields, puts "type" first, drops options the data set does not take', () => {
  store.set({ datasets: [{ name: 'digits', kind: 'image', params: [] }] });
  const spec = { name: null, dataset: { name: 'digits', noise: 0.2 }, network: { layers: [{ out_features: 4, in_features: null, type: 'linear' }] } };
  const tidy = tidySpec(spec);
  assert.equal('name' in tidy, false);
  assert.deepEqual(tidy.dataset, { name: 'digits' });
  assert.deepEqual(Object.keys(tidy.network.layers[0]), ['type', 'out_features']);
});
