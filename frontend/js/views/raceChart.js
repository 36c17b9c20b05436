// Race dialog: the runs of a race side by side, against epochs (so a full-batch run's few steps count
// as much as a mini-batch run's many): on the left the training loss, each epoch's mean over its
// batches, in the unit of the run's loss; on the right the test accuracy (test R² for regression,
// test loss where a task has neither). One colour per run; the legend, under the plots, names every
// run from the start (a queued one too) with its state and, once finished, its test figure.

import { CHART_CONFIG, CLASS_COLORS, FONT, emptyNote, followBox } from './plotTheme.js';

const FIELD_NAMES = {
  'training.optimizer': 'optimizer', 'training.batch_size': 'batch size', 'training.loss': 'loss',
  activation: 'activation', 'training.lr': 'lr', 'training.momentum': 'momentum', 'training.weight_decay': 'weight decay',
  hidden: 'hidden',
};
/** What the empty chart promises, before any race. */
export const EMPTY_NOTE = 'Start a race: each run’s loss and test accuracy per epoch, one colour per run.';

/** The unit of a training loss: nats for the likelihood losses, squared error (target units²) for mse. */
export const LOSS_UNITS = { cross_entropy: 'nats', bce_with_logits: 'nats', mse: 'squared error' };

/** The loss each run of `race` minimises (from its job's spec; the race's value in a loss race). */
export function runLosses(race) {
  return race.values.map((value, i) => (race.field === 'training.loss' ? value
    : race.runs?.find((r) => r.value === value)?.job?.spec?.training?.loss ?? race.runs?.[i]?.job?.spec?.training?.loss ?? 'cross_entropy'));
}

/** The loss axis title: the one unit of every run, or a warning that the runs' units differ; no unit
 * before a race (no runs, no loss yet). */
export function lossAxisTitle(losses) {
  const units = [...new Set(losses.map((l) => LOSS_UNITS[l] || l))];
  if (!units.length) return 'training loss, epoch mean';
  return units.length === 1 ? `training loss, epoch mean (${units[0]})`
    : `training loss, epoch mean (${units.join(' or ')}: not comparable)`;
}

/** The test figure an epoch message carries: accuracy, R² (regression) or the test loss. */
export function testFigure(msg) {
  if (typeof msg.test_accuracy === 'number') return { kind: 'accuracy', value: msg.test_accuracy };
  if (typeof msg.test_r2 === 'number') return { kind: 'r2', value: msg.test_r2 };
  return { kind: 'loss', value: msg.test_loss ?? null };
}

/** " (897 params)" for a run of a deep-vs-fat race (its parameter count is the point), else "". */
function paramsNote(race, value) {
  const params = race.field === 'hidden' ? race.runs?.find((r) => r.value === value)?.params : null;
  return typeof params === 'number' ? ` (${params.toLocaleString('en-US')} params)` : '';
}

const TEST_TITLES = { accuracy: 'test accuracy', r2: 'test R² (1 is perfect)', loss: 'test loss' };
const TEST_SHORT = { accuracy: 'test acc', r2: 'test R²', loss: 'test loss' };

