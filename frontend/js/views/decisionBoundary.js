// Right column, 2-D data sets: what the classifier predicts over the input plane, with the data on
// top. `data_points` (once per job) gives the train and test points, drawn as fixed traces; every
// `decision_boundary` frame replaces the heatmap (Plotly.react diffs, so only the heatmap is redrawn).
// Frames that arrive while one is being drawn are coalesced: only the newest is drawn.
// Regression sets (`task` "regression") use the same messages: for 1-D input the points are (x, y) and
// each frame is the prediction curve; for 2-D input each frame is the predicted surface, drawn on one
// diverging scale centred on 0 with the points coloured by their target on that same, fixed scale.

import { payloadNested, payloadRows } from './arrays.js';
import { drawBudget, thinPointSet } from './decimate.js';
import { CLASS_COLORS, COLORS, DIVERGING, FONT, REGION_SCALE, emptyNote, tint } from './plotTheme.js';

const CONFIG = {
  displaylogo: false, responsive: false, modeBarButtonsToRemove: ['lasso2d', 'select2d', 'autoScale2d'],
};
const MARGIN = { l: 46, r: 6, t: 24, b: 34 };
const SIDE_PX = 160; // right of the square plot: the colour bar, then the legend
const COLORBAR_GAP_PX = 8;
const LEGEND_GAP_PX = 74;

const classColor = (k) => CLASS_COLORS[k % CLASS_COLORS.length];
const className = (name) => (/^\d+$/.test(String(name)) ? `class ${name}` : String(name));

/** Binary sets: p(class 1) per grid cell, from the predicted class and that class's probability. */
export function probClass1(predicted, confidence) {
  return predicted.map((row, i) => row.map((c, j) => {
    const p = confidence[i][j];
    if (p === null || p === undefined || c === null) return null;
    return c === 1 ? p : 1 - p;
  }));
}

/**
 * K > 2 classes: z = class + how sure (0 at the chance level 1/K, 0.999 at probability 1), so that
 * one colour ramp per class (pale = unsure, strong = sure) covers [class, class + 1).
 */
export function classAndConfidence(predicted, confidence, k) {
  const chance = 1 / k;
  return predicted.map((row, i) => row.map((c, j) => {
    const p = confidence[i][j];
    if (p === null || p === undefined || c === null) return null;
    return c + Math.min(0.999, Math.max(0, (p - chance) / (1 - chance)));
  }));
}

/** The colour scale for classAndConfidence over [0, k]: per class, a pale tint to a stronger one. */
export function classRamps(k) {
  const stops = [];
  for (let c = 0; c < k; c += 1) {
    stops.push([c / k, tint(classColor(c), 0.9)]);
    stops.push([c + 1 < k ? (c + 1) / k - 1e-6 : 1, tint(classColor(c), 0.45)]);
  }
  return stops;
}

/** Plot geometry for a div of W x H px: a square plot area of `side` px, left-aligned. */
function geometry(div) {
  const W = div.clientWidth;
  const H = div.clientHeight;
  const areaW = W - MARGIN.l - MARGIN.r;
  const areaH = H - MARGIN.t - MARGIN.b;
  const side = Math.max(60, Math.min(areaH, areaW - SIDE_PX));
  return { W, H, areaW, areaH, fx: Math.min(1, side / areaW), fy: Math.min(1, side / areaH) };
}

