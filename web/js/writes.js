// @ts-check
// What a real run (a sync or a rollback) wrote, record by record, in its detail: values before → after as
// the plan shows them (changes.js), what became of them, a search by record id, name, e-mail or company,
// pages, and the CSV of what is searched. From GET runs/:id/writes and writes.csv.
import { api, download } from './api.js';
import { changeCells, WRITE_STATUS } from './changes.js';
import { fill, h } from './dom.js';
import { num } from './format.js';
import { scoped } from './scope.js';

/** @typedef {import('./types').RunWrites} RunWrites */

const PAGE_SIZE = 50;

/**
 * A record's outcome in one badge: its values' status when they share one, else the ones that did not stand.
 * @param {RunWrites['records'][number]} r
 */
function outcome(r) {
  const statuses = [...new Set(r.writes.map((w) => w.status))];
  if (statuses.length === 1) return h('span', { class: `badge ${statuses[0]}` }, WRITE_STATUS[statuses[0]] ?? statuses[0]);
  const off = r.writes.filter((w) => w.status !== 'written');
  return h('span', { class: 'badge stopped' }, `${off.length} of ${r.writes.length} ${WRITE_STATUS[off[0]?.status ?? ''] ?? 'not written'}`);
}

/** @param {RunWrites['records'][number]} r @param {Record<string, string>} stageLabels */
function row(r, stageLabels) {
  const who = [r.display?.name, r.display?.email].filter(Boolean).join(' · ');
  return h(
    'tr',
    { 'data-record': r.recordId },
    h('td', {}, r.recordId, who ? h('div', { class: 'muted small' }, who) : null),
    ...changeCells(r.writes, stageLabels),
    h('td', {}, outcome(r)),
  );
}

/**
 * Fills `el` with the run's writes, first page, and their search, paging and download.
 * @param {HTMLElement} el @param {{ id: string }} run @param {Record<string, string>} stageLabels @param {(error: unknown) => void} fail
 */
export function showWrites(el, run, stageLabels, fail) {
  const path = scoped(`/runs/${encodeURIComponent(run.id)}/writes`);
  let search = '';
  let page = 1;
  let asked = 0;
  const input = /** @type {HTMLInputElement} */ (h('input', { type: 'search', id: 'writes-search', placeholder: 'Search by record id, name, e-mail or company', 'aria-label': 'Search the records this run wrote', autocomplete: 'off', spellcheck: 'false' }));
  const body = h('tbody');
  const count = h('span', { class: 'muted', id: 'writes-count' });
  const previous = /** @type {HTMLButtonElement} */ (h('button', { class: 'btn btn-ghost btn-small', type: 'button', id: 'writes-previous', onclick: () => void go(page - 1).catch(fail) }, 'Previous'));
  const next = /** @type {HTMLButtonElement} */ (h('button', { class: 'btn btn-ghost btn-small', type: 'button', id: 'writes-next', onclick: () => void go(page + 1).catch(fail) }, 'Next'));
  const query = () => (search ? `?search=${encodeURIComponent(search)}` : '');
  fill(
    el,
    h('h4', {}, 'What this run wrote'),
    h(
      'form',
      {
        class: 'writes-toolbar',
        role: 'search',
        onsubmit: (event) => {
          event.preventDefault();
          search = input.value.trim();
          void go(1).catch(fail);
        },
      },
      input,
      h('button', { class: 'btn', type: 'submit' }, 'Search'),
      h('button', { class: 'btn btn-ghost', type: 'button', id: 'export-writes', onclick: () => void download(`${path}.csv${query()}`, `${run.id}-writes.csv`).catch(fail) }, 'Download (CSV)'),
    ),
    h(
      'div',
      { class: 'table-wrap scroll' },
      h(
        'table',
        { class: 'table', id: 'writes-table' },
        h('thead', {}, h('tr', {}, ...['Record', 'Stage', 'Churn risk %', 'Predicted CLV', 'LTV to date', 'Reason written', 'Also', 'Outcome'].map((t, i) => h('th', { class: i >= 2 && i <= 4 ? 'num' : '' }, t)))),
        body,
      ),
    ),
    h('div', { class: 'table-foot' }, count, h('span', {}, previous, ' ', next)),
  );

  /** @param {number} to */
  async function go(to) {
    const mine = ++asked;
    const sep = search ? '&' : '?';
    const writes = /** @type {RunWrites} */ (await api(`${path}${query()}${sep}page=${to}&pageSize=${PAGE_SIZE}`));
    if (mine !== asked) return;
    page = writes.page;
    const first = (page - 1) * PAGE_SIZE;
    fill(body, writes.records.length ? writes.records.map((r) => row(r, stageLabels)) : h('tr', {}, h('td', { colspan: 8, class: 'muted' }, search ? `No record this run wrote matches “${search}”.` : 'This run wrote nothing.')));
    count.textContent = writes.total === 0 ? '' : `Records ${num(first + 1)}–${num(first + writes.records.length)} of ${num(writes.total)}${search ? ` matching “${search}”` : ''}`;
    previous.disabled = page <= 1;
    next.disabled = first + writes.records.length >= writes.total;
  }

  void go(1).catch(fail);
}
