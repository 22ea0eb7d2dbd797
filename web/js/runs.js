// @ts-check
// The recent runs table and one run's details (its errors; rollback, or its plan for a dry run).
import { byId, fill, h } from './dom.js';
import { dateTime, duration, KIND_LABELS, num } from './format.js';

/** @typedef {import('./types').Run} Run */
/** @typedef {import('./types').RunError} RunError */

/** @param {string} status */
export function badge(status) {
  return h('span', { class: `badge ${status}` }, status);
}

/**
 * @param {Run[]} runs
 * @param {(run: Run) => void} onSelect
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
      ),
    ),
  );
}

/**
 * @param {{ run: Run, errors: RunError[] }} detail
 * @param {{ rollback: (run: Run) => void, showPlan: (run: Run) => void, close: () => void }} actions
 */
export function renderRunDetail(detail, actions) {
  const el = byId('run-detail');
  const { run, errors } = detail;
  const s = run.stats;
  el.hidden = false;
  fill(
    el,
    h('div', { class: 'card-head' }, h('h3', {}, `${KIND_LABELS[run.kind] ?? run.kind} ${run.id}`), h('button', { class: 'btn btn-ghost', type: 'button', onclick: actions.close }, 'Close')),
    h(
      'p',
      {},
      badge(run.status),
      ` As of ${run.asOf}. Pulled ${num(s.pulledCustomers)} records and ${num(s.pulledDeals)} deals, classified ${num(s.classified)}, ${num(s.changed)} records ${run.kind === 'dry_run' ? 'would change' : 'changed'}; `,
      `written ${num(s.written)}, failed ${num(s.failed)}, skipped ${num(s.skippedRecords)}. ${num(s.requests)} API requests (${num(s.rateLimited)} rate-limited).`,
    ),
    run.message ? h('p', { class: run.status === 'failed' ? 'error' : 'muted' }, run.message) : null,
    h(
      'div',
      { class: 'actions' },
      run.kind === 'dry_run' && run.status === 'succeeded' ? h('button', { class: 'btn', type: 'button', onclick: () => actions.showPlan(run) }, 'Show planned changes') : null,
      run.kind === 'sync' && run.status !== 'running' && s.written > 0 ? h('button', { class: 'btn btn-danger', type: 'button', onclick: () => actions.rollback(run) }, 'Roll back this run') : null,
    ),
    errors.length === 0
      ? h('p', { class: 'muted' }, 'No per-record errors.')
      : h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'table' },
            h('thead', {}, h('tr', {}, h('th', {}, 'Phase'), h('th', {}, 'Record'), h('th', {}, 'Code'), h('th', {}, 'Message'))),
            h('tbody', {}, errors.slice(0, 200).map((e) => h('tr', {}, h('td', {}, e.phase), h('td', {}, e.recordId ?? '—'), h('td', {}, h('code', {}, e.code)), h('td', { class: 'wrap' }, e.message)))),
          ),
          errors.length > 200 ? h('p', { class: 'muted small' }, `First 200 of ${num(errors.length)} errors.`) : null,
        ),
  );
}
