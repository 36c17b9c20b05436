// node --test: the table-driven dispatcher (frontend/js/dispatch.js), without a browser.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createDispatcher } from '../../frontend/js/dispatch.js';

const msg = (type, seq, job = 'j1') => ({ v: 1, type, job_id: job, seq, step: seq });

test('latest hands the newest message of a type, all hands every one in arrival order', () => {
  const got = {};
  const dispatch = createDispatcher([
    { type: 'gates', mode: 'latest', handle: (m) => { got.gates = m.seq; } },
    { type: 'metrics', mode: 'all', handle: (list) => { got.metrics = list.map((m) => m.seq); } },
  ]);
  dispatch([msg('metrics', 1), msg('gates', 2), msg('metrics', 3), msg('gates', 4)]);
  assert.deepEqual(got, { gates: 4, metrics: [1, 3] });
});

test('routes run in table order, once per batch, only for types present', () => {
  const calls = [];
  const dispatch = createDispatcher([
    { type: 'b', mode: 'all', handle: () => calls.push('b') },
    { type: 'a', mode: 'latest', handle: () => calls.push('a1') },
    { type: 'a', mode: 'all', handle: () => calls.push('a2') },
    { type: 'c', mode: 'all', handle: () => calls.push('c') },
  ]);
  dispatch([msg('a', 1), msg('b', 2), msg('a', 3)]);
  assert.deepEqual(calls, ['b', 'a1', 'a2']);
});

test('an unknown type is reported, never dropped silently, and the rest still dispatch', () => {
  const unknown = [];
  let seen = 0;
  const dispatch = createDispatcher([{ type: 'metrics', mode: 'all', handle: (l) => { seen += l.length; } }],
    { onUnknown: (type, m) => unknown.push([type, m.seq]) });
  dispatch([msg('metrics', 1), msg('weight_histograms', 2), msg('metrics', 3)]);
  assert.deepEqual(unknown, [['weight_histograms', 2]]);
  assert.equal(seen, 2);
});

test('messages of another job are skipped when a job id is given', () => {
  const seqs = [];
  const dispatch = createDispatcher([{ type: 'metrics', mode: 'all', handle: (l) => seqs.push(...l.map((m) => m.seq)) }]);
  dispatch([msg('metrics', 1, 'old'), msg('metrics', 2, 'j1')], { jobId: 'j1' });
  assert.deepEqual(seqs, [2]);
});
