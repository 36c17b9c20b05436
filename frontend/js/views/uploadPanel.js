// Left column, Data panel: upload a CSV as a new data set. The file's header row fills the target
// column select (read in the page, nothing is sent until Upload); the server parses and checks the
// whole file and answers with the new data set or errors naming the row or column.

import { el } from './dom.js';

const HEADER_BYTES = 65536;

/** Column names of a CSV header line (double-quoted fields with "" escapes, as RFC 4180). */
export function csvHeader(text) {
  const line = String(text).replace(/^\uFEFF/, '').split(/\r?\n/).find((l) => l.trim()) || '';
  const names = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { field += '"'; i += 1; } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { names.push(field.trim()); field = ''; } else field += ch;
  }
  names.push(field.trim());
  return names.filter((n) => n);
}

/** A data set name from a file name, as the server derives it: "My Data.csv" -> "my_data". */
export function nameFromFile(filename) {
  const stem = String(filename || '').replace(/\.csv$/i, '').toLowerCase();
  const name = stem.replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40) || 'upload';
  return /^[a-z]/.test(name) ? name : `csv_${name}`.slice(0, 40);
}

export function createUploadPanel({ fileInput, targetSelect, taskSelect, nameInput, button, resultEl, onUpload }) {
  let file = null;

  function show(text, kind = 'info') {
    resultEl.textContent = text;
    resultEl.className = `upload-result ${kind}`;
    resultEl.hidden = !text;
  }

  async function onFile() {
    file = fileInput.files?.[0] || null;
    targetSelect.replaceChildren();
    button.disabled = true;
    show('');
    if (!file) return;
    nameInput.value = nameFromFile(file.name);
    let columns = [];
    try {
      columns = csvHeader(await file.slice(0, HEADER_BYTES).text());
    } catch {
      columns = [];
    }
    if (columns.length < 2) {
      show(`${file.name}: no header row with two or more columns was found.`, 'error');
      return;
    }
    targetSelect.replaceChildren(...columns.map((c) => el('option', { value: c, text: c })));
    targetSelect.value = columns[columns.length - 1]; // the target is usually the last column
    button.disabled = false;
    show(`${file.name}: ${columns.length} columns; choose the target and the task.`);
  }

  async function upload() {
    if (!file) return;
    const form = new FormData();
    form.append('file', file, file.name);
    form.append('target', targetSelect.value);
    form.append('task', taskSelect.value);
    if (nameInput.value.trim()) form.append('name', nameInput.value.trim());
    button.disabled = true;
    show('Uploading…');
    try {
      const info = await onUpload(form);
      const what = info.task === 'classification' ? `${info.classes.length} classes` : 'regression target';
      const gaps = info.n_missing ? `, ${info.n_missing} empty cells (imputed)` : '';
      show(`Added “${info.name}”: ${info.n_samples} rows, ${info.input_shape[0]} features, ${what}${gaps}.`, 'ok');
    } catch (err) {
      show(err.message || String(err), 'error');
    } finally {
      button.disabled = !file;
    }
  }

  fileInput.addEventListener('change', onFile);
  button.addEventListener('click', upload);
  button.disabled = true;
  return { show };
}
