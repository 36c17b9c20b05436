// node --test: decoding the protocol's 8-bit array payloads (frontend/js/views/arrays.js).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { decodeQuantized, payloadRows } from '../../frontend/js/views/arrays.js';

const b64 = (codes) => Buffer.from(Uint8Array.from(codes)).toString('base64');

test('uint8 codes decode to vmin + code * (vmax - vmin) / 255', () => {
  const payload = { shape: [4], dims: ['x'], vmin: -1, vmax: 1, encoding: 'uint8', data: b64([0, 255, 51, 128]) };
  const values = decodeQuantized(payload);
  const expected = [-1, 1, -1 + (51 * 2) / 255, -1 + (128 * 2) / 255];
  expected.forEach((v, i) => assert.ok(Math.abs(values[i] - v) < 1e-6, `entry ${i}: ${values[i]} vs ${v}`));
});

test('a (rows, cols) uint8 payload comes back as rows, row 0 first; class ids round exactly', () => {
  const payload = { shape: [2, 3], dims: ['row', 'col'], vmin: 0, vmax: 255, encoding: 'uint8', data: b64([0, 1, 2, 3, 4, 5]) };
  assert.deepEqual(payloadRows(payload, { round: true }), [[0, 1, 2], [3, 4, 5]]);
});

test('a constant array (vmin = vmax) decodes to that value everywhere', () => {
  const payload = { shape: [3], dims: ['x'], vmin: 0.5, vmax: 0.5, encoding: 'uint8', data: b64([0, 7, 255]) };
  assert.deepEqual(Array.from(decodeQuantized(payload)), [0.5, 0.5, 0.5]);
});
