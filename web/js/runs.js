// @ts-check
// The recent runs table and one run's details (its errors; rollback and what it wrote, or its plan for a dry run).
import { download } from './api.js';
import { byId, fill, h } from './dom.js';
import { scoped } from './scope.js';
import { dateTime, duration, KIND_LABELS, num } from './format.js';

/** @typedef {import('./types').Run} Run */
/** @typedef {import('./types').AnyRun} AnyRun */
/** @typedef {import('./types').QueuedRun} QueuedRun */
/** @typedef {import('./types').RunError} RunError */

/**
 * A run queued for the workers that has not started (no record yet: no stats, no start time).
 * @param {AnyRun} run @returns {run is QueuedRun}
 */
export function isQueued(run) {
  return run.startedAt === null;
}

/** The outcome of a queued run's job: one sentence for the progress line and the run's details. */
const QUEUED_WORDS = /** @type {Record<QueuedRun['status'], string>} */ ({
  queued: 'queued — waiting for a worker',
  starting: 'starting on a worker…',
  skipped: 'skipped by the worker',
  failed: 'failed before it could start',
  cancelled: 'cancelled before it started',
});

/** @param {QueuedRun} run */
export function queuedWords(run) {
  return QUEUED_WORDS[run.status] ?? run.status;
}

/** @param {string} status */
export function badge(status) {
  return h('span', { class: `badge ${status}` }, status);
}

/** @param {QueuedRun} r */
function queuedCells(r) {
  return [
    h('td', {}, h('span', { class: 'muted' }, 'queued '), dateTime(r.queuedAt)),
    h('td', {}, KIND_LABELS[r.kind] ?? r.kind),
    h('td', {}, badge(r.status)),
    h('td', {}, '—'),
    ...[1, 2, 3, 4].map(() => h('td', { class: 'num' }, '—')),
    h('td', { class: 'num' }, r.status === 'queued' || r.status === 'starting' ? '…' : '—'),
    h('td', { class: 'wrap muted' }, r.message ?? ''),
  ];
}

/** @param {Run} r */
function runCells(r) {
  return [
    h('td', {}, dateTime(r.startedAt)),
    h('td', {}, `${KIND_LABELS[r.kind] ?? r.kind}${r.mode ? ` (${r.mode})` : ''}`),
    h('td', {}, badge(r.status)),
    h('td', {}, r.asOf),
    h('td', { class: 'num' }, r.kind === 'rollback' ? '—' : num(r.stats.pulledCustomers)),
    h('td', { class: 'num' }, num(r.stats.changed)),
    h('td', { class: 'num' }, r.kind === 'dry_run' ? '—' : num(r.stats.written)),
    h('td', { class: 'num' }, num(r.stats.failed)),
    h('td', { class: 'num' }, r.finishedAt ? duration(r.finishedAt - r.startedAt) : '…'),
    h('td', { class: 'wrap muted' }, r.message ?? (r.rollbackOf ? `rolled back ${r.rollbackOf}` : '')),
  ];
}

/**
 * @param {AnyRun[]} runs
 * @param {(run: AnyRun) => void} onSelect
 * @param {string | null} selected
 */
export function renderRuns(runs, onSelect, selected) {
  const body = /** @type {HTMLElement} */ (byId('runs-table').querySelector('tbody'));
  if (runs.length === 0) {
    fill(body, h('tr', {}, h('td', { colspan: 10, class: 'muted' }, 'No runs yet: start a dry run.')));
    return;
  }
  fill(
    body,
    runs.map((r) =>
      h(
        'tr',
        { class: `clickable${r.id === selected ? ' selected' : ''}`, 'data-run': r.id, tabindex: 0, onclick: () => onSelect(r), onkeydown: (e) => (/** @type {KeyboardEvent} */ (e).key === 'Enter' ? onSelect(r) : undefined) },
        isQueued(r) ? queuedCells(r) : runCells(r),
      ),
    ),
  );
}

/**
 * @param {{ run: AnyRun, errors: RunError[], errorCounts?: import('./types').ErrorCount[] }} detail
 * @param {{ rollback: (run: Run) => void, showPlan: (run: Run) => void, close: () => void, fail: (error: unknown) => void, showWrites?: (run: Run, el: HTMLElement) => void }} actions
 */
