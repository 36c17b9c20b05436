// node --test: the page's spec rules (frontend/js/specRules.js), DOM-free, with hand-made data sets.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  allowedOutputs, attentionCaption, fitsInput, forCorpus, forOutputs, forRegression, mapsPlaceholder, outputsNote,
  reprMode, specInputShape, specKey,
} from '../../frontend/js/specRules.js';

const SETS = {
  iris: { name: 'iris', task: 'classification', kind: 'tabular', classes: ['a', 'b', 'c'], input_shape: [4] },
  wine: { name: 'wine', task: 'classification', kind: 'tabular', classes: ['x', 'y'], input_shape: [13] },
  houses: { name: 'houses', task: 'regression', kind: 'tabular', input_shape: [8] },
  digits: { name: 'digits', task: 'classification', kind: 'image', classes: [...'0123456789'], input_shape: [1, 8, 8] },
  text8: { name: 'text8', kind: 'corpus' },
  adding: { name: 'adding', task: 'regression', kind: 'sequence', input_shape: [50, 2], params: ['seq_len', 'n_samples'] },
  reverse: { name: 'reverse', task: 'seq2seq', kind: 'sequence' },
};
const infoOf = (name) => SETS[name] ?? null;
const mlp = (dataset, out, loss) => ({
  dataset: { name: dataset }, network: { layers: [{ type: 'linear', out_features: 16 }, { type: 'relu' }, { type: 'linear', out_features: out }] },
  ...(loss ? { training: { loss } } : {}),
});

test('the output counts the server accepts follow the task, the classes and the loss', () => {
  assert.deepEqual(allowedOutputs(SETS.houses, 'mse'), [1]);
  assert.deepEqual(allowedOutputs(SETS.iris, 'cross_entropy'), [3]);
  assert.deepEqual(allowedOutputs(SETS.wine, 'bce_with_logits'), [2, 1]);
  assert.equal(allowedOutputs(SETS.reverse, 'cross_entropy'), null);
  assert.equal(allowedOutputs(null, 'mse'), null);
});

test('a new data set resizes the last linear layer only when it had the old set’s count', () => {
  const spec = forOutputs(mlp('iris', 3), mlp('wine', 3), infoOf);
  assert.equal(spec.network.layers[2].out_features, 2);
  assert.equal(outputsNote(mlp('iris', 3), spec, infoOf), 'Changed layers[2].out_features from 3 to 2: “wine” has 2 classes.');
  const own = mlp('wine', 7); // a size the user chose: left to the server's validation
  assert.equal(forOutputs(mlp('iris', 7), own, infoOf), own);
  assert.equal(outputsNote(mlp('iris', 7), own, infoOf), '');
  const conv = { dataset: { name: 'iris' }, network: { layers: [{ type: 'conv2d' }, { type: 'linear', out_features: 10 }] } };
  assert.equal(forOutputs(mlp('digits', 10), conv, infoOf), conv); // image layers on tabular data: not touched
  assert.equal(fitsInput([{ type: 'lstm' }], SETS.iris), false);
  assert.equal(fitsInput([{ type: 'conv2d' }], SETS.digits), true);
});

test('a regression set sets the loss to mse and one output; a corpus takes the word2vec preset', () => {
  const spec = forRegression(mlp('houses', 3, 'cross_entropy'), infoOf);
  assert.equal(spec.training.loss, 'mse');
  assert.equal(spec.network.layers[2].out_features, 1);
  assert.equal(forRegression(mlp('iris', 3), infoOf).training, undefined);
  const w2v = { spec: { network: { type: 'word2vec', dim: 8 }, dataset: { name: 'other' }, training: { lr: 0.1 } } };
  const out = forCorpus(mlp('text8', 3), [{ spec: mlp('iris', 3) }, w2v], infoOf);
  assert.deepEqual(out, { network: { type: 'word2vec', dim: 8 }, training: { lr: 0.1 }, name: 'word2vec on text8', dataset: { name: 'text8' } });
  assert.equal(forCorpus(mlp('text8', 3), [], infoOf).network.type, undefined); // no word2vec preset: unchanged
});

test('specs compare with presets by content: name, key order and null layer fields aside', () => {
  const a = { name: 'one', dataset: { name: 'iris' }, network: { layers: [{ type: 'linear', out_features: 3, bias: null }] } };
  const b = { network: { layers: [{ out_features: 3, type: 'linear' }] }, dataset: { name: 'iris' }, name: 'two' };
  assert.equal(specKey(a), specKey(b));
  assert.notEqual(specKey(a), specKey(mlp('iris', 3)));
});

test('texts that follow from the spec: mode, input shape, captions, placeholders', () => {
  assert.equal(reprMode({ network: { type: 'word2vec' } }), 'words');
  assert.equal(reprMode({ dataset: { target: 'input' } }), 'latent');
  assert.equal(reprMode(mlp('iris', 3)), null);
  assert.deepEqual(specInputShape(SETS.adding, { dataset: { name: 'adding', seq_len: 20 } }), [20, 2]);
  assert.deepEqual(specInputShape(SETS.iris, { dataset: { name: 'iris', seq_len: 20 } }), [4]);
  assert.match(attentionCaption({ dataset: { name: 'reverse' } }, infoOf), /anti-diagonal/);
  assert.match(attentionCaption({ dataset: { name: 'x' }, network: { layers: [{ type: 'self_attention', causal: true }] } }, infoOf), /causal model/);
  assert.match(mapsPlaceholder(mlp('iris', 3), infoOf), /“iris” is tabular data/);
  assert.match(mapsPlaceholder(mlp('digits', 10), infoOf), /no conv\/pool layers/);
  const lenet = { dataset: { name: 'digits' }, network: { layers: [{ type: 'conv2d' }] }, training: { probe_every: 5 } };
  assert.equal(mapsPlaceholder(lenet, infoOf), 'Waiting for the first probe (every 5 steps)…');
  assert.equal(mapsPlaceholder({ ...lenet, training: {} }, infoOf), 'Waiting for the first probe…');
});
