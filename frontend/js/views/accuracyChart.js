// Right column: train and test accuracy per epoch, with the chance level for reference. For regression
// (no accuracy) the same chart shows R^2, the share of the target's variance the model explains. Jobs
// with no accuracy at all (word2vec, autoencoders: task 'none') keep the chart's note, and no legend.

import { baseLayout, CHART_CONFIG, COLORS, emptyNote, TraceBuffer } from './plotTheme.js';

const METRICS = {
  accuracy: { title: 'Accuracy', axis: 'accuracy (fraction)', keys: ['train_accuracy', 'test_accuracy'] },
  r2: { title: 'R² (coefficient of determination)', axis: 'R² (1 = perfect)', keys: ['train_r2', 'test_r2'] },
};

const MAX_UNIT_TICKS = 12; // up to this many epochs, a tick at every epoch

export function createAccuracyChart(div) {
  let empty = true;
  let metric = METRICS.accuracy;
  let integerTicks = false;
  // the layout changes that go with new points (drawn with them, in one redraw), or null
  const buffer = new TraceBuffer(() => div, 2, {
    layout: (lastEpoch) => {
      const changes = {};
      if (empty && metric) {
        empty = false;
        Object.assign(changes, { 'annotations[0].visible': false, 'xaxis.autorange': true,
          ...(metric === METRICS.r2 ? { 'yaxis.autorange': true } : {}) });
      }
      // Epochs are whole numbers: over a short run one tick per epoch (Plotly would put 0.5, 1.5 ...).
      const small = Math.max(0, lastEpoch) <= MAX_UNIT_TICKS;
      if (small !== integerTicks) {
        integerTicks = small;
        Object.assign(changes, small ? { 'xaxis.tickmode': 'linear', 'xaxis.tick0': 0, 'xaxis.dtick': 1 } : { 'xaxis.tickmode': 'auto' });
      }
      return Object.keys(changes).length ? changes : null;
    },
  });

  function draw(chance, note, epochs) {
    buffer.clear();
    empty = true;
    integerTicks = false;
    const traces = [
      { name: 'train', type: 'scatter', mode: 'lines+markers', x: [], y: [],
        line: { color: COLORS.train, width: 2 }, marker: { size: 4 }, hovertemplate: '%{y:.3f}' },
      { name: 'test', type: 'scatter', mode: 'lines+markers', x: [], y: [],
        line: { color: COLORS.test, width: 2 }, marker: { size: 4 }, hovertemplate: '%{y:.3f}' },
    ];
    const layout = baseLayout(metric ? metric.title : 'Accuracy', 'epoch', metric ? metric.axis : 'accuracy (fraction)');
    layout.showlegend = Boolean(metric);
    if (!metric) { // nothing will be plotted: no empty axes, only the note saying why
      layout.xaxis.visible = false;
      layout.yaxis.visible = false;
    }
    if (metric === METRICS.r2) {
      // R^2 starts anywhere below 1 (an early model worse than the mean is negative: shown, not
      // clipped); it is capped at 1 (perfect fit)
      layout.yaxis.autorange = true;
      layout.yaxis.autorangeoptions = { maxallowed: 1.02 };
      layout.yaxis.range = [0, 1.02]; // until the first epoch arrives
    } else {
      layout.yaxis.range = [0, 1.02];
      layout.yaxis.fixedrange = true;
    }
    // until the first epoch arrives: the run's own epochs (a 1-epoch run is not drawn on 10)
    const span = Number.isFinite(epochs) && epochs >= 1 ? epochs : 10;
    layout.xaxis.range = [0, span];
    integerTicks = span <= MAX_UNIT_TICKS;
    if (integerTicks) Object.assign(layout.xaxis, { tickmode: 'linear', tick0: 0, dtick: 1 });
    // the note wrapped to the plot area (the chart's width less its margins and a little air)
    const plotWidth = (div.clientWidth || 300) - layout.margin.l - layout.margin.r - 16;
    layout.annotations = [emptyNote(note, plotWidth)];
    layout.shapes = chance ? [{
      type: 'line', xref: 'paper', x0: 0, x1: 1, yref: 'y', y0: chance, y1: chance,
      line: { color: COLORS.chance, width: 1, dash: 'dot' },
    }] : [];
    if (chance) {
      layout.annotations.push({
        text: `chance ${chance.toFixed(2)}`, showarrow: false, xref: 'paper', x: 1, xanchor: 'right',
        yref: 'y', y: chance, yanchor: 'bottom', font: { size: 9, color: COLORS.chance },
      });
    }
    Plotly.react(div, traces, layout, CHART_CONFIG);
  }

  draw(null, 'Accuracy is measured at the end of every epoch.');

  return {
    /** New job, `note` on the empty chart; `chance` = 1 / number of classes (null when not a classification task); `task`
     * 'regression' charts R^2 instead of accuracy; 'none' (no accuracy is measured) keeps `note` on an
     * empty chart, whatever metrics arrive; `epochs` (the spec's training.epochs) spans the empty axis. */
    reset(note = 'Waiting for the first epoch…', { chance = null, task = 'classification', epochs = null } = {}) {
      metric = task === 'none' ? null : task === 'regression' ? METRICS.r2 : METRICS.accuracy;
      draw(chance, note, epochs);
    },

    /** Append the accuracies (or R^2) of an epoch-scope `metrics` message; step messages are ignored. */
    push(msg) {
      if (msg.scope !== 'epoch' || !metric) return;
      const [train, test] = metric.keys;
      if (msg[train] !== undefined) buffer.push(0, msg.epoch, msg[train]);
      if (msg[test] !== undefined) buffer.push(1, msg.epoch, msg[test]);
    },

    flush() {
      buffer.flush();
    },
  };
}