/** `text` broken into lines of about `width` characters (<br>), for a note inside the square plot. */
export function wrapNote(text, width = 44) {
  const lines = [];
  let line = '';
  for (const word of String(text).split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines.join('<br>');
}

/** [lo, hi] covering the grid cells (centres ± half a cell), or the points with a margin. */
function axisRange(grid, values) {
  if (grid && grid.length > 1) {
    const half = (grid[grid.length - 1] - grid[0]) / (grid.length - 1) / 2;
    return [grid[0] - half, grid[grid.length - 1] + half];
  }
  const finite = values.filter(Number.isFinite);
  if (!finite.length) return [-3, 3];
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const pad = (hi - lo || 1) * 0.1;
  return [lo - pad, hi + pad];
}

/** Largest |target| of a regression `data_points` message (the colour scale's half-range), or null. */
export function targetSpan(msg) {
  if (!msg || msg.task !== 'regression') return null;
  const values = [...(msg.train.target || []), ...(msg.test.target || [])].filter(Number.isFinite);
  return values.length ? Math.max(1e-9, ...values.map(Math.abs)) : null;
}

/** Regression points: (x, target) for 1-D input, (x1, x2) coloured by target for 2-D input. */
function regressionPointTraces(msg) {
  const oneD = !msg.train.x2?.length;
  const span = targetSpan(msg) ?? 1;
  return ['train', 'test'].map((part) => {
    const set = msg[part];
    const train = part === 'train';
    const marker = oneD
      ? (train ? { color: COLORS.train, size: 5, opacity: 0.75 }
        : { color: COLORS.train, size: 7, symbol: 'circle-open', line: { width: 1.6 } })
      : { color: set.target, colorscale: DIVERGING, cmin: -span, cmax: span, size: train ? 6 : 8,
        symbol: train ? 'circle' : 'circle-open', line: train ? { color: '#52606d', width: 0.6 } : { width: 2 } };
    return {
      type: 'scatter', mode: 'markers', uid: `${part}-points`, meta: part, name: part,
      x: set.x1, y: oneD ? set.target : set.x2, marker, customdata: set.target,
      hovertemplate: oneD ? `${part}<br>x %{x:.2f}, y %{y:.3f}<extra></extra>`
        : `${part}<br>x1 %{x:.2f}, x2 %{y:.2f}<br>y %{customdata:.3f}<extra></extra>`,
    };
  });
}

/** The prediction of a regression frame: a red curve (1-D) or a diverging heatmap (2-D). */
function predictionTrace(frame, geom, span, colorbar) {
  if (!frame.x2?.length) {
    return { type: 'scatter', mode: 'lines', uid: 'prediction', name: 'prediction', x: frame.x1,
      y: payloadNested(frame.predicted), line: { color: COLORS.test, width: 2.5 },
      hovertemplate: 'x %{x:.2f}<br>predicted y %{y:.3f}<extra></extra>' };
  }
  const half = span ?? Math.max(Math.abs(frame.predicted.vmin ?? 1), Math.abs(frame.predicted.vmax ?? 1));
  return {
    type: 'heatmap', uid: 'boundary', name: 'prediction', showlegend: false, x: frame.x1, y: frame.x2,
    z: payloadNested(frame.predicted), zmin: -half, zmax: half, zsmooth: 'best', colorscale: DIVERGING,
    colorbar: { ...colorbar, title: { text: 'y (target units)', side: 'right' } },
    hovertemplate: 'x1 %{x:.2f}, x2 %{y:.2f}<br>predicted y %{z:.3f}<extra></extra>',
  };
}

/** The point traces of a `data_points` message, at most MAX_DRAWN_POINTS in all (decimate.js), and the
 * legend's title saying how many were drawn when some were left out ('' when all are drawn). */
export function drawnPoints(msg) {
  const [nTrain, nTest] = drawBudget([msg.train?.x1?.length ?? 0, msg.test?.x1?.length ?? 0]);
  const thinned = { ...msg, train: thinPointSet(msg.train, nTrain), test: thinPointSet(msg.test, nTest) };
  const count = (n) => n.toLocaleString('en-US');
  const cut = ['train', 'test'].filter((p) => msg[p] && thinned[p].x1.length < msg[p].x1.length)
    .map((p) => `${count(thinned[p].x1.length)} of ${count(msg[p].x1.length)} ${p}`);
  return { traces: pointTraces(thinned), note: cut.length ? `points drawn:<br>${cut.join('<br>')}` : '' };
}

/** One trace per (part, class) of a `data_points` message; test points are rings, in the "test" legend group. */
function pointTraces(msg) {
  if (msg.task === 'regression') return regressionPointTraces(msg);
  const traces = [];
  for (const part of ['train', 'test']) {
    const set = msg[part];
    if (!set) continue;
    msg.classes.forEach((name, k) => {
      const x = [];
      const y = [];
      set.label.forEach((label, i) => {
        if (label === k) {
          x.push(set.x1[i]);
          y.push(set.x2[i]);
        }
      });
      const train = part === 'train';
      traces.push({
        type: 'scatter', mode: 'markers', x, y, uid: `${part}-${k}`, meta: part,
        name: train ? className(name) : 'test', legendgroup: train ? `class-${k}` : 'test', showlegend: train,
        marker: train
          ? { color: classColor(k), size: 5, line: { color: '#ffffff', width: 0.7 } }
          : { color: classColor(k), size: 7, symbol: 'circle-open', line: { width: 1.6 } },
        hovertemplate: `${part} · ${className(name)}<br>x1 %{x:.2f}, x2 %{y:.2f}<extra></extra>`,
      });
    });
  }
  // The legend's "test" entry: a neutral ring (the rings themselves take their class's colour).
  traces.push({
    type: 'scatter', mode: 'markers', x: [null], y: [null], name: 'test', legendgroup: 'test', uid: 'test-legend',
    marker: { color: '#52606d', size: 7, symbol: 'circle-open', line: { width: 1.6 } }, hoverinfo: 'skip',
  });
  return traces;
}

function heatmapTrace(frame, geom, span) {
  const colorbar = {
    x: geom.fx + COLORBAR_GAP_PX / geom.areaW, xanchor: 'left', y: 1, yanchor: 'top',
    len: geom.fy, lenmode: 'fraction', thickness: 10, outlinewidth: 0, tickfont: { size: 10 },
  };
  if (frame.task === 'regression') return predictionTrace(frame, geom, span, colorbar);
  const k = frame.classes.length;
  const predicted = payloadRows(frame.predicted, { round: true });
  const confidence = payloadRows(frame.confidence);
  const base = { type: 'heatmap', uid: 'boundary', x: frame.x1, y: frame.x2, showlegend: false, name: 'boundary' };
  if (k === 2) {
    return {
      ...base, z: probClass1(predicted, confidence), zmin: 0, zmax: 1, zsmooth: 'best', colorscale: REGION_SCALE,
      colorbar: { ...colorbar, title: { text: 'p(class 1)', side: 'right' }, tickvals: [0, 0.5, 1] },
      hovertemplate: 'x1 %{x:.2f}, x2 %{y:.2f}<br>p(class 1) %{z:.2f}<extra></extra>',
    };
  }
  const text = predicted.map((row, i) => row.map((c, j) => (c === null ? ''
    : `${className(frame.classes[c])} (p ${Number(confidence[i][j]).toFixed(2)})`)));
  return {
    ...base, z: classAndConfidence(predicted, confidence, k), zmin: 0, zmax: k, zsmooth: false,
    colorscale: classRamps(k), text,
    colorbar: {
      ...colorbar, title: { text: 'predicted class (pale = unsure)', side: 'right' },
      tickvals: frame.classes.map((_, c) => c + 0.5), ticktext: frame.classes.map(String),
    },
    hovertemplate: 'x1 %{x:.2f}, x2 %{y:.2f}<br>%{text}<extra></extra>',
  };
}

/** Active learning (`active_round`): the labelled pool points ringed in black, the next queries as stars
 * (pool indices into the `data_points` train part). */
export function activeTraces(pointsMsg, round) {
  if (!pointsMsg || !round || pointsMsg.task === 'regression') return [];
  const at = (list) => ({ x: list.map((i) => pointsMsg.train.x1[i]), y: list.map((i) => pointsMsg.train.x2[i]) });
  return [
    { type: 'scatter', mode: 'markers', ...at(round.labelled), uid: 'labelled', name: `labelled (${round.n_labels})`,
      marker: { color: 'rgba(0,0,0,0)', size: 10, line: { color: '#111111', width: 1.6 } },
      hovertemplate: 'labelled<br>x1 %{x:.2f}, x2 %{y:.2f}<extra></extra>' },
    { type: 'scatter', mode: 'markers', ...at(round.queried), uid: 'queried', name: `next queries (${round.queried.length})`,
      marker: { color: '#ffd400', size: 14, symbol: 'star', line: { color: '#111111', width: 1 } },
      text: round.queried_scores.map((v) => (v === null ? '' : `${round.score} ${v.toFixed(3)}`)),
      hovertemplate: 'next query<br>%{text}<extra></extra>' },
  ];
}

function figure({ points, pointsNote, pointsMsg, frame, note, revision, round }, geom) {
  const regression = (pointsMsg || frame)?.task === 'regression';
  const oneD = regression && !(pointsMsg?.train.x2?.length || frame?.x2?.length);
  const xs = pointsMsg ? [...pointsMsg.train.x1, ...pointsMsg.test.x1] : [];
  const ys = pointsMsg ? (oneD ? [...pointsMsg.train.target, ...pointsMsg.test.target]
    : [...pointsMsg.train.x2, ...pointsMsg.test.x2]) : [];
  const epoch = frame ? ` · epoch ${frame.epoch}, step ${frame.step}` : '';
  const title = regression ? `Prediction${oneD ? ' curve' : ' surface'}` : 'Decision boundary';
  const yRange = oneD ? axisRange(null, [...ys, ...(frame ? payloadNested(frame.predicted) : [])]) : axisRange(frame?.x2, ys);
  const layout = {
    width: geom.W, height: geom.H, margin: MARGIN, font: FONT, uirevision: revision,
    title: { text: `${title}${epoch}`, font: { size: 13 }, x: 0.01, xanchor: 'left', y: 0.995, yanchor: 'top' },
    xaxis: { domain: [0, geom.fx], range: axisRange(frame?.x1, xs),
      title: { text: oneD ? 'x (standardised)' : 'x1 (standardised)', standoff: 2 },
      zeroline: false, showgrid: false, ticks: 'outside', ticklen: 3 },
    yaxis: { domain: [1 - geom.fy, 1], range: yRange,
      title: { text: oneD ? 'y (target units)' : 'x2 (standardised)', standoff: 2 },
      zeroline: false, showgrid: oneD, ticks: 'outside', ticklen: 3 },
    legend: { x: geom.fx + LEGEND_GAP_PX / geom.areaW, xanchor: 'left', y: 1, yanchor: 'top', font: { size: 10 },
      itemsizing: 'constant', title: { text: pointsNote || '', font: { size: 9, color: COLORS.chance } } },
    paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: '#ffffff', hovermode: 'closest',
    annotations: frame || points ? [] : [{ ...emptyNote(wrapNote(note)), x: geom.fx / 2, y: 1 - geom.fy / 2 }],
  };
  const trace = frame ? [heatmapTrace(frame, geom, targetSpan(pointsMsg))] : [];
  const data = oneD ? [...(points || []), ...trace] : [...trace, ...(points || []), ...activeTraces(pointsMsg, round)];
  return { data, layout };
}

export function createDecisionBoundary(div, { placeholder, minIntervalMs = 200 }) {
  const view = { points: null, pointsNote: '', pointsMsg: null, frame: null, round: null, note: placeholder, revision: 0 };
  let drawing = false;
  let dirty = false;

  async function drain() {
    drawing = true;
    try {
      await null; // after the batch being dispatched: what it sets (points, then a frame) is drawn once
      while (dirty) {
        dirty = false;
        const geom = geometry(div);
        if (geom.W < 50 || geom.H < 50) continue; // hidden: drawn when it gets a size (ResizeObserver)
        const fig = figure(view, geom);
        const started = performance.now();
        try {
          await Plotly.react(div, fig.data, fig.layout, CONFIG);
          if (view.frame) div.dataset.step = String(view.frame.step);
        } catch (err) {
          console.error('decision boundary: could not draw', err);
        }
        // At most one frame every minIntervalMs (the newest pending one), leaving time to the stream.
        const wait = started + minIntervalMs - performance.now();
        if (dirty && wait > 0) await new Promise((resolve) => { setTimeout(resolve, wait); });
      }
    } finally {
      drawing = false;
    }
  }

  function schedule() {
    dirty = true;
    if (!drawing) drain();
  }

  new ResizeObserver(() => schedule()).observe(div);
  schedule();

  return {
    /** Clear the plot for a new job (`text` says what will appear). */
    reset(text = placeholder) {
      Object.assign(view, { points: null, pointsNote: '', pointsMsg: null, frame: null, round: null, note: text, revision: view.revision + 1 });
      delete div.dataset.step;
      schedule();
    },

    /** The job's `data_points` message: train and test points, drawn from now on under every frame. */
    setPoints(msg) {
      view.pointsMsg = msg;
      ({ traces: view.points, note: view.pointsNote } = drawnPoints(msg));
      schedule();
    },

    /** An `active_round` message: its labelled points and next queries are marked over the points. */
    markActive(msg) {
      view.round = msg;
      schedule();
    },

    /** A `decision_boundary` message (coalesced: the newest pending frame wins); a `data_points` or an
     * `active_round` message goes to `setPoints` or `markActive`. */
    render(msg) {
      if (msg.type === 'data_points') return this.setPoints(msg);
      if (msg.type === 'active_round') return this.markActive(msg);
      view.frame = msg;
      schedule();
    },
  };
}
