// node --test: what the Play button does for the job on screen (frontend/js/controllers/play.js), and
// the Neurons diagram's blank columns for the network on screen (frontend/js/views/diagramControls.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { playAction, specEdits } from '../../frontend/js/controllers/play.js';
import { MAX_UNITS, frameMatches, structureColumns } from '../../frontend/js/views/diagramControls.js';

test('Play trains without a job, pauses a running one, resumes a paused one, trains again after the end', () => {
  assert.equal(playAction(null, true), 'train');
  assert.equal(playAction(null, false), null); // an invalid spec: nothing to play
  for (const status of ['queued', 'running']) assert.equal(playAction({ status }, false), 'pause');
  assert.equal(playAction({ status: 'paused' }, true), 'resume');
  for (const status of ['completed', 'stopped', 'failed', 'interrupted', 'diverged']) assert.equal(playAction({ status }, true), 'train');
  assert.equal(playAction({ status: 'completed' }, false), null);
});

const NET = { hidden: [{ start: 0, at: 1, units: 8, activation: 'tanh' }, { start: 2, at: 3, units: 40, activation: 'relu' }], outputs: 2 };

test('the diagram draws the network on screen blank: inputs, hidden units (at most MAX_UNITS), outputs', () => {
  const cols = structureColumns(NET);
  assert.deepEqual(cols.map((c) => c.units.length), [2, 8, MAX_UNITS, 2]);
  assert.deepEqual(cols.map((c) => c.total), [2, 8, 40, 2]);
  assert.deepEqual(cols.map((c) => c.title), ['input', 'layer 1 · tanh', 'layer 3 · relu', 'output']);
  assert.ok(cols[1].units.every((u) => u === false) && cols[3].units.every((u) => u === null));
});

test('a frame is drawn only while it shows the network on screen', () => {
  const frame = { layers: [{ units_total: 8 }, { units_total: 40 }], outputs_total: 2 };
  assert.ok(frameMatches(frame, NET));
  assert.ok(frameMatches(frame, null));
  assert.ok(!frameMatches({ ...frame, layers: [{ units_total: 9 }, { units_total: 40 }] }, NET));
  assert.ok(!frameMatches({ ...frame, layers: [{ units_total: 8 }] }, NET));
  assert.ok(!frameMatches({ ...frame, outputs_total: 3 }, NET));
});

test('sizes the server refuses draw no units instead of throwing', () => {
  const cols = structureColumns({ hidden: [{ start: 0, at: 1, units: -3, activation: 'tanh' }], outputs: -1 });
  assert.deepEqual(cols.map((c) => c.units.length), [2, 0, 0]);
});

const LIVE = [['training', 'lr'], ['training', 'grad_clip'], ['training', 'max_steps_per_s']];
const SPEC = { name: 'a', dataset: { name: 'spiral' }, network: { layers: [{ type: 'linear', out_features: 8 }] },
  training: { lr: 0.01, epochs: 5 } };

test('specEdits: live settings are named with their new values, anything else marks the spec edited', () => {
  const copy = () => JSON.parse(JSON.stringify(SPEC));
  assert.deepEqual(specEdits(SPEC, copy(), LIVE), { edited: false, live: {} });
  const lr = copy();
  lr.training.lr = 0.05;
  lr.name = 'renamed'; // the name is not the network
  assert.deepEqual(specEdits(SPEC, lr, LIVE), { edited: false, live: { lr: 0.05 } });
  const clip = copy();
  clip.training.grad_clip = 1;
  assert.deepEqual(specEdits(SPEC, clip, LIVE), { edited: false, live: { grad_clip: 1 } });
  const wider = copy();
  wider.network.layers[0].out_features = 9;
  wider.training.lr = 0.1;
  assert.deepEqual(specEdits(SPEC, wider, LIVE), { edited: true, live: { lr: 0.1 } });
  const epochs = copy();
  epochs.training.epochs = 6;
  assert.equal(specEdits(SPEC, epochs, LIVE).edited, true);
  assert.deepEqual(specEdits(null, SPEC, LIVE), { edited: false, live: {} });
});

test('Play on a paused job trains the edited network as a new job only when it can be trained', () => {
  assert.equal(playAction({ status: 'paused' }, true, true), 'retrain');
  assert.equal(playAction({ status: 'paused' }, false, true), 'resume'); // an invalid edit: go on with the job
  assert.equal(playAction({ status: 'paused' }, true, false), 'resume');
  assert.equal(playAction({ status: 'running' }, true, true), 'pause');
});
