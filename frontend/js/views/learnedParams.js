// Middle column, under the network table: a linear regression's learned weights and bias in the
// data's units beside the exact least-squares solution on the same training points (GET
// /api/jobs/{id}/linear_fit). Hidden for every other network.

const fmt = (v) => (Number.isFinite(v) ? Number(v.toPrecision(4)).toString() : '–');

function cell(tag, text, cls = '') {
  const el = document.createElement(tag);
  el.textContent = text;
  if (cls) el.className = cls;
  return el;
}

function row(name, learned, best, title) {
  const tr = document.createElement('tr');
  tr.title = title;
  tr.append(cell('td', name), cell('td', fmt(learned), 'num'), cell('td', fmt(best), 'num'), cell('td', fmt(learned - best), 'num'));
  return tr;
}

export function createLearnedParams({ panel, table, note }) {
  function hide() {
    panel.hidden = true;
    table.replaceChildren();
    note.textContent = '';
  }

  return {
    hide,

    /** `fit`: the linear_fit answer {step, features, learned, least_squares}. */
    render(fit) {
      panel.hidden = false;
      const head = document.createElement('tr');
      head.append(cell('th', 'parameter'), cell('th', 'learned'), cell('th', 'least squares'), cell('th', 'difference'));
      const rows = fit.features.map((f, i) => row(`w${i + 1} (${f})`, fit.learned.weights[i], fit.least_squares.weights[i],
        `The weight on ${f}: how much the prediction changes per unit of ${f}`));
      rows.push(row('b (bias)', fit.learned.bias, fit.least_squares.bias, 'The prediction where every feature is 0'));
      rows.push(row('training mse', fit.learned.train_mse, fit.least_squares.train_mse,
        'Mean squared error on the training points: least squares is the smallest any line can reach'));
      table.replaceChildren(head, ...rows);
      note.textContent = `Weights after step ${fit.step}, in the data's units (the network sees standardised features). `
        + 'Least squares solves the same problem exactly (numpy lstsq); gradient descent should approach it.';
    },

    /** Nothing to show yet: `text` says why (e.g. no weights saved before the first epoch ends). */
    waiting(text) {
      panel.hidden = false;
      table.replaceChildren();
      note.textContent = text;
    },
  };
}
