// Loss-surface dialog: a classic test function as a contour (log10(1 + f) where f >= 0, f itself for
// the saddle), its minimum as a star, and each optimizer's path drawn step by step: the answer of
// POST /api/surface is animated here, `stepsPerFrame` steps at a time. Contour, marks and paths are
// traces of one plot, so they share its axes (two stacked plots drifted apart when the legend or the
// colour bar widened one plot's margin: issue 16).

import { CHART_CONFIG, CLASS_COLORS, DIVERGING, FONT, SEQUENTIAL } from './plotTheme.js';

const PATH_COLORS = { sgd: CLASS_COLORS[0], momentum: CLASS_COLORS[1], rmsprop: CLASS_COLORS[2], adam: CLASS_COLORS[3], adamw: CLASS_COLORS[4] };
const TITLES = { rosenbrock: 'Rosenbrock', beale: 'Beale', saddle: 'Saddle x² − y²' };

/** The contour's z, colour-bar title and scale: log10(1 + f), sequential, for non-negative functions;
 * f itself on the diverging scale centred on 0 for signed ones (the saddle). */
export function contourValues(grid) {
  if (grid.vmin >= 0) {
    return { z: grid.z.map((row) => row.map((v) => Math.log10(1 + v))), title: 'log10(1 + f)', signed: false };
  }
  return { z: grid.z, title: 'f(x, y)', signed: true };
}

/** `z` rounded down to `bands` equal levels of its range: filled contour bands. */
export function banded(z, bands) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of z) for (const v of row) { if (v < lo) lo = v; if (v > hi) hi = v; }
  const step = (hi - lo) / bands || 1;
  return z.map((row) => row.map((v) => lo + Math.min(bands - 1, Math.floor((v - lo) / step)) * step));
}

const MARGIN = { l: 50, r: 20, t: 30, b: 40 }; // colour bar and legend take what they need on the right

/** The legend's name of a path: the label with the setting that shapes it (momentum, weight decay). */
export function pathName(p, out) {
  const setting = p.optimizer === 'momentum' && out.momentum !== undefined ? ` ${out.momentum}`
    : p.optimizer === 'adamw' && out.weight_decay !== undefined ? ` (weight decay ${out.weight_decay})` : '';
  return `${p.label}${setting}${p.diverged ? ' (diverged)' : ''}`;
}

// AdamW thin and dotted over Adam's broad, pale line: where the two paths coincide (weight decay 0)
// both stay visible.
const PATH_STYLE = {
  adam: { dash: 'solid', symbol: 'circle', size: 0, width: 5, opacity: 0.5 },
  adamw: { dash: 'dot', symbol: 'diamond', size: 0, width: 2 },
};
const DEFAULT_STYLE = { dash: 'solid', symbol: 'circle', size: 3, width: 2 };

export function createLossSurface({ el, frameMs = 30 }) {
  let timer = null;
  let run = 0;

  function layout(out, shown) {
    return {
      width: el.clientWidth, height: el.clientHeight, font: FONT, margin: MARGIN, paper_bgcolor: 'rgba(0,0,0,0)',
      plot_bgcolor: '#ffffff',
      title: { text: `${TITLES[out.function] || out.function} · lr ${out.lr} · step ${shown} of ${out.steps}`,
        font: { size: 13 }, x: 0.01, xanchor: 'left' },
      xaxis: { title: { text: 'x' }, range: out.domain[0], zeroline: false, showgrid: false, fixedrange: true },
      yaxis: { title: { text: 'y' }, range: out.domain[1], zeroline: false, showgrid: false, fixedrange: true },
      legend: { x: 1.16, xanchor: 'left', y: 1, yanchor: 'top', font: { size: 11 } }, hovermode: 'closest',
    };
  }

  function surfaceTrace(out) {
    const { z, title, signed } = contourValues(out.grid);
    const m = Math.max(Math.abs(out.grid.vmin), Math.abs(out.grid.vmax));
    const scale = signed ? { colorscale: DIVERGING, zmin: -m, zmax: m } : { colorscale: SEQUENTIAL, reversescale: true };
    return { // a heatmap with banded colours reads as a filled contour
      type: 'heatmap', x: out.grid.x, y: out.grid.y, z: banded(z, 24), ...scale,
      colorbar: { title: { text: title, side: 'right' }, thickness: 10, len: 0.9, x: 1.02, xanchor: 'left' }, showlegend: false,
      hovertemplate: `x %{x:.2f}, y %{y:.2f}<br>${title} %{z:.3f}<extra></extra>`,
    };
  }

  function pathTraces(out, shown) {
    const marks = [{ type: 'scatter', mode: 'markers', name: 'start', x: [out.start[0]], y: [out.start[1]],
      marker: { symbol: 'circle-open', size: 11, color: '#1f2933', line: { width: 2 } } }];
    if (out.minimum) {
      marks.push({ type: 'scatter', mode: 'markers', name: 'minimum', x: [out.minimum[0]], y: [out.minimum[1]],
        marker: { symbol: 'star', size: 13, color: '#ffd43b', line: { color: '#1f2933', width: 1 } } });
    }
    return [...marks, ...out.paths.map((p) => {
      const style = PATH_STYLE[p.optimizer] || DEFAULT_STYLE;
      return {
        type: 'scatter', mode: style.size ? 'lines+markers' : 'lines', name: pathName(p, out), meta: p.optimizer,
        x: p.x.slice(0, shown + 1), y: p.y.slice(0, shown + 1), opacity: style.opacity ?? 1,
        line: { color: PATH_COLORS[p.optimizer], width: style.width, dash: style.dash },
        marker: { size: style.size, symbol: style.symbol }, hovertemplate: `${p.label}<br>x %{x:.3f}, y %{y:.3f}<extra></extra>`,
      };
    })];
  }

  return {
    /** Animate `out` (the /api/surface answer): the function once, then about 60 frames of paths. */
    async play(out) {
      clearTimeout(timer);
      const mine = ++run;
      const longest = Math.max(...out.paths.map((p) => p.x.length - 1));
      const perFrame = Math.max(1, Math.ceil(longest / 60)); // about 60 frames whatever the step count
      delete el.dataset.done;
      const surface = surfaceTrace(out); // computed once, redrawn under the growing paths
      let shown = 0;
      const frame = async () => {
        if (mine !== run) return; // a newer run took over
        await Plotly.react(el, [surface, ...pathTraces(out, shown)], layout(out, Math.min(shown, out.steps)), CHART_CONFIG);
        el.dataset.shown = String(shown);
        if (shown >= longest) {
          el.dataset.done = 'true';
          return;
        }
        shown = Math.min(longest, shown + perFrame);
        timer = setTimeout(frame, frameMs);
      };
      frame();
    },
  };
}