export function renderRunDetail(detail, actions) {
  const el = byId('run-detail');
  const { run, errors } = detail;
  const counts = detail.errorCounts ?? [];
  el.hidden = false;
  if (isQueued(run)) {
    fill(
      el,
      h('div', { class: 'card-head' }, h('h3', {}, `${KIND_LABELS[run.kind] ?? run.kind} ${run.id}`), h('button', { class: 'btn btn-ghost', type: 'button', onclick: actions.close }, 'Close')),
      h('p', {}, badge(run.status), ` Queued ${dateTime(run.queuedAt)}: ${queuedWords(run)}${run.finishedAt ? ` (${dateTime(run.finishedAt)})` : ''}. Job ${run.jobId}.`),
      run.message ? h('p', { class: run.status === 'failed' ? 'error' : 'muted' }, run.message) : null,
    );
    return;
  }
  const s = run.stats;
  // The API sends at most 1,000 errors: the run's counts say how many there are. A rollback's "errors"
  // are mostly records left alone (changed in the CRM since the run), counted as skipped.
  const total = Math.max(errors.length, s.failed + s.skippedRecords);
  const what = run.kind === 'rollback' ? 'records left alone or not restored' : 'per-record errors';
  // A real run that wrote (or tried to): what it wrote, record by record (writes.js).
  const writes = run.kind !== 'dry_run' && s.written + s.failed > 0 ? h('div', { id: 'run-writes', class: 'writes' }) : null;
  fill(
    el,
    h('div', { class: 'card-head' }, h('h3', {}, `${KIND_LABELS[run.kind] ?? run.kind} ${run.id}`), h('button', { class: 'btn btn-ghost', type: 'button', onclick: actions.close }, 'Close')),
    h(
      'p',
      {},
      badge(run.status),
      ` As of ${run.asOf}. Pulled ${num(s.pulledCustomers)} records and ${num(s.pulledDeals)} deals, classified ${num(s.classified)}, ${num(s.changed)} records ${run.kind === 'dry_run' ? 'would change' : 'changed'}; `,
      `written ${num(s.written)}, failed ${num(s.failed)}, skipped ${num(s.skippedRecords)}. ${num(s.requests)} API requests (${num(s.rateLimited)} rate-limited).`,
      s.deals ? ` Deal scoring: ${num(s.deals.open)} open deals scored, ${num(s.deals.changed)} ${run.kind === 'dry_run' ? 'would change' : `changed, ${num(s.deals.written)} written`}.` : null,
    ),
    run.message ? h('p', { class: run.status === 'failed' ? 'error' : 'muted' }, run.message) : null,
    h(
      'div',
      { class: 'actions' },
      run.kind === 'dry_run' && run.status === 'succeeded' ? h('button', { class: 'btn', type: 'button', onclick: () => actions.showPlan(run) }, 'Show planned changes') : null,
      (run.kind === 'sync' || run.kind === 'rescore') && run.status !== 'running' && s.written > 0 ? h('button', { class: 'btn btn-danger', type: 'button', onclick: () => actions.rollback(run) }, 'Roll back this run') : null,
      run.kind === 'dry_run' && run.status === 'succeeded' && s.changed + (s.deals?.changed ?? 0) > 0
        ? h('button', { class: 'btn btn-ghost', type: 'button', id: 'export-plan', onclick: () => void download(scoped(`/runs/${encodeURIComponent(run.id)}/plan.csv`), `${run.id}-plan.csv`).catch(actions.fail) }, 'Download the plan (CSV)')
        : null,
      errors.length > 0
        ? h('button', { class: 'btn btn-ghost', type: 'button', id: 'export-errors', onclick: () => void download(scoped(`/runs/${encodeURIComponent(run.id)}/errors.csv`), `${run.id}-errors.csv`).catch(actions.fail) }, 'Download the errors (CSV)')
        : null,
    ),
    // Grouped by code first: thousands of records refused for one reason read as one line.
    counts.length > 0
      ? h(
          'table',
          { class: 'table', id: 'error-groups' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Code'), h('th', {}, 'Phase'), h('th', { class: 'num' }, 'Records'), h('th', {}, 'For example'))),
          h('tbody', {}, counts.map((c) => h('tr', {}, h('td', {}, h('code', {}, c.code)), h('td', {}, c.phase), h('td', { class: 'num' }, num(c.count)), h('td', { class: 'wrap' }, c.example)))),
        )
      : null,
    errors.length === 0
      ? h('p', { class: 'muted' }, 'No per-record errors.')
      : h(
          'details',
          { class: 'table-wrap' },
          h('summary', {}, `Each record (${num(total)} ${what})`),
          h(
            'table',
            { class: 'table' },
            h('thead', {}, h('tr', {}, h('th', {}, 'Phase'), h('th', {}, 'Record'), h('th', {}, 'Code'), h('th', {}, 'Message'))),
            h('tbody', {}, errors.slice(0, 200).map((e) => h('tr', {}, h('td', {}, e.phase), h('td', {}, e.recordId ?? '—'), h('td', {}, h('code', {}, e.code)), h('td', { class: 'wrap' }, e.message)))),
          ),
          total > Math.min(errors.length, 200) ? h('p', { class: 'muted small' }, `First ${num(Math.min(errors.length, 200))} of ${num(total)} ${what}.`) : null,
        ),
    writes,
  );
  if (writes) actions.showWrites?.(run, writes);
}
