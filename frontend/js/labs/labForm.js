// Shared by the foundations tabs: posting a form's body, reading its controls, listing refusals.

import { ApiError, authFetch } from '../api.js';

/** POST a JSON body; the parsed answer, or an ApiError whose messages name the refused fields. */
export async function postJson(path, body) {
  let res;
  try {
    res = await authFetch(path, { method: 'POST', body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' } });
  } catch {
    throw new ApiError(0, null);
  }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!res.ok) throw new ApiError(res.status, data && 'detail' in data ? data.detail : null);
  return data;
}

/** The lines of an error for a form's error list: "field: message". */
export function errorLines(err) {
  if (err instanceof ApiError) return err.messages.map((m) => (m.field ? `${m.field}: ${m.msg}` : m.msg));
  console.error(err); // eslint-disable-line no-console
  return ['Something went wrong in the page; see the console.'];
}

/** Shows `lines` in the <ul> `list` (hidden when there are none). */
export function showErrors(list, lines) {
  list.replaceChildren(...lines.map((line) => Object.assign(document.createElement('li'), { textContent: line })));
  list.hidden = !lines.length;
}

/** A form control's value: a number for number/range inputs (the raw text when it is not one, so the
 * server names the field), null for an empty optional number, else the string. */
export function fieldValue(el) {
  if (el.type === 'number' || el.type === 'range') {
    if (el.value === '' && el.dataset.optional) return null;
    return Number.isFinite(el.valueAsNumber) ? el.valueAsNumber : el.value;
  }
  if (el.type === 'checkbox') return el.checked;
  return el.value;
}

/**
 * The HTML of a lab's form row. Each control: `{name, label, title, options?: [value, text][]}` for a
 * select, else a number input with `value`, `min`, `max`, `step` (`optional`: empty means null).
 * Ids are `${prefix}-${name}`; names are the request body's fields.
 */
export function formHtml(prefix, controls, submitLabel = 'Run') {
  const control = (c) => `<span class="found-ctl" data-name="${c.name}">${input(c)}</span>`;
  const input = (c) => {
    const id = `${prefix}-${c.name}`;
    const label = `<label for="${id}" title="${c.title || ''}">${c.label}</label>`;
    if (c.options) {
      return `${label}<select id="${id}" name="${c.name}" title="${c.title || ''}">${c.options
        .map(([v, t]) => `<option value="${v}"${v === c.value ? ' selected' : ''}>${t}</option>`).join('')}</select>`;
    }
    if (c.checkbox) {
      return `${label}<input id="${id}" name="${c.name}" type="checkbox"${c.value ? ' checked' : ''} title="${c.title || ''}">`;
    }
    const attrs = ['min', 'max', 'step'].filter((k) => c[k] !== undefined).map((k) => `${k}="${c[k]}"`).join(' ');
    return `${label}<input id="${id}" name="${c.name}" type="number" ${attrs} value="${c.value ?? ''}"
      title="${c.title || ''}"${c.optional ? ' data-optional="1" placeholder="= σ"' : ''}>`;
  };
  return `<form id="${prefix}-form" class="lab-form found-form">${controls.map(control).join('')}
    <button id="${prefix}-run" class="primary" type="submit">${submitLabel}</button></form>
    <ul id="${prefix}-errors" class="errors" hidden></ul>`;
}

/** The request body of a form built by formHtml: `{name: fieldValue}` for each named control. */
export function readForm(form) {
  const body = {};
  for (const el of form.querySelectorAll('[name]')) body[el.name] = fieldValue(el);
  return body;
}

/**
 * Wires a lab: submit (and `change` of any control) posts readForm(form) to `path`; an answer goes to
 * `render`, a refusal to the error list. Returns `{run, ran}`: `ran()` is whether an answer was drawn.
 */
export function wireLab({ form, errors, path, render, adjust = (body) => body }) {
  let seq = 0;
  let drawn = false;
  async function run(ev) {
    ev?.preventDefault();
    const mine = ++seq;
    try {
      const out = await postJson(path, adjust(readForm(form)));
      if (mine !== seq) return; // a newer request was sent meanwhile
      showErrors(errors, []);
      drawn = true;
      render(out);
    } catch (err) {
      if (mine === seq) showErrors(errors, errorLines(err));
    }
  }
  form.addEventListener('submit', run);
  form.addEventListener('change', run);
  return { run, ran: () => drawn };
}
