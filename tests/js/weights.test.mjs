// node --test: views/weights.js, the Weights tab's pure parts.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { binCentres, divergingRgb, histogramHeight, histogramTitle, templateSize } from '../../frontend/js/views/weights.js';

test('a histogram becomes densities whose area is 1, so histograms with other bins compare', () => {
  const layer = { lo: -1, hi: 1, count: 10, counts: [1, 4, 5, 0] };
  const { x, width, density } = binCentres(layer);
  assert.deepEqual(x, [-0.75, -0.25, 0.25, 0.75]);
  assert.equal(width, 0.5);
  assert.equal(density.reduce((a, b) => a + b, 0) * width, 1);
  assert.deepEqual(density, [0.2, 0.8, 1, 0]);
});

test('the title gives the weights and the std now and at initialisation', () => {
  const now = { index: 3, type: 'linear', count: 8192, std: 0.0941 };
  assert.equal(histogramTitle(now, { std: 0.0722 }), 'layer 3 · linear · 8,192 weights · std 0.094 (init 0.072)');
  assert.equal(histogramTitle(now, now), 'layer 3 · linear · 8,192 weights · std 0.094');
});

test('template colours: white at 0, the scale\'s red and blue at ±max, clamped beyond', () => {
  assert.deepEqual(divergingRgb(0, 2), [0xf7, 0xf7, 0xf7]);
  assert.deepEqual(divergingRgb(2, 2), [0xb2, 0x18, 0x2b]);
  assert.deepEqual(divergingRgb(-5, 2), [0x21, 0x66, 0xac]);
  assert.deepEqual(divergingRgb(1, 0), [0xf7, 0xf7, 0xf7]);
});

test('templates grow to fill a large pane and stay at least 64 px', () => {
  const small = templateSize(10, 580, 450);
  const large = templateSize(10, 930, 760);
  assert.ok(small >= 64 && large > small && large <= 160, `${small} ${large}`);
  const perRow = Math.floor((930 - 8) / (large + 6));
  assert.ok(Math.ceil(10 / perRow) * (large + 22) <= 0.45 * 760);
  assert.equal(templateSize(0, 580, 450), 64);
  assert.equal(templateSize(16, 100, 50), 64);
});

test('histogram cards fill the area between 130 and 260 px', () => {
  assert.equal(histogramHeight(3, 580, 200), 130);
  assert.equal(histogramHeight(3, 930, 500), 260);
  assert.equal(histogramHeight(1, 580, 300), 260);
  assert.equal(histogramHeight(4, 580, 400), 196); // 2 per row, 2 rows: 400 / 2 - 4
});
