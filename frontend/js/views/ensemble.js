// Uncertainty of a neural network on 2-D data, drawn from GET /api/replicates/{id}/ensemble: the
// ensemble's mean probability (the decision boundary), the members' standard deviation, and the mutual
// information (their disagreement, nats), each over the plane with the training points.

import { payloadNested } from './arrays.js';
import { CHART_CONFIG, CLASS_COLORS, PROBABILITY, REGION_SCALE, SEQUENTIAL, baseLayout } from './plotTheme.js';

function layout(title) {
  const base = baseLayout(title, 'x1 (standardised)', 'x2 (standardised)');
  return { ...base, hovermode: 'closest', showlegend: false, margin: { l: 52, r: 8, t: 28, b: 38 },
    xaxis: { ...base.xaxis, zeroline: false }, yaxis: { ...base.yaxis, zeroline: false } };
}

function points(out) {
  return { x: out.train_x.map((p) => p[0]), y: out.train_x.map((p) => p[1]), type: 'scatter', mode: 'markers',
    name: 'training points', hoverinfo: 'skip',
    marker: { size: 4, color: out.train_y.map((c) => CLASS_COLORS[c % CLASS_COLORS.length]), line: { color: '#fff', width: 0.5 } } };
}

function heat(out, z, scale, zmin, zmax, title) {
  return { x: out.x1, y: out.x2, z, type: 'heatmap', colorscale: scale, zmin, zmax, zsmooth: 'best',
    colorbar: { title: { text: title, side: 'right' }, thickness: 10, len: 0.9 } };
}

/** The class drawn: p(class 1) for two classes, else the largest class probability. */
export function shownProbability(out, mean) {
  if (mean.length === 2) return { z: mean[1], label: `p(${out.classes[1] ?? 'class 1'})`, scale: REGION_SCALE };
  const z = mean[0].map((row, i) => row.map((_, j) => Math.max(...mean.map((c) => c[i][j]))));
  return { z, label: 'max class probability', scale: PROBABILITY };
}

export function drawEnsemble({ meanEl, stdEl, miEl }, out) {
  const mean = payloadNested(out.mean);
  const std = payloadNested(out.std);
  const shown = shownProbability(out, mean);
  const k = out.seeds.length;
  Plotly.react(meanEl, [heat(out, shown.z, shown.scale, 0, 1, shown.label), points(out)],
    layout(`Ensemble of ${k}: mean ${shown.label}`), CHART_CONFIG);
  const sd = mean.length === 2 ? std[1] : std[0].map((row, i) => row.map((_, j) => Math.max(...std.map((c) => c[i][j]))));
  Plotly.react(stdEl, [heat(out, sd, SEQUENTIAL, 0, 0.5, 'std over members'), points(out)],
    layout(`Members' spread: std of ${mean.length === 2 ? shown.label : 'p (largest)'}`), CHART_CONFIG);
  Plotly.react(miEl, [heat(out, payloadNested(out.mutual_info), SEQUENTIAL, 0, Math.log(mean.length), 'nats'), points(out)],
    layout('Disagreement: mutual information'), CHART_CONFIG);
}
