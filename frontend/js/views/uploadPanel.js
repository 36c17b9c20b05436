// Left column, Data panel: upload a CSV or a plain-text corpus as a new data set. The kind follows the
// file name (.txt: a text corpus for word2vec) and can be changed. For a CSV, the file's header row
// fills the target column select (read in the page, nothing is sent until Upload); the server parses
// and checks the whole file and answers with the new data set or errors naming the row, column or byte.

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

/** The upload kind a file name suggests, as the server infers it: "text" for .txt, else "csv". */
export function kindFromFile(filename) {
  return /\.txt$/i.test(String(filename || '').trim()) ? 'text' : 'csv';
}

/** A data set name from a file name, as the server derives it: "My Data.csv" -> "my_data", "Hamlet.txt" -> "hamlet". */
export function nameFromFile(filename, kind = 'csv') {
  const stem = String(filename || '').trim().replace(/\.(csv|txt)$/i, '').toLowerCase();
  const name = stem.replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40) || 'upload';
  return /^[a-z]/.test(name) ? name : `${kind}_${name}`.slice(0, 40);
}

const HINTS = {
  csv: 'Numeric columns are standardised (training statistics), other columns one-hot encoded; empty cells are missing values.',
  text: 'Running UTF-8 text, at least 100 words: tokenised like the built-in corpora (lower-cased words of a-z), for word2vec networks.',
};

export function createUploadPanel({ fileInput, kindSelect, targetSelect, taskSelect, nameInput, button, resultEl, hintEl, onUpload }) {
  let file = null;
  let typed = false; // the user typed a name for the chosen file (kept when its kind changes)
  nameInput.addEventListener('input', () => { typed = true; });

  function show(text, kind = 'info') {
    resultEl.textContent = text;
    resultEl.className = `upload-result ${kind}`;
    resultEl.hidden = !text;
  }

  /** Target and task rows only for a CSV. */
  function showKind() {
    const csv = kindSelect.value === 'csv';
    for (const control of [targetSelect, taskSelect]) {
      control.hidden = !csv;
      for (const label of control.labels || []) label.hidden = !csv;
    }
    if (hintEl) hintEl.textContent = HINTS[kindSelect.value];
  }

  async function onFile() {
    file = fileInput.files?.[0] || null;
    typed = false; // a newly chosen file: its own name, not one typed (or refused) for the last file
    if (file) kindSelect.value = kindFromFile(file.name);
    await prepare();
  }

  async function prepare() {
    targetSelect.replaceChildren();
    button.disabled = true;
    showKind();
    show('');
    if (!file) return;
    if (!typed) nameInput.value = nameFromFile(file.name, kindSelect.value);
    if (kindSelect.value === 'text') {
      button.disabled = false;
      show(`${file.name}: a text corpus of ${file.size.toLocaleString()} bytes; the server counts its words.`);
      return;
    }
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
    form.append('kind', kindSelect.value);
    if (kindSelect.value === 'csv') {
      form.append('target', targetSelect.value);
      form.append('task', taskSelect.value);
    }
    if (nameInput.value.trim()) form.append('name', nameInput.value.trim());
    button.disabled = true;
    show('Uploading…');
    try {
      const info = await onUpload(form);
      show(addedText(info), 'ok');
    } catch (err) {
      show(err.message || String(err), 'error');
    } finally {
      button.disabled = !file;
      // Choosing the same file again must count as a new choice (the browser fires no change event
      // for an unchanged selection): the chosen file stays in `file` for Upload.
      fileInput.value = '';
    }
  }

  fileInput.addEventListener('change', onFile);
  kindSelect.addEventListener('change', prepare);
  button.addEventListener('click', upload);
  button.disabled = true;
  showKind();
  return { show };
}

/** What the server stored: rows and features of a table, words of a corpus. */
export function addedText(info) {
  if (info.kind === 'corpus') {
    return `Added “${info.name}”: a word corpus of ${info.n_samples.toLocaleString('en')} words, for word2vec networks.`;
  }
  const what = info.task === 'classification' ? `${info.classes.length} classes` : 'regression target';
  const gaps = info.n_missing ? `, ${info.n_missing} empty cells (imputed)` : '';
  return `Added “${info.name}”: ${info.n_samples} rows, ${info.input_shape[0]} features, ${what}${gaps}.`;
}
