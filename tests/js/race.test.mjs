import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseValues } from '../../frontend/js/race.js';
import { lossAxisTitle } from '../../frontend/js/views/raceChart.js';

test('the loss axis names the unit of the runs, warns when they differ, and has no stray unit before a race', () => {
  assert.equal(lossAxisTitle([]), 'training loss, epoch mean');
  assert.equal(lossAxisTitle(['cross_entropy', 'cross_entropy']), 'training loss, epoch mean (nats)');
  assert.equal(lossAxisTitle(['cross_entropy', 'mse']), 'training loss, epoch mean (nats or squared error: not comparable)');
});

test('hidden race values stay "<depth>x<width>" strings; numeric fields become numbers', () => {
  assert.deepEqual(parseValues('hidden', '1x179, 4x16'), ['1x179', '4x16']);
  assert.deepEqual(parseValues('training.batch_size', '1, 32, full'), [1, 32, 'full']);
});
