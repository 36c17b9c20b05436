// node --test: the LSTM/GRU gates' colour bars (frontend/js/views/gates.js) keep their tick labels and
// titles apart at any panel height. At 1280x800, with loss and accuracy side by side, the gates of a
// series got a 167 px plot area: bars 50 px long just missed the old "compact" cut-off, and Plotly's
// automatic ticks put five tanh labels 7.5 px apart on the 30 px bar it drew inside that length.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { barTicks, coloraxes } from '../../frontend/js/views/gates.js';

const LSTM = [{ name: 'i' }, { name: 'f' }, { name: 'g' }, { name: 'o' }, { name: 'c', limit: 0.734 }, { name: 'h' }];
const GRU = [{ name: 'r' }, { name: 'z' }, { name: 'n' }, { name: 'h' }];

test('bar ticks: the most that stay apart, always both ends', () => {
  assert.deepEqual(barTicks(-1, 1, 200, 9, [5, 3, 2]), [-1, -0.5, 0, 0.5, 1]);
  assert.deepEqual(barTicks(-1, 1, 38, 8, [5, 3, 2]), [-1, 0, 1]);
  assert.deepEqual(barTicks(0, 1, 20, 8, [6, 3, 2]), [0, 1]);
  assert.deepEqual(barTicks(0, 1, 5, 8, [6, 3, 2]), [0, 1]); // too short for any: still the two ends
});

for (const [name, arrays] of [['LSTM', LSTM], ['GRU', GRU]]) {
  test(`${name}: every bar's labels and titles fit their slots, from the shortest figure to a tall one`, () => {
    for (let plotPx = arrays.length * 22; plotPx <= 900; plotPx += 1) { // from MIN_ROW_PX a row
      const axes = Object.values(coloraxes(arrays, plotPx));
      const slot = plotPx / axes.length;
      for (const { colorbar: b } of axes) {
        const drawn = plotPx * b.len - 2 * b.ypad; // the bar Plotly draws inside its length
        const { tickvals: v, ticktext: t } = b;
        assert.equal(b.tickmode, 'array');
        assert.ok(v.length >= 2 && v.length === t.length, `${plotPx}px: ${t}`);
        const spacing = drawn / (v.length - 1);
        assert.ok(spacing >= b.tickfont.size * 1.25, `${plotPx}px: ${t} ${spacing.toFixed(1)} px apart`);
        assert.ok(b.title.text.length * b.title.font.size * 0.62 <= slot, `${plotPx}px: title "${b.title.text}"`);
      }
    }
  });
}

test('c_t ticks are its own ± limit, to 2 significant digits', () => {
  const { colorbar } = coloraxes(LSTM, 400).coloraxis3;
  assert.deepEqual(colorbar.ticktext, ['−0.73', '−0.37', '0', '0.37', '0.73']);
  assert.equal(colorbar.title.text, 'cell state');
  assert.equal(coloraxes(LSTM, 167).coloraxis3.colorbar.title.text, 'c_t');
});
