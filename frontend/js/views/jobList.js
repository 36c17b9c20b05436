// Left column, bottom: past and running jobs, newest first. Clicking one opens it (its curves
// are replayed from the stream); the × deletes it.

import { isTerminal } from '../protocol.js';
import { el } from './dom.js';

function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const sameDay = d.toDateString() === new Date().toDateString();
  return sameDay ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })
    : d.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

function accuracyText(job) {
  const acc = job.final?.test_accuracy;
  return typeof acc === 'number' ? acc.toFixed(3) : '';
}

export function createJobList(listEl, { onOpen, onDelete }) {
  listEl.addEventListener('click', (ev) => {
    const item = ev.target.closest('[data-job-id]');
    if (!item) return;
    if (ev.target.closest('.job-delete')) {
      ev.stopPropagation();
      onDelete(item.dataset.jobId);
    } else {
      onOpen(item.dataset.jobId);
    }
  });
  listEl.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Enter' && ev.key !== ' ') return;
    const item = ev.target.closest('[data-job-id]');
    if (item && !ev.target.closest('.job-delete')) {
      ev.preventDefault();
      onOpen(item.dataset.jobId);
    }
  });

  return {
    /** @param {object[]} jobs Job records, newest first. @param {string|null} currentId */
    render(jobs, currentId) {
      if (!jobs.length) {
        listEl.replaceChildren(el('li', { className: 'placeholder', text: 'No jobs yet: press ▶ Play or Train.' }));
        return;
      }
      listEl.replaceChildren(...jobs.map((job) => {
        const acc = accuracyText(job);
        const dataset = job.spec?.dataset?.name ?? '';
        return el('li', {
          className: `job-item${job.id === currentId ? ' current' : ''}`,
          'data-job-id': job.id, tabindex: '0', title: `${job.name ? `${job.name}\n` : ''}job ${job.id}${job.detail ? `\n${job.detail}` : ''}`,
        }, [
          el('div', { className: 'job-line' }, [
            el('span', { className: 'job-name', text: job.name || job.id.slice(0, 8) }),
            el('span', { className: `badge status-${job.status}`, text: job.status }),
          ]),
          el('div', { className: 'job-line sub' }, [
            el('span', { text: `${dataset} · ${when(job.created_at)}` }),
            el('span', { className: 'job-acc', text: acc ? `test acc ${acc}` : '' }),
          ]),
          el('button', {
            className: 'job-delete', type: 'button', text: '×',
            title: isTerminal(job.status) ? 'Delete this job' : 'Stop and delete this job',
            'aria-label': `delete job ${job.name || job.id}`,
          }),
        ]);
      }));
    },

    showError(message) {
      listEl.replaceChildren(el('li', { className: 'placeholder error', text: message }));
    },
  };
}
