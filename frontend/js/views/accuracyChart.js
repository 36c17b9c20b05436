// Right column: train and test accuracy per epoch, with the chance level for reference.

import { baseLayout, CHART_CONFIG, COLORS, emptyNote, TraceBuffer } from './plotTheme.js';

export function createAccuracyChart(div) {
  let empty = true;
  const buffer = new TraceBuffer(() => div, 2, () => {
    if (empty) {
      empty = false;
      Plotly.relayout(div, { 'annotations[0].visible': false, 'xaxis.autorange': true });
    }
  });

  function draw(chance, note) {
    buffer.clear();
    empty = true;
    const traces = [
      { name: 'train', type: 'scatter', mode: 'lines+markers', x: [], y: [],
        line: { color: COLORS.train, width: 2 }, marker: { size: 4 }, hovertemplate: '%{y:.3f}' },
      { name: 'test', type: 'scatter', mode: 'lines+markers', x: [], y: [],
        line: { color: COLORS.test, width: 2 }, marker: { size: 4 }, hovertemplate: '%{y:.3f}' },
    ];
    const layout = baseLayout('Accuracy', 'epoch', 'accuracy (fraction)');
    layout.yaxis.range = [0, 1.02];
    layout.yaxis.fixedrange = true;
    layout.xaxis.range = [0, 10]; // until the first epoch arrives
    layout.annotations = [emptyNote(note)];
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
    /** New job; `chance` = 1 / number of classes (null when not a classification task). */
    reset(chance = null, note = 'Waiting for the first epoch…') {
      draw(chance, note);
    },

    /** Append the accuracies of an epoch-scope `metrics` message; step messages are ignored. */
    push(msg) {
      if (msg.scope !== 'epoch') return;
      if (msg.train_accuracy !== undefined) buffer.push(0, msg.epoch, msg.train_accuracy);
      if (msg.test_accuracy !== undefined) buffer.push(1, msg.epoch, msg.test_accuracy);
    },

    flush() {
      buffer.flush();
    },
  };
}
