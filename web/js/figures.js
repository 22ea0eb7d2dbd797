// @ts-check
// Key figures, the LTV card and the model-fit card.
import { byId, fill, h } from './dom.js';
import { dateTime, money, num, pct } from './format.js';

/** @typedef {import('./types').Overview} Overview */

/**
 * A key figure; with `open`, a button that lists the people it counts.
 * @param {string} label @param {string} value @param {string} [sub] @param {{ key: string, open: () => void }} [link]
 */
function kpi(label, value, sub, link) {
  const parts = [h('div', { class: 'kpi-label' }, label), h('div', { class: 'kpi-value' }, value), sub ? h('div', { class: 'kpi-sub' }, sub) : null];
  if (!link) return h('div', { class: 'kpi' }, parts);
  return h('button', { class: 'kpi', type: 'button', 'data-kpi': link.key, title: 'List these customers', onclick: link.open }, parts);
}

/**
 * @param {Overview} o
 * @param {(filter: { stages?: string[], sort?: string, order?: string }) => void} [open] lists the people a figure counts
 */
export function renderKpis(o, open) {
  const s = o.summary;
  const el = byId('kpis');
  const note = byId('figures-note');
  note.hidden = true;
  if (!s) {
    fill(el);
    return;
  }
  // Say whose figures these are when they are not what the CRM holds.
  const when = o.rolledBack?.finishedAt ? ` on ${dateTime(o.rolledBack.finishedAt)}` : '';
  const text = o.rolledBack
    ? `Rolled back${when} (${o.rolledBack.id}${o.rolledBack.rollbackOf ? `, undoing ${o.rolledBack.rollbackOf}` : ''}): the CRM holds the values from before that run. These figures are the ${o.runKind === 'dry_run' ? 'dry run' : 'run'}'s as of ${o.asOf ?? '—'}; start a dry run to see the current ones.`
    : o.runKind === 'dry_run'
      ? `Planned by the dry run as of ${o.asOf ?? '—'}: not written to the CRM yet.`
      : '';
  note.textContent = text;
  note.hidden = text === '';
  const c = s.ltvFigures.currency;
  const l = s.ltvFigures;
  fill(
    el,
    kpi('People scored', num(s.customers), `${num(s.purchasers)} customers · ${num(s.prospects)} prospects`, open && { key: 'people', open: () => open({}) }),
    kpi('At risk or churned', num(s.stages.at_risk + s.stages.churned), `${pct((s.stages.at_risk + s.stages.churned) / Math.max(1, s.customers))} of people`, open && { key: 'at-risk', open: () => open({ stages: ['at_risk', 'churned'] }) }),
    kpi('Value to date', money(s.totals.ltv, c, true), `mean ${money(s.means.ltv, c)} per customer`, open && { key: 'ltv', open: () => open({ sort: 'ltv', order: 'desc' }) }),
    kpi(`Predicted CLV`, money(s.totals.predictedClv, c, true), `next ${o.settings.clvHorizonMonths} months`, open && { key: 'clv', open: () => open({ sort: 'clv', order: 'desc' }) }),
    kpi('Mean churn risk', s.means.churnRisk === null ? '—' : `${num(s.means.churnRisk)} %`, 'customers with a purchase', open && { key: 'churn', open: () => open({ sort: 'churnRisk', order: 'desc' }) }),
    kpi('LTV:CAC', l.ltvToCac === null ? '—' : `${l.ltvToCac.toFixed(1)} : 1`, l.ltvToCac === null ? (l.acquisitionSpend === null ? 'set acquisition spend' : 'no new customers in the period') : `CAC ${money(l.cac, c)}`),
  );
}