export function createRaceChart(div) {
  let race = null;
  let losses = [];
  let pending = [];
  let timer = null;
  let testKind = 'accuracy';
  let drawn = false; // has any point been drawn (until then the axes are empty: see emptyAxes)
  const finals = new Map();
  const states = new Map();

  function name(i) {
    const value = race.values[i];
    const unit = race.field === 'training.loss' ? ` (${LOSS_UNITS[value] || value})` : paramsNote(race, value);
    const acc = finals.get(i);
    const tail = typeof acc === 'number' ? ` · ${TEST_SHORT[testKind]} ${acc.toFixed(3)}` : states.has(i) ? ` · ${states.get(i)}` : '';
    return `${FIELD_NAMES[race.field] || race.field} = ${value}${unit}${tail}`;
  }

  function layout(note) {
    const axis = (title, domain, anchor) => ({ title: { text: title, standoff: 4 }, domain, anchor, zeroline: false, automargin: true });
    const out = {
      title: { text: race ? `Race: ${race.name || FIELD_NAMES[race.field] || race.field}` : 'Race', font: { size: 13 },
        x: 0.01, xanchor: 'left', y: 0.98, yanchor: 'top' },
      font: FONT, paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: '#ffffff', hovermode: 'closest',
      margin: { l: 56, r: 12, t: 32, b: 36 },
      xaxis: axis('epoch', [0, 0.45], 'y'), yaxis: axis(lossAxisTitle(losses), [0, 1], 'x'),
      xaxis2: axis('epoch', [0.56, 1], 'y2'), yaxis2: axis(TEST_TITLES[testKind], [0, 1], 'x2'),
      // under the plots, never over the curves: one entry per run, however many
      legend: { orientation: 'h', x: 0, xanchor: 'left', y: -0.14, yanchor: 'top', font: { size: 11 } },
    };
    if (testKind === 'accuracy') out.yaxis2.range = [0, 1.02];
    const epochs = race?.runs?.[0]?.job?.spec?.training?.epochs;
    if (!drawn) emptyAxes(out, epochs);
    if (epochs && epochs <= 12) { // whole epochs: a tick at each (not 1.2, 1.4, ...)
      for (const axis of [out.xaxis, out.xaxis2]) Object.assign(axis, { tickmode: 'linear', tick0: 0, dtick: 1 });
    }
    if (note) out.annotations = [emptyNote(note)];
    return out;
  }

  /** No points yet: no made-up scale (plotly's default runs from -1 to 4): the epochs to come along x
   * when known, the loss axis without numbers until its first point. */
  function emptyAxes(out, epochs) {
    for (const axis of [out.xaxis, out.xaxis2]) {
      Object.assign(axis, epochs ? { range: [0, epochs] } : { range: [0, 1], showticklabels: false });
    }
    Object.assign(out.yaxis, { range: [0, 1], showticklabels: false });
  }

  function traces() {
    if (!race) return [];
    const both = race.values.map((_, i) => {
      const color = CLASS_COLORS[i % CLASS_COLORS.length];
      // [null] keeps a run without points yet (queued) in the legend: Plotly leaves out empty traces
      return [
        { type: 'scatter', mode: 'lines+markers', x: [null], y: [null], name: name(i), legendgroup: `run${i}`,
          line: { color, width: 1.8 }, marker: { size: 4 }, xaxis: 'x', yaxis: 'y',
          hovertemplate: `${name(i)}<br>epoch %{x}: loss %{y:.4f}<extra></extra>` },
        { type: 'scatter', mode: 'lines+markers', x: [null], y: [null], name: name(i), legendgroup: `run${i}`, showlegend: false,
          line: { color, width: 1.8 }, marker: { size: 4 }, xaxis: 'x2', yaxis: 'y2',
          hovertemplate: `${name(i)}<br>epoch %{x}: ${TEST_SHORT[testKind]} %{y:.3f}<extra></extra>` },
      ];
    });
    return both.flat();
  }

  function draw(note) {
    Plotly.react(div, traces(), layout(note), CHART_CONFIG);
  }

  function flush() {
    timer = null;
    if (!pending.length || !race) return;
    const byTrace = new Map();
    for (const [t, x, y] of pending) {
      if (!byTrace.has(t)) byTrace.set(t, { x: [], y: [] });
      byTrace.get(t).x.push(x);
      byTrace.get(t).y.push(y);
    }
    pending = [];
    const idx = [...byTrace.keys()];
    Plotly.extendTraces(div, { x: idx.map((t) => byTrace.get(t).x), y: idx.map((t) => byTrace.get(t).y) }, idx);
    if (!drawn) { // the first points: the axes now fit the data
      drawn = true;
      Plotly.react(div, div.data, layout(), CHART_CONFIG);
    }
    div.dataset.points = String(div.data.reduce((n, t) => n + t.x.filter((x) => x !== null).length, 0));
  }

  function rename(i) {
    Plotly.restyle(div, { name: [name(i), name(i)] }, [2 * i, 2 * i + 1]);
  }

  draw(EMPTY_NOTE);
  // The chart follows its box: the dialog lays out after it opens (and the error list comes and goes),
  // and a chart taller than its box would lose its x axis title under the box's edge.
  followBox(div);

  return {
    /** A new race ({field, values, name, runs}): two empty traces per value, every run in the legend. */
    reset(next, note) {
      race = next;
      losses = race ? runLosses(race) : [];
      testKind = 'accuracy';
      pending = [];
      finals.clear();
      states.clear();
      race?.runs?.forEach((r) => { const i = race.values.indexOf(r.value); if (i >= 0) states.set(i, r.job.status); });
      clearTimeout(timer);
      timer = null;
      drawn = false;
      delete div.dataset.points;
      draw(note);
    },
    /** A `metrics` message of run `i`: an epoch's mean training loss and its test figure. */
    push(i, msg) {
      if (!race || msg.scope !== 'epoch') return;
      const test = testFigure(msg);
      if (test.kind !== testKind && !div.dataset.points) { // the task decides what the right plot shows
        testKind = test.kind;
        draw();
      }
      if (msg.train_loss !== null && msg.train_loss !== undefined) pending.push([2 * i, msg.epoch, msg.train_loss]);
      if (test.value !== null) pending.push([2 * i + 1, msg.epoch, test.value]);
      if (!timer) timer = setTimeout(flush, 150);
    },
    /** Run `i` is now `status` (queued, running, ...): its legend entry says so. */
    setState(i, status) {
      if (!race || states.get(i) === status) return;
      states.set(i, status);
      if (!finals.has(i)) rename(i);
    },
    /** Run `i` finished with test accuracy (or R²) `acc`: its legend entry says so. */
    setFinal(i, acc) {
      if (!race || typeof acc !== 'number') return;
      flush();
      finals.set(i, acc);
      rename(i);
    },
  };
}
