// node --test: views/series.js, the push/flush half of the stream views' interface.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { batched } from '../../frontend/js/views/series.js';

test('flush hands what was pushed since the last flush, once; an empty flush draws nothing', () => {
  const drawn = [];
  const view = batched((list) => drawn.push(list));
  view.flush();
  view.push(1);
  view.push(2);
  view.flush();
  view.flush();
  view.push(3);
  view.flush();
  assert.deepEqual(drawn, [[1, 2], [3]]);
});
