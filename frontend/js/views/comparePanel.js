// Left column, Jobs panel: McNemar's exact test of two finished classification jobs on the same test
// set. The selects list finished jobs; the server checks the test sets match and answers with the two
// accuracies, the discordant counts and the p-value.

import { jobLabel } from '../runName.js';
import { el } from './dom.js';

const FINISHED = new Set(['completed', 'stopped', 'interrupted', 'diverged']);

/** Jobs McNemar's test can compare: finished classifiers with a test accuracy (not regression,
 * autoencoders or word2vec, which have no right/wrong per example). */
export function comparable(jobs) {
  return jobs.filter((j) => FINISHED.has(j.status) && typeof j.final?.test_accuracy === 'number');
}

function label(job) {
  return jobLabel(job, { figure: `acc ${job.final.test_accuracy.toFixed(3)}` });
}

export function createComparePanel({ selectA, selectB, button, resultEl, onCompare }) {
  function fill(select, jobs, fallback) {
    const current = select.value;
    select.replaceChildren(...jobs.map((j) => el('option', { value: j.id, text: label(j), title: `${label(j)}\njob ${j.id}` })));
    select.title = select.selectedOptions[0]?.title || '';
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

  // a run against itself is no comparison: the button says so instead
  function checkPair() {
    const same = Boolean(selectA.value) && selectA.value === selectB.value;
    button.disabled = !selectA.value || !selectB.value || same;
    button.title = same ? 'Pick two different runs' : '';
    for (const select of [selectA, selectB]) select.title = select.selectedOptions[0]?.title || '';
  }
  selectA.addEventListener('change', checkPair);
  selectB.addEventListener('change', checkPair);

  button.addEventListener('click', async () => {
    if (!selectA.value || !selectB.value || selectA.value === selectB.value) return;
    button.disabled = true;
    try {
      renderResult(await onCompare(selectA.value, selectB.value));
    } catch (err) {
      showError(err.message || String(err));
    } finally {
      checkPair();
    }
  });

  return {
    /** The job list changed: offer its finished jobs (newest first). */
    setJobs(jobs) {
      const done = comparable(jobs);
      fill(selectB, done, done[0]?.id);
      // a: its own pick while that is still listed, else another run than b's (never b's own run
      // when a second one has finished: a list refreshed after each run ends once left both on one)
      const other = done.find((j) => j.id !== selectB.value)?.id;
      fill(selectA, done, other);
      if (selectA.value === selectB.value && other) selectA.value = other;
      checkPair();
    },
  };
}
