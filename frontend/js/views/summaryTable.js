// Middle column: the layer list with inferred output shapes and parameter counts (from
// POST /api/networks/validate), or the validation errors shown on the layer they concern.

import { el } from './dom.js';

/** [6, 8, 8] -> "6×8×8"; [10] -> "10". */
export function formatShape(shape) {
  return Array.isArray(shape) ? shape.join('×') : '?';
}

function layerArgs(layer) {
  if (!layer || typeof layer !== 'object') return '';
  return Object.entries(layer)
    .filter(([k]) => k !== 'type')
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
}

/** A conv/pool row's output-size arithmetic, floor((n + 2p - k)/s) + 1 with its numbers (from the server). */
function arithmeticLine(arithmetic) {
  return arithmetic ? el('div', { className: 'layer-arith', text: arithmetic,
    title: 'output size = ⌊(n + 2p − k)/s⌋ + 1: n input size, p padding, k kernel, s stride' }) : '';
}

function layerRow(index, layer, shape, params, extraClass = '', arithmetic = null) {
  const type = layer && typeof layer === 'object' ? String(layer.type ?? '?') : '?';
  const args = layerArgs(layer);
  return el('tr', { className: `layer-row ${extraClass}`.trim(), 'data-index': index }, [
    el('td', { className: 'num', text: String(index) }),
    el('td', { className: 'type', title: args ? `${type}(${args})` : type }, [
      el('span', { className: 'layer-type', text: type }),
      el('span', { className: 'layer-args', text: args ? ` ${args}` : '' }),
      arithmeticLine(arithmetic),
    ]),
    el('td', { className: 'shape', text: shape }),
    el('td', { className: 'num', text: params }),
  ]);
}

function header() {
  return el('thead', {}, [el('tr', {}, [
    el('th', { text: '#' }), el('th', { text: 'layer' }), el('th', { text: 'output shape' }), el('th', { text: 'params' }),
  ])]);
}

export function createSummaryTable({ tableEl, errorsEl, warningsEl }) {
  function specLayers(spec) {
    const layers = spec?.network?.layers;
    return Array.isArray(layers) ? layers : [];
  }

  function showErrorList(lines) {
    errorsEl.replaceChildren(...lines.map((m) => el('li', {}, [
      m.field ? el('code', { className: 'err-field', text: m.field }) : '',
      el('span', { text: m.field ? ` ${m.msg}` : m.msg }),
    ])));
    errorsEl.hidden = lines.length === 0;
  }

  return {
    /** A valid network: one row per layer with its output shape and parameters, then the total. */
    showSummary(summary, spec) {
      const layers = specLayers(spec);
      const body = el('tbody');
      body.append(el('tr', { className: 'input-row' }, [
        el('td', { text: '' }), el('td', { text: 'input' }),
        el('td', { className: 'shape', text: formatShape(summary.input_shape) }), el('td', { text: '' }),
      ]));
      for (const row of summary.layers || []) {
        const layer = layers[row.index] ?? { type: row.type };
        body.append(layerRow(row.index, { ...layer, type: row.type }, formatShape(row.output_shape),
          Number(row.params).toLocaleString('en-US'), '', row.arithmetic));
      }
      const foot = el('tfoot', {}, [el('tr', {}, [
        el('td', { text: '' }), el('td', { text: 'total' }),
        el('td', { className: 'shape', text: `→ ${formatShape(summary.output_shape)}` }),
        el('td', { className: 'num', text: Number(summary.total_params).toLocaleString('en-US') }),
      ])]);
      tableEl.replaceChildren(header(), body, foot);
      tableEl.classList.remove('has-errors', 'pending');
      warningsEl.replaceChildren(...(summary.warnings || []).map((w) => el('li', { text: w })));
      warningsEl.hidden = !(summary.warnings || []).length;
      showErrorList([]);
    },

    /**
     * Validation failed: list every error with its field path, and put each layer's errors
     * right under that layer's row.
     * @param {{field: string|null, msg: string, index: number|null}[]} messages
     */
    showErrors(messages, spec) {
      const layers = specLayers(spec);
      const byIndex = new Map();
      for (const m of messages) {
        if (m.index === null || m.index === undefined) continue;
        if (!byIndex.has(m.index)) byIndex.set(m.index, []);
        byIndex.get(m.index).push(m);
      }
      const body = el('tbody');
      layers.forEach((layer, i) => {
        const errs = byIndex.get(i) || [];
        body.append(layerRow(i, layer, errs.length ? '✗' : '', '', errs.length ? 'error' : ''));
        for (const m of errs) {
          body.append(el('tr', { className: 'layer-error' }, [
            el('td', { text: '' }),
            el('td', { colspan: '3' }, [el('code', { text: m.field || `layers[${i}]` }), el('span', { text: ` ${m.msg}` })]),
          ]));
        }
      });
      tableEl.replaceChildren(header(), body);
      tableEl.classList.add('has-errors');
      tableEl.classList.remove('pending');
      warningsEl.hidden = true;
      showErrorList(messages);
    },

    /** The editor text is not JSON: keep the last table, greyed, and say why. */
    showJsonError(message) {
      tableEl.classList.add('pending');
      warningsEl.hidden = true;
      showErrorList([{ field: null, msg: message }]);
    },

    setPending(pending) {
      tableEl.classList.toggle('pending', pending);
    },
  };
}
