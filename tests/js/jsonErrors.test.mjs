import assert from 'node:assert/strict';
import { test } from 'node:test';

import { describeJsonError, lineColumn, locateJsonError, QUOTE_HINT } from '../../frontend/js/jsonErrors.js';
import { formatSpec } from '../../frontend/js/views/specEditor.js';

const SPEC = {
  dataset: { name: 'spiral', noise: 0.1 },
  network: { layers: [{ type: 'linear', out_features: 8 }, { type: 'tanh' }, { type: 'linear', out_features: 2 }] },
  training: { optimizer: 'adam', lr: 0.01, epochs: 20, batch_size: 'full', grad_clip: null, nesterov: false },
};
const TEXT = formatSpec(SPEC);

test('a trailing comma in the layer list is found at the comma, with its line, column and the hint', () => {
  const last = '{"type": "linear", "out_features": 2}';
  const lastLine = TEXT.split('\n').findIndex((l) => l.includes(last));
  const text = TEXT.replace(last, `${last},`);
  const at = locateJsonError(text);
  const line = text.split('\n')[at.line - 1];
  assert.equal(at.line, lastLine + 1);
  assert.equal(at.column, line.length);
  assert.equal(line[at.column - 1], ',');
  assert.equal(describeJsonError(text),
    `Invalid JSON at line ${at.line}, column ${at.column}: a trailing comma before ']' ${QUOTE_HINT}`);
});

test('the message names the place and the cause for each common slip', () => {
  const cases = [
    ['{"a": 1,\n}', 1, 8, "a trailing comma before '}'", true],
    ['{"a": "x}', 1, 7, 'a string is not closed', true],
    ['{a: 1}', 1, 2, "the property name 'a' needs double quotes", true],
    ["{'a': 1}", 1, 2, 'double quotes, not single', true],
    ['{"a": relu}', 1, 7, "unexpected word 'relu'", true],
    ['{"a": 1 "b": 2}', 1, 9, "expected ',' or '}', found '\"'", false],
    ['{"a": [1, 2}', 1, 12, "expected ',' or ']', found '}'", false],
    ['{"a": 1', 1, 8, "the text ends before its closing '}'", false],
    ['{"a": NaN}', 1, 7, 'NaN is not a JSON value', false],
    ['{"a": 01}', 1, 8, 'a number is malformed', false],
    ['{"a": 1}}', 1, 9, "unexpected '}' after the end", false],
    ['', 1, 1, 'the text ends where a value was expected', false],
  ];
  for (const [text, line, column, reason, quoteHint] of cases) {
    const at = locateJsonError(text);
    assert.ok(at, text);
    assert.deepEqual([at.line, at.column], [line, column], text);
    assert.ok(at.reason.includes(reason), `${text}: ${at.reason}`);
    assert.equal(at.hint === QUOTE_HINT, quoteHint, text);
  }
});

test('line and column are 1-based', () => {
  assert.deepEqual(lineColumn('ab\ncd', 0), { line: 1, column: 1 });
  assert.deepEqual(lineColumn('ab\ncd', 4), { line: 2, column: 2 });
});

test('the scan agrees with JSON.parse: null exactly for valid JSON, over every one-character edit of a spec', () => {
  const texts = [TEXT, JSON.stringify(SPEC), '[]', '{}', '"\\u00e9\\n"', '-0.5e+3', 'true', ' null '];
  const edits = [',', ']', '}', '"', ':', '', 'x', ' ', '\t', '1', '.', '-', '\\'];
  let tried = 0;
  for (const base of texts) {
    for (let i = 0; i <= base.length; i += 1) {
      for (const ch of edits) {
        const text = base.slice(0, i) + ch + base.slice(i + (ch === '' ? 1 : 0));
        let valid = true;
        try { JSON.parse(text); } catch { valid = false; }
        assert.equal(locateJsonError(text) === null, valid, JSON.stringify(text));
        tried += 1;
      }
    }
  }
  assert.ok(tried > 5000, String(tried));
});
