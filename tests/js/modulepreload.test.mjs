// node --test: index.html preloads exactly the modules main.js imports (directly or not), so a page
// fetches them all at once; a module added or removed without its <link rel="modulepreload"> fails here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const FRONTEND = resolve(dirname(fileURLToPath(import.meta.url)), '../../frontend');
const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|^\s*import\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/gm;

/** Every module reachable from `entry` through relative static imports, as paths under frontend/. */
function importGraph(entry) {
  const seen = new Set();
  const walk = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) walk(resolve(dirname(file), m[1] ?? m[2] ?? m[3]));
  };
  walk(resolve(FRONTEND, entry));
  return [...seen].map((f) => relative(FRONTEND, f));
}

test('index.html preloads every module main.js imports, and nothing else', () => {
  const html = readFileSync(resolve(FRONTEND, 'index.html'), 'utf8');
  const preloaded = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]);
  const graph = importGraph('js/main.js').filter((m) => m !== 'js/main.js');
  assert.ok(graph.length > 50, `the scan found the page's modules (${graph.length})`);
  const missing = graph.filter((m) => !preloaded.includes(m));
  const extra = preloaded.filter((m) => !graph.includes(m));
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] },
    `add to index.html: ${missing.map((m) => `<link rel="modulepreload" href="${m}">`).join(' ')}`);
  assert.equal(new Set(preloaded).size, preloaded.length, 'no module preloaded twice');
});

test('plotly is deferred before main.js, so it runs first without blocking the module fetches', () => {
  const html = readFileSync(resolve(FRONTEND, 'index.html'), 'utf8');
  const plotly = html.indexOf('<script defer src="vendor/plotly-cartesian.min.js"></script>');
  const main = html.indexOf('<script type="module" src="js/main.js"></script>');
  assert.ok(plotly > 0 && main > plotly);
});
