// Left column, Jobs panel: McNemar's exact test of two finished classification jobs on the same test
// set. The selects list finished jobs; the server checks the test sets match and answers with the two
// accuracies, the discordant counts and the p-value.

import { el } from './dom.js';

const FINISHED = new Set(['completed', 'stopped', 'interrupted', 'diverged']);

function label(job) {
  const acc = job.final?.test_accuracy;
  const d = job.spec?.dataset || {};
  return `${job.name || job.id.slice(0, 8)} · ${d.name}${typeof acc === 'number' ? ` · acc ${acc.toFixed(3)}` : ''}`;
}

export function createComparePanel({ selectA, selectB, button, resultEl, onCompare }) {
  function fill(select, jobs, fallback) {
    const current = select.value;
    select.replaceChildren(...jobs.map((j) => el('option', { value: j.id, text: label(j), title: j.id })));
    select.value = jobs.some((j) => j.id === current) ? current : (fallback ?? '');
  }

  function renderResult(r) {
    const fmt = (x) => x.toFixed(3);
    const row = (cells, head = false) => el('tr', {}, cells.map((c) => el(head ? 'th' : 'td', { text: String(c) })));
    const table = el('table', { className: 'compare-table' }, [
      row(['', 'b right', 'b wrong'], true),
      row(['a right', r.both_correct, `${r.b_count} (b)`]),
      row(['a wrong', `${r.c_count} (c)`, r.both_wrong]),
    ]);
    resultEl.replaceChildren(
      el('p', { text: `a: ${r.a.name || r.a.id.slice(0, 8)}, test accuracy ${fmt(r.a.accuracy)}` }),
      el('p', { text: `b: ${r.b.name || r.b.id.slice(0, 8)}, test accuracy ${fmt(r.b.accuracy)}` }),
      table,
      el('p', { className: 'p-value', text: `p = ${r.p_value < 1e-4 ? r.p_value.toExponential(2) : r.p_value.toFixed(4)} (n = ${r.n_test} test examples)` }),
      el('p', { className: 'conclusion', text: r.conclusion }),
    );
    resultEl.title = r.test;
    resultEl.className = 'compare-result ok';
    resultEl.hidden = false;
  }

  function showError(text) {
    resultEl.replaceChildren(el('p', { text }));
    resultEl.className = 'compare-result error';
    resultEl.hidden = false;
  }

  button.addEventListener('click', async () => {
    if (!selectA.value || !selectB.value) return;
    button.disabled = true;
    try {
      renderResult(await onCompare(selectA.value, selectB.value));
    } catch (err) {
      showError(err.message || String(err));
    } finally {
      button.disabled = false;
    }
  });

  return {
    /** The job list changed: offer its finished jobs (newest first). */
    setJobs(jobs) {
      const done = jobs.filter((j) => FINISHED.has(j.status) && j.final);
      fill(selectA, done, done[1]?.id);
      fill(selectB, done, done[0]?.id);
      button.disabled = done.length < 2;
    },
  };
}
