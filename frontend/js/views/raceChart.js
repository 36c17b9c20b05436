// Race dialog: the runs of a race overlaid in one chart, training loss per step, one colour per run;
// the legend names the raced value and, once a run has finished, its test accuracy. Points are
// buffered and appended with one Plotly.extendTraces per flush.

import { CHART_CONFIG, CLASS_COLORS, baseLayout, emptyNote, followBox } from './plotTheme.js';

const FIELD_NAMES = {
  'training.optimizer': 'optimizer', 'training.batch_size': 'batch size', 'training.loss': 'loss',
  activation: 'activation', 'training.lr': 'lr', 'training.momentum': 'momentum', 'training.weight_decay': 'weight decay',
};

export function createRaceChart(div) {
  let race = null;
  let pending = [];
  let timer = null;
  const finals = new Map();

  function name(i) {
    const value = race.values[i];
    const acc = finals.get(i);
    return `${FIELD_NAMES[race.field] || race.field} = ${value}${acc !== undefined ? ` · test acc ${acc.toFixed(3)}` : ''}`;
  }

  function draw(note) {
    const layout = baseLayout(race ? `Race: ${race.name || FIELD_NAMES[race.field] || race.field}` : 'Race',
      'step', 'training loss (nats)');
    layout.hovermode = 'closest';
    layout.legend = { x: 1, xanchor: 'right', y: 1, yanchor: 'top', font: { size: 11 }, bgcolor: 'rgba(255,255,255,0.8)' };
    if (note) layout.annotations = [emptyNote(note)];
    const data = race ? race.values.map((_, i) => ({
      type: 'scatter', mode: 'lines', x: [], y: [], name: name(i), line: { color: CLASS_COLORS[i % CLASS_COLORS.length], width: 1.6 },
      hovertemplate: `${name(i)}<br>step %{x}: %{y:.4f}<extra></extra>`,
    })) : [];
    Plotly.react(div, data, layout, CHART_CONFIG);
  }

  function flush() {
    timer = null;
    if (!pending.length || !race) return;
    const byRun = new Map();
    for (const [i, x, y] of pending) {
      if (!byRun.has(i)) byRun.set(i, { x: [], y: [] });
      byRun.get(i).x.push(x);
      byRun.get(i).y.push(y);
    }
    pending = [];
    const idx = [...byRun.keys()];
    Plotly.extendTraces(div, { x: idx.map((i) => byRun.get(i).x), y: idx.map((i) => byRun.get(i).y) }, idx);
    div.dataset.points = String(div.data.reduce((n, t) => n + t.x.length, 0));
  }

  draw('Start a race: the runs’ curves appear here.');
  // The chart follows its box: the dialog lays out after it opens (and the error list comes and goes),
  // and a chart taller than its box would lose its x axis title under the box's edge.
  followBox(div);

  return {
    /** A new race ({field, values, name}): one empty trace per value. */
    reset(next, note) {
      race = next;
      pending = [];
      finals.clear();
      clearTimeout(timer);
      timer = null;
      delete div.dataset.points;
      draw(note);
    },
    /** A `metrics` message of run `i`: step losses extend its curve. */
    push(i, msg) {
      if (!race || msg.scope !== 'step' || msg.train_loss === null || msg.train_loss === undefined) return;
      pending.push([i, msg.step, msg.train_loss]);
      if (!timer) timer = setTimeout(flush, 150);
    },
    /** Run `i` finished with test accuracy `acc`: its legend entry says so. */
    setFinal(i, acc) {
      if (!race || typeof acc !== 'number') return;
      flush();
      finals.set(i, acc);
      Plotly.restyle(div, { name: [name(i)] }, [i]);
    },
  };
}
