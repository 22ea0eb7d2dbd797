// @ts-check
// The installation's dead run jobs (Postgres): retries spent, with the error of their last attempt.
import { api } from './api.js';
import { byId, fill, h } from './dom.js';
import { dateTime, KIND_LABELS, num } from './format.js';
import { scoped } from './scope.js';

/** @typedef {import('./types').Job} Job */

/** @param {Job} j */
function row(j) {
  return h(
    'tr',
    { 'data-job': j.jobId },
    h('td', {}, j.runId ?? h('span', { class: 'muted' }, `job ${j.jobId}`)),
    h('td', {}, j.kind ? (KIND_LABELS[j.kind] ?? j.kind) : '—', j.trigger ? h('span', { class: 'muted' }, ` · ${j.trigger}`) : null),
    h('td', {}, dateTime(j.completedAt ?? j.startedAt ?? j.createdAt)),
    h('td', { class: 'num' }, `${num(j.attempts)} of ${num(j.retryLimit + 1)}`),
    h('td', { class: 'wrap' }, j.error ?? h('span', { class: 'muted' }, 'no error recorded')),
  );
}

/** Shows the card only where runs are queued (Postgres); with SQLite there are no jobs to fail. */
export async function loadFailedJobs() {
  const card = byId('jobs-card');
  const list = /** @type {import('./types').JobList} */ (await api(scoped('/jobs?failed=true&limit=20')));
  card.hidden = list.queue === null;
  if (list.queue === null) return;
  byId('jobs-count').textContent = list.jobs.length === 0 ? '' : `${num(list.jobs.length)}${list.jobs.length === 20 ? ' (the latest 20)' : ''}`;
  const body = /** @type {HTMLElement} */ (byId('jobs-table').querySelector('tbody'));
  fill(body, list.jobs.length === 0 ? h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'No failed jobs: every queued run ran, or is still being retried.')) : list.jobs.map(row));
}
