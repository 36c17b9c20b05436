// Middle column: the visual network builder, one row per block (an affine layer and the activation
// after it, or any other layer): +/- on its integer fields, an activation menu, move up/down, remove,
// and "Add layer". Each row shows the output shape and parameters the server inferred (the validation
// summary), or the server's error on that layer. Every control is a labelled button, select or input,
// so the builder works from the keyboard; focus stays on the control used across a re-render.

import { formatShape } from './summaryTable.js';
import { el } from './dom.js';
import { activationTypes, blocks, choiceFields, choiceOptions, inFamily, intProperty, numberProperty, steppedFields, valueFields } from '../layerEdits.js';

/**
 * @param {HTMLElement} root  the builder's container
 * @param {{onEdit: (action: object) => void}} handlers  action: {kind: 'add'|'remove'|'move'|'activation'|'step'|'set', ...}
 */
export function createNetworkBuilder(root, { onEdit }) {
  let catalogue = new Map();
  let layers = null;
  const list = el('ol', { className: 'builder-list', id: 'builder-layers', 'aria-label': 'Layers' });
  const note = el('p', { className: 'hint builder-note', hidden: '' });
  const typeSelect = el('select', { id: 'builder-add-type', 'aria-label': 'Type of the layer to add' });
  const addButton = el('button', { type: 'button', id: 'builder-add', text: 'Add layer',
    title: 'Insert a layer of the chosen type before the output layer (at the end when the network has none); a new linear or conv layer gets the activation of the hidden layers' });
  root.replaceChildren(list, note, el('div', { className: 'builder-add' }, [typeSelect, addButton]));
  addButton.addEventListener('click', () => onEdit({ kind: 'add', type: typeSelect.value }));

  let focusNext = null; // the controls to focus after the next render (a moved block's button), in order

  /** A labelled button; `after`: the data-keys to focus once the edit is drawn (default: this one's). */
  function button(text, label, key, action, { disabled = false, after = null } = {}) {
    const b = el('button', { type: 'button', className: 'builder-btn', text, 'aria-label': label, title: label, 'data-key': key });
    b.disabled = disabled;
    b.addEventListener('click', () => {
      focusNext = after;
      onEdit(action);
    });
    return b;
  }

  function stepper(index, layer, field) {
    const prop = intProperty(catalogue.get(layer.type), field);
    const value = Number.isInteger(layer[field]) ? layer[field] : '';
    const input = el('input', { type: 'number', className: 'builder-num', step: '1', min: prop.minimum, max: prop.maximum,
      'aria-label': `${field} of layer ${index}`, 'data-key': `${index}:${field}:value`, value });
    input.addEventListener('change', () => {
      const n = Number(input.value);
      if (Number.isInteger(n) && input.value !== '') onEdit({ kind: 'set', index, field, value: n });
    });
    const named = choiceOptions(catalogue.get(layer.type), field); // e.g. padding: a number or "same" / "valid"
    return el('span', { className: 'builder-field' }, [
      el('span', { className: 'builder-field-name', text: field }),
      button('−', `Decrease ${field} of layer ${index}`, `${index}:${field}:-`, { kind: 'step', index, field, delta: -1 }),
      input,
      button('+', `Increase ${field} of layer ${index}`, `${index}:${field}:+`, { kind: 'step', index, field, delta: 1 }),
      named ? choiceMenu(index, layer, field, ['', ...named], { '': 'pixels' }) : '',
    ]);
  }

  /** A real-number field (dropout p, a slope): typed in, checked by the server as any edit. */
  function valueInput(index, layer, field) {
    const prop = numberProperty(catalogue.get(layer.type), field);
    const value = typeof layer[field] === 'number' ? layer[field] : prop.default ?? '';
    const input = el('input', { type: 'number', className: 'builder-num builder-real', step: 'any', min: prop.minimum,
      max: prop.maximum ?? prop.exclusiveMaximum, 'aria-label': `${field} of layer ${index}`, 'data-key': `${index}:${field}:value`, value });
    input.addEventListener('change', () => {
      const n = Number(input.value);
      if (input.value !== '' && Number.isFinite(n)) onEdit({ kind: 'set', index, field, value: n });
    });
    return el('span', { className: 'builder-field' }, [el('span', { className: 'builder-field-name', text: field }), input]);
  }

  /** A menu of a field's named choices; `labels`: the text of some values ('' = the field's number). */
  function choiceMenu(index, layer, field, options, labels = {}) {
    const select = el('select', { className: 'builder-choice', 'aria-label': `${field} choice of layer ${index}`, 'data-key': `${index}:${field}:choice` });
    for (const value of options) select.append(el('option', { value, text: labels[value] ?? value }));
    select.value = typeof layer[field] === 'string' ? layer[field] : '';
    select.addEventListener('change', () => {
      const prop = intProperty(catalogue.get(layer.type), field);
      onEdit({ kind: 'set', index, field, value: select.value || (prop?.default ?? prop?.minimum ?? 0) });
    });
    return select;
  }

  function choiceField(index, layer, field) {
    const entry = catalogue.get(layer.type);
    const menu = choiceMenu(index, { ...layer, [field]: layer[field] ?? entry?.json_schema?.properties?.[field]?.default }, field, choiceOptions(entry, field));
    return el('span', { className: 'builder-field' }, [el('span', { className: 'builder-field-name', text: field }), menu]);
  }

  function activationMenu(b, block) {
    const select = el('select', { className: 'builder-act', 'aria-label': `Activation after layer ${block.start}`,
      title: 'The activation layer after this one (none: the layer stays affine, e.g. the output logits)', 'data-key': `${block.start}:act` });
    select.append(el('option', { value: '', text: 'no activation' }));
    for (const type of activationTypes(catalogue)) select.append(el('option', { value: type, text: type }));
    select.value = block.activation || '';
    select.addEventListener('change', () => onEdit({ kind: 'activation', block: b, type: select.value }));
    return select;
  }

  function row(block, b, count) {
    const layer = layers[block.start];
    const entry = catalogue.get(layer?.type);
    const fields = entry ? [...steppedFields(entry, layer).map((f) => stepper(block.start, layer, f)),
      ...valueFields(entry, layer).map((f) => valueInput(block.start, layer, f)),
      ...choiceFields(entry, layer).map((f) => choiceField(block.start, layer, f))] : [];
    const affine = inFamily(catalogue, layer?.type, 'affine');
    return el('li', { className: 'builder-block', 'data-block': String(b), 'data-start': String(block.start), 'data-end': String(block.end) }, [
      el('div', { className: 'builder-head' }, [
        el('span', { className: 'builder-index', text: String(block.start) }),
        el('span', { className: 'builder-type', text: String(layer?.type ?? '?'), title: entry?.description || '' }),
        el('span', { className: 'builder-info', 'data-role': 'info' }),
        el('span', { className: 'builder-moves' }, [
          button('↑', `Move layer ${block.start} up`, `${b}:up`, { kind: 'move', block: b, delta: -1 },
            { disabled: b === 0, after: [`${b - 1}:up`, `${b - 1}:down`] }), // focus follows the moved block
          button('↓', `Move layer ${block.start} down`, `${b}:down`, { kind: 'move', block: b, delta: 1 },
            { disabled: b === count - 1, after: [`${b + 1}:down`, `${b + 1}:up`] }),
          button('✕', `Remove layer ${block.start}`, `${b}:remove`, { kind: 'remove', block: b },
            { after: [`${b}:remove`, `${b - 1}:remove`] }),
        ]),
      ]),
      el('div', { className: 'builder-fields' }, [...fields, affine ? activationMenu(b, block) : '']),
      el('ul', { className: 'builder-errors', 'data-role': 'errors', hidden: '' }),
    ]);
  }

  function fillTypes() {
    const keep = typeSelect.value;
    typeSelect.replaceChildren(...[...catalogue.values()].map((entry) => el('option', { value: entry.type, text: entry.type, title: entry.description })));
    typeSelect.value = catalogue.has(keep) ? keep : ([...catalogue.keys()][0] ?? '');
  }

  /** Focus the first enabled control among `keys` (data-key values), else the add button. */
  function restoreFocus(keys) {
    if (!keys?.length) return;
    const controls = [...root.querySelectorAll('[data-key]')];
    const target = keys.map((key) => controls.find((n) => n.dataset.key === key && !n.disabled)).find(Boolean);
    (target || addButton).focus();
  }

  return {
    /** The catalogue rows of GET /api/layers. */
    setCatalogue(map) {
      catalogue = map;
      fillTypes();
      if (layers) this.setLayers(layers);
    },

    /** Render `layerList` (the spec's network.layers), or `message` when there is no list to edit. */
    setLayers(layerList, message = '') {
      const focused = root.contains(document.activeElement) ? document.activeElement.dataset?.key : null;
      const keys = focusNext || (focused ? [focused] : null);
      focusNext = null;
      layers = Array.isArray(layerList) ? layerList : null;
      note.textContent = message;
      note.hidden = !message;
      addButton.disabled = !layers;
      typeSelect.disabled = !layers;
      const list_ = layers ? blocks(layers, catalogue) : [];
      list.replaceChildren(...list_.map((block, b) => row(block, b, list_.length)));
      list.classList.add('pending');
      restoreFocus(keys);
    },

    /** The server's summary: each block's output shape (its last layer's) and parameters (summed). */
    showSummary(summary) {
      const rows = new Map((summary?.layers || []).map((r) => [r.index, r]));
      for (const item of list.children) {
        const [start, end] = [Number(item.dataset.start), Number(item.dataset.end)];
        const last = rows.get(end - 1);
        let params = 0;
        for (let i = start; i < end; i += 1) params += Number(rows.get(i)?.params ?? 0);
        item.querySelector('[data-role="info"]').textContent = last ? `→ ${formatShape(last.output_shape)} · ${params.toLocaleString('en-US')} params` : '';
        showRowErrors(item, []);
      }
      list.classList.remove('pending');
    },

    /** The server refused the spec: each message with a layer index goes on that layer's block. */
    showErrors(messages) {
      for (const item of list.children) {
        const [start, end] = [Number(item.dataset.start), Number(item.dataset.end)];
        const mine = (messages || []).filter((m) => Number.isInteger(m.index) && m.index >= start && m.index < end);
        item.querySelector('[data-role="info"]').textContent = mine.length ? '✗' : '';
        showRowErrors(item, mine);
      }
      list.classList.remove('pending');
    },
  };
}

function showRowErrors(item, messages) {
  const box = item.querySelector('[data-role="errors"]');
  box.replaceChildren(...messages.map((m) => el('li', {}, [el('code', { text: m.field || '' }), el('span', { text: ` ${m.msg}` })])));
  box.hidden = messages.length === 0;
  item.classList.toggle('error', messages.length > 0);
}