/** @param {Overview} o */
export function renderLtv(o) {
  const el = byId('ltv');
  const s = o.summary;
  if (!s) {
    fill(el, h('dd', { class: 'hint' }, 'No figures yet: start a dry run or a sync.'));
    return;
  }
  const f = s.ltvFigures;
  const c = f.currency;
  /** @type {[string, string][]} */
  const rows = [
    [`Revenue in the last ${f.periodDays} days`, money(f.revenueInPeriod, c)],
    ['Customers who bought in the period', num(f.customersInPeriod)],
    ['Average order value', money(f.averageOrderValue, c)],
    ['Purchases per customer', num(f.purchasesPerCustomer, 2)],
    ['Simple LTV (revenue ÷ customers)', money(f.simpleLtv, c)],
    ['Retention rate (period over period)', pct(f.retentionRate)],
    ['Average retention', f.averageRetentionYears === null ? '—' : `${f.averageRetentionYears.toFixed(1)} years`],
    [`Retention-based LTV (× ${f.grossMargin === null ? 'revenue' : 'profit'} per customer)`, money(f.retentionLtv, c)],
    ['Acquisition cost per new customer (CAC)', money(f.cac, c)],
    ['LTV:CAC', f.ltvToCac === null ? '—' : `${f.ltvToCac.toFixed(2)} : 1`],
  ];
  const hint =
    f.ltvToCac !== null
      ? null
      : f.acquisitionSpend === null
        ? 'Set classifier.ltv.acquisitionSpend (your acquisition spend in the period) to compare LTV with CAC.'
        : `No customer made a first purchase in the last ${f.periodDays} days, so there is no acquisition cost per customer.`;
  fill(el, rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]), hint ? h('dd', { class: 'hint' }, hint) : null, s.pareto.clvShare === null ? null : h('dd', { class: 'hint' }, `Pareto: the top ${pct(s.pareto.topShare)} of customers hold ${pct(s.pareto.clvShare)} of predicted CLV and ${pct(s.pareto.ltvShare)} of value to date.`));
}

export const MODEL_NAMES = /** @type {Record<string, string>} */ ({ pareto_nbd: 'Pareto/NBD', bg_nbd: 'BG/NBD', mbg_nbd: 'MBG/NBD', recency_heuristic: 'Recency heuristic' });

/** @param {import('./types').ModelFit | null} fit */
export function renderModel(fit) {
  const el = byId('model');
  if (!fit) {
    fill(el, h('p', { class: 'muted' }, 'No model fitted yet: start a dry run or a sync.'));
    return;
  }
  const m = fit.model;
  const g = fit.spendModel;
  const status = m.fallbackReason ? h('span', { class: 'badge stopped' }, 'fallback') : m.converged ? h('span', { class: 'badge succeeded' }, 'converged') : h('span', { class: 'badge failed' }, 'not converged');
  fill(
    el,
    h('div', { class: 'status-line' }, `${MODEL_NAMES[m.name] ?? m.name}`, status),
    m.fallbackReason ? h('p', { class: 'muted' }, `Wanted ${MODEL_NAMES[m.selection?.chosen ?? m.requested] ?? m.requested}: ${m.fallbackReason}`) : null,
    m.selection ? h('p', { class: 'muted' }, `Chosen automatically: ${m.selection.reason}.`) : null,
    ...(m.warnings ?? []).map((w) => h('p', { class: 'muted' }, `Warning: ${w}`)),
    h('div', { class: 'params' }, Object.entries(m.params).map(([k, v]) => h('span', { class: 'param' }, `${k} = ${v.toPrecision(4)}`))),
    h(
      'dl',
      { class: 'kv' },
      h('dt', {}, 'Log-likelihood'),
      h('dd', {}, m.logLikelihood === null ? '—' : num(m.logLikelihood, 1)),
      h('dt', {}, 'Fitted on'),
      h('dd', {}, `${num(m.customers)} customers, ${num(m.repeatBuyers)} repeat buyers; data as of ${fit.fittedAsOf ?? fit.asOf}${m.reused ? ' (reused from an earlier run)' : ''}`),
      h('dt', {}, 'Time unit'),
      h('dd', {}, fit.timeUnit ?? '—'),
      h('dt', {}, 'Spend model'),
      h('dd', {}, g ? `Gamma-Gamma p = ${g.params.p.toPrecision(3)}, q = ${g.params.q.toPrecision(3)}, γ = ${g.params.gamma.toPrecision(3)} (${num(g.customers)} repeat buyers)` : (fit.spendFallbackReason ?? '—')),
      h('dt', {}, 'Last scored'),
      h('dd', {}, `${dateTime(fit.at)} (run ${fit.runId})`),
    ),
  );
}
