// @ts-check
// A dry run's planned changes, shown before anything is written, with the button that writes them.
import { api } from './api.js';
import { scoped } from './scope.js';
import { byId, fill, h } from './dom.js';
import { change, changeCells } from './changes.js';
import { FIELD_LABELS, num } from './format.js';

/** @typedef {import('./types').Plan} Plan */

const PAGE = 100;
/** A dry run's deal records (deal scoring): `deal:<CRM id>`, after the customers. */
const DEAL_PREFIX = 'deal:';

/** @type {{ runId: string, shown: number, total: number, records: number, stageLabels: Record<string, string> } | null} */
let current = null;

/** @param {Plan} plan @param {Record<string, string>} stageLabels */
function rows(plan, stageLabels) {
  return plan.byRecord.map((r) =>
    r.recordId.startsWith(DEAL_PREFIX)
      ? // A deal's outputs have no customer column: each change named, across the row.
        h(
          'tr',
          { 'data-record': r.recordId, class: 'deal-change' },
          h('td', {}, `Deal ${r.recordId.slice(DEAL_PREFIX.length)}`),
          h('td', { colspan: 6, class: 'wrap' }, r.changes.map((c) => h('div', { class: 'deal-field' }, h('span', { class: 'muted' }, `${FIELD_LABELS[c.field] ?? c.field}: `), change(c, stageLabels)))),
        )
      : h('tr', { 'data-record': r.recordId }, h('td', {}, r.recordId), ...changeCells(r.changes, stageLabels)),
  );
}

/** @param {string} runId @param {Record<string, string>} stageLabels */
export async function showPlan(runId, stageLabels) {
  const plan = /** @type {Plan} */ (await api(scoped(`/runs/${encodeURIComponent(runId)}/plan?group=record&limit=${PAGE}`)));
  current = { runId, shown: plan.byRecord.length, total: plan.total, records: plan.records + (plan.deals ?? 0), stageLabels };
  const card = byId('plan-card');
  card.hidden = false;
  card.dataset.run = runId;
  byId('plan-title').textContent = `Planned changes — dry run as of ${plan.asOf}`;
  const deals = plan.deals ?? 0;
  const what = [plan.records > 0 ? `${num(plan.records)} records` : '', deals > 0 ? `${num(deals)} open deal${deals === 1 ? '' : 's'}` : ''].filter(Boolean).join(' and ');
  byId('plan-summary').textContent =
    plan.records + deals === 0 ? 'Nothing would change: the CRM already holds these scores.' : `${what} would change. Nothing has been written yet: review, then write these changes or dismiss them.`;
  const fields = [...Object.entries(plan.changedFields), ...Object.entries(plan.dealChangedFields ?? {})].sort((a, b) => b[1] - a[1]);
  fill(byId('plan-fields'), fields.map(([f, n]) => h('span', { class: 'chip' }, `${FIELD_LABELS[f] ?? f} `, h('b', {}, num(n)))));
  const moves = Object.entries(plan.stageTransitions).sort((a, b) => b[1] - a[1]);
  const label = (/** @type {string} */ s) => (s === 'none' ? 'new' : (stageLabels[s] ?? s));
  fill(
    byId('plan-moves'),
    moves.map(([m, n]) => {
      const [from = '', to = ''] = m.split('→');
      return h('span', { class: 'chip move' }, `${label(from)} → ${label(to)} `, h('b', {}, num(n)));
    }),
  );
  fill(/** @type {HTMLElement} */ (byId('plan-table').querySelector('tbody')), rows(plan, stageLabels));
  updateFoot();
  /** @type {HTMLButtonElement} */ (byId('plan-apply')).disabled = !planWritable();
  card.scrollIntoView({ behavior: 'smooth', block: 'start' });
}

/** Whether "Write these changes" has something to write: a plan is shown and it changes a record. */
export function planWritable() {
  return current !== null && current.records > 0;
}

function updateFoot() {
  if (!current) return;
  byId('plan-count').textContent = `Showing ${num(current.shown)} of ${num(current.total)} records`;
  byId('plan-more').hidden = current.shown >= current.total;
}

export async function showMore() {
  if (!current) return;
  const plan = /** @type {Plan} */ (await api(scoped(`/runs/${encodeURIComponent(current.runId)}/plan?group=record&limit=${PAGE}&offset=${current.shown}`)));
  byId('plan-table').querySelector('tbody')?.append(...rows(plan, current.stageLabels));
  current.shown += plan.byRecord.length;
  updateFoot();
}

export function hidePlan() {
  current = null;
  byId('plan-card').hidden = true;
}
