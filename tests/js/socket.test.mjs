// node --test: the stream client's frames (frontend/js/socket.js), without a browser or a server.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { JobStream, streamUrl } from '../../frontend/js/socket.js';

const msg = (seq, type = 'metrics', extra = {}) => ({ v: 1, type, job_id: 'j1', seq, step: seq, ...extra });

function received(frames, after = 0) {
  const got = [];
  const stream = new JobStream('j1', { after, onMessage: (m) => got.push(m.seq) });
  for (const frame of frames) stream._receive(frame);
  return { got, stream };
}

test('a batched frame hands each message in order; a single-message frame still works', () => {
  const { got } = received([JSON.stringify([msg(1), msg(2), msg(3)]), JSON.stringify(msg(4)), JSON.stringify([msg(5)])]);
  assert.deepEqual(got, [1, 2, 3, 4, 5]);
});

test('inside a batch, duplicates after a reconnect and foreign entries are dropped, the rest kept', () => {
  const frame = JSON.stringify([msg(2), msg(3), { v: 2, seq: 4 }, null, 'text', msg(4), msg(4)]);
  const { got, stream } = received([frame], 2);
  assert.deepEqual(got, [3, 4]);
  assert.equal(stream.lastSeq, 4);
});

test('a terminal status inside a batch ends the stream (no reconnect)', () => {
  const { stream } = received([JSON.stringify([msg(1), msg(2, 'status', { status: 'completed' })])]);
  assert.equal(stream.terminal, true);
});

test('a frame that is not JSON is ignored', () => {
  const { got } = received(['not json', JSON.stringify([msg(1)])]);
  assert.deepEqual(got, [1]);
});

test('the page asks for batched frames and the downsampled history', () => {
  globalThis.location = { protocol: 'http:', host: 'localhost:8000' };
  const url = new URL(streamUrl('j 1', 7, 'tok'));
  assert.equal(url.pathname, '/api/jobs/j%201/stream');
  assert.deepEqual(Object.fromEntries(url.searchParams), { max_points: '2000', batch: 'true', after: '7', token: 'tok' });
});
