// node --test: what the Play button does for the job on screen (frontend/js/controllers/play.js), and
// the Neurons diagram's blank columns for the network on screen (frontend/js/views/diagramControls.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { playAction } from '../../frontend/js/controllers/play.js';
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
