// Right column: training loss per step, and train / test loss per epoch, against the step.
// Curves only append (Plotly.extendTraces); reset() starts a new job's chart.

import { decimate } from './decimate.js';
import { baseLayout, CHART_CONFIG, COLORS, emptyNote, TraceBuffer } from './plotTheme.js';

const MAX_DRAWN = 6000; // past this many drawn step points, the step curve is halved (min/max kept)

/** Y axis title for a loss name: cross-entropy is a negative log-likelihood, in nats. */
export function lossAxisTitle(loss) {
  if (loss === 'mse') return 'loss (squared error)';
  return loss === 'cross_entropy' ? 'loss (nats)' : 'loss';
}

const MARK_COLOR = '#8c6d1f';

/** The text of a live settings change: `{lr: 0.05, grad_clip: 1}` -> "lr 0.05, grad_clip 1". */
export function changeText(changes) {
  return Object.entries(changes).map(([k, v]) => `${k} ${v === null ? 'off' : v}`).join(', ');
}

/** A dashed vertical line between step `step` (the last with the old settings) and the next, and
 * its label at the top of the plot. */
function changeMark(msg) {
  const x = msg.step + 0.5;
  return {
    shape: { type: 'line', xref: 'x', yref: 'paper', x0: x, x1: x, y0: 0, y1: 1, line: { color: MARK_COLOR, width: 1, dash: 'dash' } },
    note: { xref: 'x', yref: 'paper', x, y: 1, xanchor: 'left', yanchor: 'top', showarrow: false, name: 'live-change',
      text: changeText(msg.changes), font: { size: 9, color: MARK_COLOR }, bgcolor: 'rgba(255,255,255,0.7)' },
  };
}

export function createLossChart(div) {
  let empty = true;
  let marks = []; // live settings changes drawn on the chart
  const buffer = new TraceBuffer(() => div, 3, { layout: firstPoints, after: afterFlush });

  /** With the first points: the note goes, the axes fit the curves (drawn in the same redraw). */
  function firstPoints() {
    if (!empty) return null;
    empty = false;
    return { 'annotations[0].visible': false, 'xaxis.autorange': true, 'yaxis.autorange': true };
  }

  function afterFlush() {
    const drawn = div.data[0];
    if (drawn.x.length > MAX_DRAWN) {
      const half = decimate(drawn.x, drawn.y, MAX_DRAWN / 2);
      Plotly.restyle(div, { x: [half.x], y: [half.y] }, [0]);
    }
  }

  function draw(loss, note, test = true) {
    buffer.clear();
    marks = [];
    empty = true;
    const traces = [
      { name: 'per step', type: 'scatter', mode: 'lines', x: [], y: [],
        line: { color: COLORS.trainStep, width: 1 }, hovertemplate: '%{y:.4f}' },
      { name: 'epoch mean', type: 'scatter', mode: 'lines+markers', x: [], y: [],
        line: { color: COLORS.train, width: 2 }, marker: { size: 4 }, hovertemplate: '%{y:.4f}' },
      { name: 'test', type: 'scatter', mode: 'lines+markers', x: [], y: [], visible: test,
        line: { color: COLORS.test, width: 2 }, marker: { size: 4 }, hovertemplate: '%{y:.4f}' },
    ];
    const layout = baseLayout('Loss', 'step', lossAxisTitle(loss));
    // short names (training loss per step and per epoch, test loss at each epoch's end: the caption
    // says so) keep the legend on one line beside the title in a half-width chart
    layout.legend.font = { size: 9 };
    layout.yaxis.rangemode = 'tozero';
    layout.xaxis.range = [0, 100]; // until the first steps arrive
    layout.yaxis.range = [0, 2.5];
    layout.annotations = [emptyNote(note)];
    Plotly.react(div, traces, layout, CHART_CONFIG);
  }

  draw('cross_entropy', 'Press ▶ Play to watch the loss fall.');

  return {
    /** New job: empty curves, `note` on them; `loss` (e.g. "cross_entropy") picks the y axis title;
     * `test: false` (word2vec: no test loss is measured) leaves the test curve and its legend entry out. */
    reset(note = 'Waiting for the first steps…', { loss = 'cross_entropy', test = true } = {}) {
      draw(loss, note, test);
    },

    /** Append one `metrics` message (scope "step" or "epoch"); null values leave a gap. */
    push(msg) {
      if (msg.scope === 'step') {
        buffer.push(0, msg.step, msg.train_loss ?? null);
      } else if (msg.scope === 'epoch') {
        if ('train_loss' in msg) buffer.push(1, msg.step, msg.train_loss ?? null);
        if ('test_loss' in msg) buffer.push(2, msg.step, msg.test_loss ?? null);
      }
    },

    flush() {
      buffer.flush();
    },

    /** Mark `settings` messages (live lr / grad_clip ... changes) at their step, with the new values;
     * a replayed history marks them again, once each. */
    markChanges(list) {
      const fresh = list.filter((msg) => msg.changes && !marks.some((m) => m.seq === msg.seq));
      if (!fresh.length) return;
      marks = [...marks, ...fresh.map((msg) => ({ seq: msg.seq, ...changeMark(msg) }))];
      const empty0 = div.layout.annotations[0];
      Plotly.relayout(div, { shapes: marks.map((m) => m.shape), annotations: [empty0, ...marks.map((m) => m.note)] });
    },
  };
}
