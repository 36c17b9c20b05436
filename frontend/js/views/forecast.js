// "Inside" tab on a time series: the model's forecast against the actual series over the test range,
// with the last-value (persistence) baseline, in the series' own unit, from `forecast` messages.

import { COLORS, CHART_CONFIG, baseLayout, emptyNote, followBox } from './plotTheme.js';

export function createForecast(div, { placeholder = '' } = {}) {
  function empty(text) {
    const layout = baseLayout('Forecast vs actual (test range)', 'time (year)', 'value');
    layout.annotations = [emptyNote(text)];
    Plotly.react(div, [], layout, CHART_CONFIG);
  }

  // The chart follows its box: drawn while hidden (a job opened before its panel shows), Plotly falls
  // back to 700 px, wider than the panel, and would keep that width (its x axis and legend cut off).
  followBox(div);

  return {
    reset(text = placeholder) {
      delete div.dataset.step;
      empty(text);
    },
    render(msg) {
      const fmt = (v) => (v == null ? 'n/a' : v.toFixed(2));
      const title = `Forecast vs actual (test range) · step ${msg.step} · MAE ${fmt(msg.mae)} vs last value ${fmt(msg.naive_mae)}`;
      const layout = baseLayout(title, 'time (year)', msg.unit);
      const line = (name, y, color, dash = 'solid', width = 1.5) => ({
        type: 'scatter', mode: 'lines', name, x: msg.time, y, line: { color, dash, width },
        hovertemplate: `${name}: %{y:.2f} ${msg.unit}<extra></extra>`,
      });
      const data = [
        line('actual', msg.actual, '#1f2933', 'solid', 2),
        line('model', msg.predicted, COLORS.train),
        line('last value (baseline)', msg.naive, COLORS.chance, 'dot'),
      ];
      Plotly.react(div, data, layout, CHART_CONFIG).then(() => { div.dataset.step = String(msg.step); });
    },
  };
}
