// Middle column: the whole JobSpec as JSON in a textarea, kept in sync with the form controls.
// Edits are parsed as they are typed; onChange({spec}) or onChange({error}) reports the result.

import { describeJsonError } from '../jsonErrors.js';

const INLINE_WIDTH = 64;

/**
 * JSON with one layer per line: short objects and arrays, and every element of network.layers,
 * stay on one line; the rest is indented by 2 spaces.
 */
export function formatSpec(spec) {
  return format(spec, '', []);
}

function inline(value) {
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value ?? null);
}

function format(value, indent, path) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  const isLayer = path.length === 3 && path[0] === 'network' && path[1] === 'layers';
  const flat = inline(value);
  if (path.length > 0 && (isLayer || flat.length <= INLINE_WIDTH)) return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (!value.length) return '[]';
    return `[\n${value.map((v, i) => inner + format(v, inner, [...path, i])).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value);
  if (!entries.length) return '{}';
  const body = entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${format(v, inner, [...path, k])}`);
  return `{\n${body.join(',\n')}\n${indent}}`;
}

export function createSpecEditor(textarea, { onChange }) {
  let last = '';
  textarea.addEventListener('input', () => {
    const text = textarea.value;
    if (text === last) return;
    last = text;
    let spec;
    try {
      spec = JSON.parse(text);
    } catch (err) {
      onChange({ error: describeJsonError(text, err.message) }); // line, column and the likely slip
      return;
    }
    if (!spec || typeof spec !== 'object' || Array.isArray(spec)) {
      onChange({ error: 'The spec must be a JSON object with "dataset", "network" and "training".' });
      return;
    }
    onChange({ spec });
  });
  // Tab inserts two spaces instead of leaving the editor.
  textarea.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Tab' || ev.shiftKey || ev.ctrlKey || ev.altKey || ev.metaKey) return;
    ev.preventDefault();
    textarea.setRangeText('  ', textarea.selectionStart, textarea.selectionEnd, 'end');
    textarea.dispatchEvent(new Event('input'));
  });

  return {
    /** Replace the text with `spec`, formatted (used when a preset, a form control or a job changes it). */
    setSpec(spec) {
      last = formatSpec(spec);
      textarea.value = last;
      textarea.classList.remove('invalid');
    },
    /** Replace the text as if typed (e.g. an imported file): parsed and reported through onChange. */
    setText(text) {
      textarea.value = text;
      textarea.dispatchEvent(new Event('input'));
    },
    markInvalid(invalid) {
      textarea.classList.toggle('invalid', invalid);
    },
  };
}
