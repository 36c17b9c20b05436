// node --test: run names and labels (frontend/js/runName.js), against hand-written expectations.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { jobLabel, runName, specChanges } from '../../frontend/js/runName.js';

const spiral = { name: 'MLP on spiral', dataset: { name: 'spiral' }, network: { layers: [{ type: 'linear', out_features: 8 }] },
  training: { optimizer: 'adam', lr: 0.01, epochs: 100 } };
const presets = [{ id: 'mlp_spiral', title: 'MLP on spiral', spec: spiral }];
const same = (a, b) => JSON.stringify({ ...a, name: null }) === JSON.stringify({ ...b, name: null });

test('an edited preset names what changed; the preset itself and own names stay', () => {
  const xor = { ...spiral, dataset: { name: 'xor' } };
  assert.equal(runName(xor, presets, same).name, 'MLP on spiral · edited: dataset xor');
  assert.equal(runName(spiral, presets, same).name, 'MLP on spiral');
  assert.equal(runName({ ...xor, name: 'my run' }, presets, same).name, 'my run');
  const many = { ...xor, training: { optimizer: 'sgd', lr: 0.1, epochs: 5 }, network: { layers: [] } };
  assert.equal(runName(many, presets, same).name, 'MLP on spiral · edited: dataset xor, optimizer sgd, lr 0.1, …');
});

test('changes list the network once, and nothing for equal specs', () => {
  assert.deepEqual(specChanges(spiral, spiral), []);
  assert.deepEqual(specChanges({ ...spiral, network: { layers: [] } }, spiral), ['network']);
});

test('a job label tells two runs with the same name apart', () => {
  const a = { id: 'abcdef123', name: 'MLP', spec: { dataset: { name: 'digits' } }, created_at: null };
  const b = { ...a, id: '987654fff' };
  assert.notEqual(jobLabel(a), jobLabel(b));
  assert.equal(jobLabel(a, { figure: 'acc 0.930' }), 'MLP · digits · acc 0.930 · #abcdef');
});
