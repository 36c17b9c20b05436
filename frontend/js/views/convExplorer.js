// The convolution explorer's drawing: the zero-padded input, the filters, the output and the pooled
// maps as grids of numbers (from POST /api/conv/explain), with the window of the chosen output value
// outlined and its sum of products written out. Row 0 is at the top.

import { el } from './dom.js';

/** 4 significant digits, integers as integers. */
function num(v) {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
}

/** A grid (rows of numbers) as a table; `mark(r, c)` returns a class for a cell or ''. */
function grid(rows, caption, mark = () => '', onPick = null) {
  const body = rows.map((row, r) => el('tr', {}, row.map((v, c) => {
    const td = el('td', { className: mark(r, c), text: num(v), 'data-row': r, 'data-col': c });
    if (onPick) td.addEventListener('click', () => onPick(r, c));
    return td;
  })));
  return el('figure', { className: 'conv-grid' }, [el('figcaption', { text: caption }), el('table', {}, [el('tbody', {}, body)])]);
}

function inside(r, c, top, left, h, w) {
  return r >= top && r < top + h && c >= left && c < left + w;
}

export function createConvExplorer({ convEl, poolEl, textEl, sizesEl }) {
  let out = null;
  let body = null;
  let index = 0; // the explained conv cell shown
  let poolIndex = 0;

  function convPart() {
    if (!out.cells.length) return [];
    const cell = out.cells[index];
    const [kh, kw] = [body.filters[0][0].length, body.filters[0][0][0].length];
    const padded = out.padded.map((ch, c) => grid(ch, `input x[:, :, ${c}] (padded by ${out.padding})`,
      (r, col) => {
        const pad = r < out.padding || col < out.padding || r >= ch.length - out.padding || col >= ch[0].length - out.padding;
        const win = inside(r, col, cell.window_row, cell.window_col, kh, kw);
        return `${pad ? 'pad' : ''} ${win ? 'win' : ''}`.trim();
      }));
    const filters = body.filters.map((f, k) => el('div', { className: `conv-filter${k === cell.filter ? ' active' : ''}` },
      [...f.map((ch, c) => grid(ch, `w${k}[:, :, ${c}]`)),
        el('div', { className: 'conv-bias', text: `b${k} = ${num(body.bias ? body.bias[k] : 0)}` })]));
    const outputs = out.output.map((map, k) => grid(map, `output o[:, :, ${k}]`,
      (r, c) => (k === cell.filter && r === cell.row && c === cell.col ? 'win' : ''),
      (r, c) => show(out.cells.findIndex((x) => x.filter === k && x.row === r && x.col === c))));
    return [el('div', { className: 'conv-row' }, padded), el('div', { className: 'conv-row' }, filters),
      el('div', { className: 'conv-row' }, outputs)];
  }

  function poolPart() {
    if (!out.pool) return [];
    const p = out.pool;
    const cell = p.cells[poolIndex];
    const maps = out.output ?? body.input;
    const name = out.output ? 'output' : 'input';
    const before = maps.map((m, c) => grid(m, `${name} channel ${c}`, (r, col) => {
      if (c !== cell.channel || !inside(r, col, cell.window_row, cell.window_col, p.kernel_size, p.kernel_size)) return '';
      const top = cell.argmax && r === cell.window_row + cell.argmax[0] && col === cell.window_col + cell.argmax[1];
      return top ? 'win max' : 'win';
    }));
    const after = p.output.map((m, c) => grid(m, `${p.kind} pool ${p.kernel_size}×${p.kernel_size}, stride ${p.stride}`,
      (r, col) => (c === cell.channel && r === cell.row && col === cell.col ? 'win' : ''),
      (r, col) => showPool(p.cells.findIndex((x) => x.channel === c && x.row === r && x.col === col))));
    return [el('div', { className: 'conv-row' }, [...before, el('span', { className: 'conv-arrow', text: '→' }), ...after])];
  }

  function render() {
    convEl.replaceChildren(...convPart());
    poolEl.replaceChildren(...poolPart());
    const lines = [];
    if (out.cells.length) {
      const c = out.cells[index];
      lines.push(el('p', { className: 'conv-sum' }, [el('b', { text: `o[${c.row}, ${c.col}, ${c.filter}] = ` }),
        el('span', { text: c.text })]));
    }
    if (out.pool) lines.push(el('p', { className: 'conv-sum', text: out.pool.cells[poolIndex].text }));
    textEl.replaceChildren(...lines);
    const sizes = [...out.sizes.map((s) => `conv ${s.axis}: ${s.text}`),
      ...(out.pool ? out.pool.sizes.map((s) => `pool ${s.axis}: ${s.text}`) : [])];
    sizesEl.textContent = sizes.length ? `output size ⌊(n + 2p − k)/s⌋ + 1 — ${sizes.join('; ')}` : '';
  }

  function show(i) {
    if (i < 0 || !out) return;
    index = i;
    render();
  }

  function showPool(i) {
    if (i < 0 || !out) return;
    poolIndex = i;
    render();
  }

  return {
    /** A fresh answer for request `request`: start at the first value. */
    draw(answer, request) {
      out = answer;
      body = request;
      index = 0;
      poolIndex = 0;
      render();
    },
    /** Move the window to the next (+1) or previous (-1) output value, wrapping around. */
    step(delta) {
      if (!out) return;
      if (out.cells.length) show((index + delta + out.cells.length) % out.cells.length);
      else if (out.pool) showPool((poolIndex + delta + out.pool.cells.length) % out.pool.cells.length);
    },
  };
}
