// Right column, "MLE vs MAP" tab: the objective split into its data term (negative log-likelihood,
// or squared error for mse) and its prior terms (L2 = Gaussian prior, L1 = Laplace prior), per step.
// Curves only append (Plotly.extendTraces); reset() starts a new job's chart.

import { baseLayout, CHART_CONFIG, COLORS, emptyNote, TraceBuffer } from './plotTheme.js';

const PRIOR_L2 = '#2ca02c';
const PRIOR_L1 = '#9467bd';
const OBJECTIVE = '#333333';

/** Y axis title: the data term's unit, per example (the prior terms are added to it). */
export function termAxisTitle(loss) {
  return loss === 'mse' ? 'per example (squared error)' : 'per example (nats)';
}

function dataTermName(loss) {
  return loss === 'mse' ? 'data term: squared error' : 'data term: −log-likelihood';
}

export function createLikelihoodChart(div) {
  let empty = true;
  const buffer = new TraceBuffer(() => div, 4, {
    layout: () => { // with the first points: the note goes, the axes fit the curves
      if (!empty) return null;
      empty = false;
      return { 'annotations[0].visible': false, 'xaxis.autorange': true, 'yaxis.autorange': true };
    },
  });

  function draw(loss, note) {
    buffer.clear();
    empty = true;
    const line = (name, color, extra = {}) => ({
      name, type: 'scatter', mode: 'lines', x: [], y: [], line: { color, width: 1.5, ...extra }, hovertemplate: '%{y:.4f}',
    });
    const traces = [
      line(dataTermName(loss), COLORS.train),
      line('L2 term: Gaussian prior', PRIOR_L2),
      line('L1 term: Laplace prior', PRIOR_L1),
      line('objective (sum: MAP)', OBJECTIVE, { dash: 'dot' }),
    ];
    const layout = baseLayout('Objective = data term + prior terms', 'step', termAxisTitle(loss));
    layout.yaxis.rangemode = 'tozero';
    layout.xaxis.range = [0, 100];
    layout.yaxis.range = [0, 1];
    layout.legend.font = { size: 9 };
    layout.annotations = [emptyNote(note)];
    Plotly.react(div, traces, layout, CHART_CONFIG);
  }

  draw('cross_entropy', 'Press ▶ Play: the data term and the prior terms are drawn here, step by step.');

  return {
    /** New job: empty curves, `note` on them; `loss` picks the data term's name and unit. */
    reset(note = 'Waiting for the first steps…', { loss = 'cross_entropy' } = {}) {
      draw(loss, note);
    },

    /** Append one step `metrics` message (its train_loss, l2_penalty and l1_penalty). */
    push(msg) {
      if (msg.scope !== 'step' || !('l2_penalty' in msg)) return; // older jobs stored no prior terms
      const data = msg.train_loss ?? null;
      const l2 = msg.l2_penalty ?? null;
      const l1 = msg.l1_penalty ?? null;
      buffer.push(0, msg.step, data);
      buffer.push(1, msg.step, l2);
      buffer.push(2, msg.step, l1);
      buffer.push(3, msg.step, data === null || l2 === null || l1 === null ? null : data + l2 + l1);
    },

    flush() {
      buffer.flush();
    },
  };
}
