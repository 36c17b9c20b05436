// Where a JSON text goes wrong, found by our own small scan rather than read from JSON.parse's message
// (its wording and whether it gives a position differ between browsers and between messages).
// Pure: no DOM. Used by the spec editor; tested in tests/js/jsonErrors.test.mjs.

/** The API's hint for a body that is not JSON (nnplay/api/errors.py), given where it applies. */
export const QUOTE_HINT = '(a trailing comma or a missing quote?)';
const COMMA_HINT = '(a missing comma?)';
const END_HINT = "(a missing ']' or '}'?)";

class Fault {
  constructor(index, reason, hint = '') {
    Object.assign(this, { index, reason, hint });
  }
}

const WS = new Set([' ', '\t', '\n', '\r']);
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const LITERALS = ['true', 'false', 'null'];

function show(ch) {
  return ch === undefined ? 'the end of the text' : `'${ch}'`;
}

function skipWs(s) {
  while (WS.has(s.text[s.i])) s.i += 1;
}

function word(s) {
  return /^[A-Za-z_$][\w$]*/.exec(s.text.slice(s.i, s.i + 40))?.[0] || '';
}

function literal(s) {
  const w = word(s);
  if (LITERALS.includes(w)) {
    s.i += w.length;
    return;
  }
  if (['NaN', 'Infinity'].includes(w)) throw new Fault(s.i, `${w} is not a JSON value: write null or a number`);
  throw new Fault(s.i, `unexpected word '${w}': a string needs double quotes`, QUOTE_HINT);
}

function number(s) {
  const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(s.text.slice(s.i));
  if (!m) throw new Fault(s.i, `a number is malformed at ${show(s.text[s.i])}`);
  s.i += m[0].length;
  const next = s.text[s.i];
  if (next === '.' || next === 'e' || next === 'E' || /\d/.test(next ?? '')) {
    throw new Fault(s.i, `a number is malformed at ${show(next)}`);
  }
}

function string(s) {
  const start = s.i;
  s.i += 1;
  for (;;) {
    const ch = s.text[s.i];
    if (ch === undefined || ch === '\n' || ch === '\r') {
      throw new Fault(start, 'a string is not closed before the end of its line', QUOTE_HINT);
    }
    if (ch === '"') break;
    if (ch < ' ') throw new Fault(s.i, 'a control character (a tab?) inside a string: write it as \\t or \\n');
    if (ch === '\\') escape(s);
    else s.i += 1;
  }
  s.i += 1;
}

function escape(s) {
  const next = s.text[s.i + 1];
  if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(s.text.slice(s.i + 2, s.i + 6))) s.i += 6;
  else if (ESCAPES.has(next)) s.i += 2;
  else throw new Fault(s.i, `'\\${next ?? ''}' is not a JSON escape`);
}

/** After an element of an object or array: its ',' (true), its closing bracket (false), or a fault. */
function separator(s, close) {
  skipWs(s);
  const ch = s.text[s.i];
  if (ch === ',' || ch === close) {
    s.i += 1;
    return ch === ',';
  }
  if (ch === undefined) throw new Fault(s.i, `the text ends before its closing '${close}'`, END_HINT);
  throw new Fault(s.i, `expected ',' or '${close}', found ${show(ch)}`, ch === '"' ? COMMA_HINT : '');
}

/** Before an element: a closing bracket right after a comma is a trailing comma (reported at the comma). */
function notTrailing(s, close, comma) {
  skipWs(s);
  if (comma !== null && s.text[s.i] === close) {
    throw new Fault(comma, `a trailing comma before '${close}'`, QUOTE_HINT);
  }
}

function key(s) {
  const ch = s.text[s.i];
  if (ch === '"') return string(s);
  if (ch === "'") throw new Fault(s.i, 'a property name needs double quotes, not single', QUOTE_HINT);
  if (word(s)) throw new Fault(s.i, `the property name '${word(s)}' needs double quotes`, QUOTE_HINT);
  throw new Fault(s.i, `expected a property name in double quotes, found ${show(ch)}`, QUOTE_HINT);
}

function object(s) {
  s.i += 1;
  skipWs(s);
  if (s.text[s.i] === '}') { s.i += 1; return; }
  let comma = null;
  do {
    notTrailing(s, '}', comma);
    key(s);
    skipWs(s);
    if (s.text[s.i] !== ':') throw new Fault(s.i, `expected ':' after a property name, found ${show(s.text[s.i])}`);
    s.i += 1;
    value(s);
    skipWs(s);
    comma = s.i;
  } while (separator(s, '}'));
}

function array(s) {
  s.i += 1;
  skipWs(s);
  if (s.text[s.i] === ']') { s.i += 1; return; }
  let comma = null;
  do {
    notTrailing(s, ']', comma);
    value(s);
    skipWs(s);
    comma = s.i;
  } while (separator(s, ']'));
}

function value(s) {
  skipWs(s);
  const ch = s.text[s.i];
  if (ch === '{') object(s);
  else if (ch === '[') array(s);
  else if (ch === '"') string(s);
  else if (ch === '-' || /\d/.test(ch ?? '')) number(s);
  else if (/[A-Za-z_$]/.test(ch ?? '')) literal(s);
  else if (ch === "'") throw new Fault(s.i, 'a string needs double quotes, not single', QUOTE_HINT);
  else if (ch === undefined) throw new Fault(s.i, 'the text ends where a value was expected', END_HINT);
  else throw new Fault(s.i, `expected a value, found ${show(ch)}`);
}

/** 1-based line and column of `index` in `text` (a column counts UTF-16 code units, as editors do). */
export function lineColumn(text, index) {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return { line, column: index - before.lastIndexOf('\n') };
}

/**
 * Where `text` stops being JSON: `{index, line, column, reason, hint}` (hint '' where none applies),
 * or null for valid JSON (exactly when JSON.parse accepts it).
 */
export function locateJsonError(text) {
  const s = { text: String(text), i: 0 };
  try {
    value(s);
    skipWs(s);
    if (s.i < s.text.length) throw new Fault(s.i, `unexpected ${show(s.text[s.i])} after the end of the JSON value`);
    return null;
  } catch (err) {
    if (!(err instanceof Fault)) throw err;
    return { ...err, ...lineColumn(s.text, err.index) };
  }
}

/** "Invalid JSON at line 3, column 30: a trailing comma before ']' (a trailing comma or a missing quote?)";
 * `fallback` (JSON.parse's own message) where the scan finds nothing wrong. */
export function describeJsonError(text, fallback = '') {
  const at = locateJsonError(text);
  if (!at) return `Invalid JSON: ${fallback}`;
  return `Invalid JSON at line ${at.line}, column ${at.column}: ${at.reason}${at.hint ? ` ${at.hint}` : ''}`;
}
