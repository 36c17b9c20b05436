// node --test: the visual builder's layer-list edits (frontend/js/layerEdits.js), with a hand-made
// catalogue shaped like GET /api/layers.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  activationTypes, addHiddenLayer, addLayer, blocks, hiddenLayers, indexCatalogue, insertIndex, moveBlock, newLayer,
  outputUnits, removeBlock, removeHiddenLayer, setActivation, steppedFields, stepField, valueFields, choiceFields, choiceOptions,
} from '../../frontend/js/layerEdits.js';

const int = (extra = {}) => ({ type: 'integer', ...extra });
const CATALOGUE = indexCatalogue([
  { type: 'linear', families: ['trainable', 'dense', 'affine'], json_schema: { required: ['type', 'out_features'], properties: {
    type: {}, out_features: int({ minimum: 1, maximum: 65536 }), in_features: { anyOf: [int({ minimum: 1 }), { type: 'null' }], default: null },
  } } },
  { type: 'conv2d', families: ['trainable', 'affine'], json_schema: { required: ['type', 'out_channels', 'kernel_size'], properties: {
    type: {}, out_channels: int({ minimum: 1 }), kernel_size: int({ minimum: 1, maximum: 64 }),
    padding: { anyOf: [int({ minimum: 0 }), { enum: ['same', 'valid'], type: 'string' }], default: 0 },
  } } },
  { type: 'dropout', families: [], json_schema: { required: ['type'], properties: {
    type: {}, p: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.5 } } } },
  { type: 'self_attention', families: [], json_schema: { required: ['type'], properties: {
    type: {}, num_heads: int({ minimum: 1, default: 1 }), dropout: { type: 'number', minimum: 0, default: 0 },
    score: { enum: ['scaled_dot', 'dot', 'cosine', 'additive'], type: 'string', default: 'scaled_dot' } } } },
  { type: 'sequence_pool', families: [], json_schema: { required: ['type'], properties: {
    type: {}, mode: { enum: ['mean', 'first', 'last'], type: 'string', default: 'mean' } } } },
  { type: 'flatten', families: [], json_schema: { required: ['type'], properties: { type: {} } } },
  { type: 'relu', families: ['pointwise_activation', 'activation'], json_schema: { required: ['type'], properties: { type: {} } } },
  { type: 'tanh', families: ['pointwise_activation', 'activation'], json_schema: { required: ['type'], properties: { type: {} } } },
]);
const MLP = [{ type: 'linear', out_features: 16 }, { type: 'relu' }, { type: 'linear', out_features: 8 }, { type: 'tanh' },
  { type: 'linear', out_features: 2 }];

test('activations come from the catalogue families', () => {
  assert.deepEqual(activationTypes(CATALOGUE), ['relu', 'tanh']);
});

test('an affine layer and the activation after it form one block', () => {
  assert.deepEqual(blocks(MLP, CATALOGUE), [
    { start: 0, end: 2, activation: 'relu' }, { start: 2, end: 4, activation: 'tanh' }, { start: 4, end: 5, activation: null },
  ]);
  assert.deepEqual(blocks([{ type: 'relu' }, { type: 'flatten' }, { type: 'relu' }], CATALOGUE).map((b) => b.end), [1, 2, 3]);
});

test('remove and move work on whole blocks and leave the input alone', () => {
  const before = JSON.stringify(MLP);
  assert.deepEqual(removeBlock(MLP, CATALOGUE, 1).map((l) => l.type), ['linear', 'relu', 'linear']);
  const moved = moveBlock(MLP, CATALOGUE, 1, -1);
  assert.deepEqual(moved.map((l) => l.out_features ?? l.type), [8, 'tanh', 16, 'relu', 2]);
  assert.deepEqual(moveBlock(MLP, CATALOGUE, 2, -1).map((l) => l.out_features ?? l.type), [16, 'relu', 2, 8, 'tanh']);
  assert.deepEqual(moveBlock(MLP, CATALOGUE, 0, -1), MLP); // nothing above the first block
  assert.equal(JSON.stringify(MLP), before);
});

test('the activation menu inserts, replaces and removes the following activation layer', () => {
  assert.deepEqual(setActivation(MLP, CATALOGUE, 0, 'tanh').slice(0, 2), [MLP[0], { type: 'tanh' }]);
  assert.equal(setActivation(MLP, CATALOGUE, 0, '').length, 4);
  assert.deepEqual(setActivation(MLP, CATALOGUE, 2, 'relu').slice(-2), [MLP[4], { type: 'relu' }]);
  const flat = [{ type: 'flatten' }];
  assert.deepEqual(setActivation(flat, CATALOGUE, 0, 'relu'), flat); // no menu on a non-affine layer
});

test('+/- steps an integer field within the schema range', () => {
  assert.equal(stepField(MLP, CATALOGUE, 0, 'out_features', 1)[0].out_features, 17);
  assert.equal(stepField([{ type: 'linear', out_features: 1 }], CATALOGUE, 0, 'out_features', -1)[0].out_features, 1);
  assert.equal(stepField([{ type: 'conv2d', out_channels: 4, kernel_size: 3 }], CATALOGUE, 0, 'padding', 1)[0].padding, 1);
  assert.equal(stepField([{ type: 'conv2d', out_channels: 4, kernel_size: 64 }], CATALOGUE, 0, 'kernel_size', 1)[0].kernel_size, 64);
});

