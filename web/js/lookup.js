// @ts-check
// One customer's page: who, the scores in words, why the stage, purchases, signals, and the values
// written. The sentences come from the server (src/sync/describe.ts, what `lifecycle-sync explain`
// prints); the tables are laid out here.
import { api } from './api.js';
import { scoped } from './scope.js';
import { fill, h } from './dom.js';
import { crmLinkText, money, num, STAGE_COLORS } from './format.js';

/** Purchases and history rows shown before "Show all". */
export const PURCHASES_SHOWN = 10;
export const HISTORY_SHOWN = 30;

/**
 * A table of the first `shown` rows, with a button that shows the rest (hundreds of purchases stay one click away).
 * @param {string} id @param {string[]} heads @param {HTMLElement[]} rows @param {number} shown @param {string} what
 */
function collapsedTable(id, heads, rows, shown, what) {
  const body = h('tbody', {}, rows.slice(0, shown));
  const table = h('table', { class: 'table', id }, h('thead', {}, h('tr', {}, heads.map((t) => h('th', { class: t === 'Amount' ? 'num' : undefined }, t)))), body);
  const wrap = h('div', { class: 'table-wrap scroll' }, table);
  if (rows.length <= shown) return wrap;
  const note = h('span', { class: 'muted small' }, `Showing the last ${shown} of ${num(rows.length)} ${what}`);
  const more = h('button', { class: 'btn btn-ghost', type: 'button', id: `${id}-all` }, `Show all ${num(rows.length)}`);
  more.addEventListener('click', () => {
    body.append(...rows.slice(shown));
    note.textContent = `All ${num(rows.length)} ${what}`;
    more.remove();
  });
  return h('div', {}, wrap, h('div', { class: 'table-foot' }, note, more));
}

/** @param {import('./types').Explanation} e @param {string} currency */
function purchasesTable(e, currency) {
  const rows = [...e.purchases].reverse().map((p) => h('tr', {}, h('td', {}, p.day), h('td', { class: 'num' }, money(p.amount, currency)), h('td', {}, p.dealId)));
  return collapsedTable('customer-purchases', ['Date', 'Amount', 'Deal'], rows, PURCHASES_SHOWN, 'purchases');
}

/** @param {import('./types').CustomerDescription['history']} history */
function historyTable(history) {
  // A run's when and which once, on its first row: the rows below it are the same run's other fields.
  const rows = history.map((line, i) =>
    h(
      'tr',
      { class: [line.rolledBackBy ? 'rolled-back' : '', i > 0 && history[i - 1].runId === line.runId ? 'same-run' : ''].join(' ').trim() || undefined },
      h('td', {}, i > 0 && history[i - 1].runId === line.runId ? '' : line.when),
      i > 0 && history[i - 1].runId === line.runId ? h('td', {}) : h('td', {}, line.run, h('br'), h('span', { class: 'muted small' }, line.runId)),
      h('td', {}, line.label),
      h('td', { class: 'wrap' }, `${line.from} → ${line.to}`),
      h('td', {}, line.rolledBackBy ? h('span', { class: 'badge stopped' }, `rolled back by ${line.rolledBackBy}`) : line.state === 'applied' ? line.outcome : h('span', { class: `badge ${line.state === 'failed' ? 'failed' : 'stopped'}` }, line.outcome)),
    ),
  );
  return collapsedTable('customer-history', ['When', 'Run', 'Field', 'From → to', 'Outcome'], rows, HISTORY_SHOWN, 'values written');
}

/** @param {string} id @param {HTMLElement} out @param {Record<string, string>} stageLabels @param {string} currency */
export async function lookUp(id, out, stageLabels, currency) {
  const e = /** @type {import('./types').Explanation} */ (await api(scoped(`/customers/${encodeURIComponent(id)}`)));
  const d = e.description;
  const stage = e.scores?.values.stage ?? null;
  const who = [e.display?.name ? e.display.email : undefined, e.display?.company].filter(Boolean).join(' · ');
  fill(
    out,
    h(
      'div',
      { class: 'status-line', id: 'customer-head' },
      h('strong', {}, e.display?.name ?? e.display?.email ?? d.record),
      who ? h('span', { class: 'muted' }, who) : null,
      e.display?.name || e.display?.email ? h('span', { class: 'muted' }, d.record) : null,
      stage ? h('span', { class: 'stage-tag', 'data-stage': stage }, d.stage ?? stageLabels[stage] ?? stage) : h('span', { class: 'muted' }, 'not scored yet'),
      e.deleted ? h('span', { class: 'badge failed' }, 'no longer in the CRM') : null,
      e.crmUrl && !e.deleted ? h('a', { href: e.crmUrl, target: '_blank', rel: 'noopener noreferrer', id: 'lookup-crm-link' }, crmLinkText(e.recordLabel ?? null)) : null,
    ),
    h('p', { id: 'customer-scores' }, d.scores.join(' ')),
    d.reason ? h('div', {}, h('h3', {}, 'Why this stage'), h('p', { id: 'customer-reason' }, d.reason)) : null,
    h('h3', {}, 'Purchases'),
    h('p', { id: 'customer-purchases-summary' }, d.purchases),
    e.purchases.length ? purchasesTable(e, currency) : null,
    h('h3', {}, 'Signals from the CRM'),
    d.signals.length ? h('ul', { id: 'customer-signals' }, d.signals.map((s) => h('li', {}, s))) : h('p', { id: 'customer-signals', class: 'muted' }, 'None besides the purchases.'),
    h('h3', {}, 'Values written'),
    d.history.length ? historyTable(d.history) : h('p', { class: 'muted', id: 'customer-history' }, 'Nothing written to this record yet.'),
  );
  // Colours are set through the CSSOM (allowed by the page's CSP), not as inline style markup.
  const tag = out.querySelector('.stage-tag');
  if (tag instanceof HTMLElement && stage) tag.style.background = STAGE_COLORS[stage] ?? '#98a2b3';
}