test('stepped fields: the required ones and those the layer sets', () => {
  assert.deepEqual(steppedFields(CATALOGUE.get('linear'), { type: 'linear', out_features: 3 }), ['out_features']);
  assert.deepEqual(steppedFields(CATALOGUE.get('linear'), { type: 'linear', out_features: 3, in_features: 2 }), ['out_features', 'in_features']);
  assert.deepEqual(steppedFields(CATALOGUE.get('conv2d'), { type: 'conv2d', padding: 1 }), ['out_channels', 'kernel_size', 'padding']);
});

test('a new layer copies the nearest same-type layer, else small defaults', () => {
  assert.deepEqual(newLayer(CATALOGUE, 'linear', MLP, 4), { type: 'linear', out_features: 8 });
  assert.deepEqual(newLayer(CATALOGUE, 'conv2d', MLP, 4), { type: 'conv2d', out_channels: 16, kernel_size: 3 });
  assert.deepEqual(newLayer(CATALOGUE, 'flatten', MLP, 4), { type: 'flatten' });
});

test('add inserts before the output layer, with the hidden layers\' activation', () => {
  assert.equal(insertIndex(MLP, CATALOGUE), 4);
  assert.deepEqual(addLayer(MLP, CATALOGUE, 'linear').map((l) => l.out_features ?? l.type), [16, 'relu', 8, 'tanh', 8, 'tanh', 2]);
  assert.deepEqual(addLayer([{ type: 'flatten' }], CATALOGUE, 'relu'), [{ type: 'flatten' }, { type: 'relu' }]);
  assert.deepEqual(addLayer([], CATALOGUE, 'linear'), [{ type: 'linear', out_features: 16 }]);
});

test('the Neurons diagram\'s hidden layers: every dense layer but the last, to the next dense one', () => {
  assert.deepEqual(hiddenLayers(MLP, CATALOGUE), [
    { start: 0, end: 2, at: 1, units: 16, activation: 'relu' }, { start: 2, end: 4, at: 3, units: 8, activation: 'tanh' },
  ]);
  const mixed = [{ type: 'linear', out_features: 4 }, { type: 'flatten' }, { type: 'relu' }, { type: 'tanh' }, { type: 'linear', out_features: 3 }];
  assert.deepEqual(hiddenLayers(mixed, CATALOGUE), [{ start: 0, end: 4, at: 3, units: 4, activation: 'tanh' }]);
  assert.deepEqual(hiddenLayers([{ type: 'linear', out_features: 2 }], CATALOGUE), []);
  assert.equal(outputUnits(MLP, CATALOGUE), 2);
  assert.equal(outputUnits([{ type: 'flatten' }], CATALOGUE), null);
});

test('the diagram adds a hidden layer like the last one and removes the last, whole', () => {
  assert.deepEqual(addHiddenLayer(MLP, CATALOGUE).map((l) => l.out_features ?? l.type), [16, 'relu', 8, 'tanh', 8, 'tanh', 2]);
  const mixed = [{ type: 'linear', out_features: 4 }, { type: 'dropout' }, { type: 'tanh' }, { type: 'linear', out_features: 3 }];
  assert.deepEqual(removeHiddenLayer(mixed, CATALOGUE), [{ type: 'linear', out_features: 3 }]);
  assert.deepEqual(removeHiddenLayer(MLP, CATALOGUE).map((l) => l.out_features ?? l.type), [16, 'relu', 2]);
  assert.deepEqual(removeHiddenLayer([{ type: 'linear', out_features: 2 }], CATALOGUE), [{ type: 'linear', out_features: 2 }]);
});

test('real-number and named-choice fields: those a layer sets, and the only field of a type', () => {
  assert.deepEqual(valueFields(CATALOGUE.get('dropout'), { type: 'dropout' }), ['p']); // its only field
  assert.deepEqual(valueFields(CATALOGUE.get('self_attention'), { type: 'self_attention' }), []);
  assert.deepEqual(valueFields(CATALOGUE.get('self_attention'), { type: 'self_attention', dropout: 0.1 }), ['dropout']);
  assert.deepEqual(choiceFields(CATALOGUE.get('sequence_pool'), { type: 'sequence_pool' }), ['mode']);
  assert.deepEqual(choiceFields(CATALOGUE.get('self_attention'), { type: 'self_attention', score: 'cosine' }), ['score']);
  assert.deepEqual(choiceFields(CATALOGUE.get('conv2d'), { type: 'conv2d', padding: 'same' }), []); // padding: its stepper has the menu
  assert.deepEqual(choiceOptions(CATALOGUE.get('conv2d'), 'padding'), ['same', 'valid']);
  assert.deepEqual(steppedFields(CATALOGUE.get('conv2d'), { type: 'conv2d', padding: 'same' }), ['out_channels', 'kernel_size', 'padding']);
  assert.equal(choiceOptions(CATALOGUE.get('linear'), 'out_features'), null);
});
