// @ts-check
// The Customers card: who the customers are, searched, filtered, sorted and paged (GET /customers), each
// linking to its record in the CRM; a row shows the customer (lookUp); "Download CSV" saves the filtered
// list (GET /customers.csv). The charts and key figures open it filtered to the people they count.
import { api, download } from './api.js';
import { byId, fill, h } from './dom.js';
import { crmLinkText, money, num, STAGE_COLORS } from './format.js';
import { lookUp } from './lookup.js';
import { scoped } from './scope.js';

/** @typedef {import('./types').CustomerListRow} Row */

const PAGE_SIZE = 50;
const BAND_LABELS = /** @type {Record<string, string>} */ ({ low: 'Low', medium: 'Medium', high: 'High' });
const SORT_LABELS = /** @type {Record<string, string>} */ ({ clv: 'predicted CLV', churnRisk: 'churn risk', ltv: 'LTV to date', conversionLikelihood: 'conversion likelihood' });

/**
 * What the list shows. `stages` may hold several (the "at risk or churned" tile); `churn` is a bar of
 * the churn-risk histogram: from (inclusive) to (exclusive; null: to 100).
 * @typedef {{ search: string, stages: string[], band: string, tier: string, changed: boolean, prospects: boolean, churn: { from: number, to: number | null } | null, sort: string, order: string, page: number }} ListState
 */

/** @returns {ListState} */
const initial = () => ({ search: '', stages: [], band: '', tier: '', changed: false, prospects: false, churn: null, sort: 'clv', order: 'desc', page: 1 });

/** @type {ListState} */
let state = initial();
/** The page's labels and currency, from the overview. */
let context = { stageLabels: /** @type {Record<string, string>} */ ({}), tierLabels: /** @type {Record<string, string>} */ ({}), stageOrder: /** @type {string[]} */ ([]), currency: 'USD' };
/** @type {(error: unknown) => void} */
let onError = () => undefined;
/** Counts the loads: an older answer arriving late is dropped. */
let generation = 0;

const input = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ (byId(id));
const select = (/** @type {string} */ id) => /** @type {HTMLSelectElement} */ (byId(id));

/** The query string of the state (the list's and the CSV's; the page only for the list). @param {boolean} paged */
function query(paged) {
  const q = new URLSearchParams();
  if (state.search.trim()) q.set('search', state.search.trim());
  if (state.stages.length > 0) q.set('stage', state.stages.join(','));
  if (state.band) q.set('band', state.band);
  if (state.tier) q.set('tier', state.tier);
  if (state.changed) q.set('changed', 'true');
  if (state.prospects) q.set('prospects', 'true');
  if (state.churn) {
    q.set('churnFrom', String(state.churn.from));
    if (state.churn.to !== null) q.set('churnTo', String(state.churn.to));
  }
  q.set('sort', state.sort);
  q.set('order', state.order);
  if (paged) {
    q.set('page', String(state.page));
    q.set('pageSize', String(PAGE_SIZE));
  }
  return q.toString();
}

/** The active filters in words ("At risk or Churned · churn risk 40–50 %"), empty when there are none. */
function filterWords() {
  const parts = [];
  if (state.search.trim()) parts.push(`matching “${state.search.trim()}”`);
  if (state.stages.length > 0) parts.push(state.stages.map((s) => context.stageLabels[s] ?? s).join(' or '));
  if (state.band) parts.push(`${BAND_LABELS[state.band] ?? state.band} churn risk`);
  if (state.churn) parts.push(`churn risk ${state.churn.from}–${state.churn.to ?? 100} %`);
  if (state.tier) parts.push(context.tierLabels[state.tier] ?? state.tier);
  if (state.changed) parts.push('changed in the last run');
  if (state.prospects) parts.push('prospects');
  return parts.join(' · ');
}

/** Puts the state into the controls (after a drill-down or a clear). */
function showState() {
  input('customers-search').value = state.search;
  const stage = select('customers-stage');
  // Several stages at once: an option of their own while they are chosen.
  stage.querySelector('option[data-several]')?.remove();
  if (state.stages.length > 1) stage.append(h('option', { value: state.stages.join(','), 'data-several': true }, state.stages.map((s) => context.stageLabels[s] ?? s).join(' or ')));
  stage.value = state.stages.join(',');
  select('customers-band').value = state.band;
  select('customers-tier').value = state.tier;
  input('customers-changed').checked = state.changed;
  input('customers-prospects').checked = state.prospects;
  select('customers-sort').value = state.sort;
  select('customers-order').value = state.order;
  const words = filterWords();
  byId('customers-filter').hidden = words === '';
  byId('customers-filter-text').textContent = words ? `Showing customers: ${words}` : '';
}

/** @param {string | null} stage */
function stageTag(stage) {
  if (!stage) return h('span', { class: 'muted' }, '—');
  const tag = h('span', { class: 'stage-tag' }, context.stageLabels[stage] ?? stage);
  // Colours through the CSSOM (allowed by the page's CSP), not inline style markup.
  tag.style.background = STAGE_COLORS[stage] ?? '#98a2b3';
  return tag;
}

/** @param {Row} row @param {string | null} label */
function renderRow(row, label) {
  const who = [row.email, row.company].filter(Boolean).join(' · ');
  const tr = h(
    'tr',
    { class: 'clickable', 'data-record': row.recordId, tabindex: 0, title: 'Show this customer' },
    h('td', {}, row.name ? h('strong', {}, row.name) : row.recordId, row.name ? h('div', { class: 'muted small' }, row.recordId) : null),
    h('td', {}, who || h('span', { class: 'muted' }, '—')),
    h('td', {}, stageTag(row.stage), row.changedInLastRun ? h('span', { class: 'muted small changed-mark', title: 'The last run planned changes for this customer' }, ' changed') : null),
    h('td', { class: 'num' }, row.churnRisk === null ? '—' : `${num(row.churnRisk)} %`, row.churnRiskBand ? h('div', { class: 'muted small' }, BAND_LABELS[row.churnRiskBand] ?? row.churnRiskBand) : null),
    h('td', {}, row.valueTier ? (context.tierLabels[row.valueTier] ?? row.valueTier) : '—'),
    h('td', { class: 'num' }, money(row.clv, context.currency)),
    h('td', { class: 'num' }, money(row.ltv, context.currency)),
    h('td', { class: 'num conversion' }, row.conversionLikelihood === null || row.conversionLikelihood === undefined ? '—' : `${num(row.conversionLikelihood)} %`),
    h('td', {}, row.crmUrl ? h('a', { href: row.crmUrl, target: '_blank', rel: 'noopener noreferrer', class: 'crm-link', onclick: (/** @type {Event} */ e) => e.stopPropagation() }, crmLinkText(label)) : null),
  );
  const show = () => {
    for (const other of byId('customers-table').querySelectorAll('tr.selected')) other.classList.remove('selected');
    tr.classList.add('selected');
    const out = byId('customers-detail');
    out.hidden = false;
    lookUp(row.recordId, out, context.stageLabels, context.currency).then(
      () => out.scrollIntoView({ block: 'nearest' }),
      (e) => fill(out, h('p', { class: 'error' }, e instanceof Error ? e.message : String(e))),
    );
  };
  tr.addEventListener('click', show);
  tr.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') show();
  });
  return tr;
}

/** Reads the list the state asks for and shows it. */
export async function loadCustomers() {
  const mine = ++generation;
  showState();
  const list = /** @type {import('./types').CustomerList} */ (await api(scoped(`/customers?${query(true)}`)));
  if (mine !== generation) return;
  const body = /** @type {HTMLElement} */ (byId('customers-table').querySelector('tbody'));
  // Companies are shown by name and web domain (a contact by e-mail and company).
  if (list.recordLabel) byId('customers-who-heading').textContent = list.recordLabel === 'company' ? 'Domain' : 'E-mail · company';
  fill(body, list.rows.length > 0 ? list.rows.map((row) => renderRow(row, list.recordLabel)) : h('tr', {}, h('td', { colspan: 9, class: 'muted' }, list.total === 0 && filterWords() ? 'No customer matches these filters.' : 'No customers scored yet.')));
  const first = list.total === 0 ? 0 : (list.page - 1) * list.pageSize + 1;
  const last = Math.min(list.total, list.page * list.pageSize);
  byId('customers-range').textContent = list.total === 0 ? '0 customers' : `${num(first)}–${num(last)} of ${num(list.total)}, by ${SORT_LABELS[state.sort] ?? state.sort}${state.order === 'asc' ? ', lowest first' : ''}`;
  /** @type {HTMLButtonElement} */ (byId('customers-prev')).disabled = list.page <= 1;
  /** @type {HTMLButtonElement} */ (byId('customers-next')).disabled = last >= list.total;
}

/**
 * Opens the list filtered to the people a chart bar or a key figure counts, and scrolls to it.
 * @param {Partial<ListState>} filter
 */
export function showCustomers(filter) {
  state = { ...initial(), sort: state.sort, order: state.order, ...filter, page: 1 };
  fill(byId('customers-detail'));
  loadCustomers().then(() => byId('customers').scrollIntoView({ block: 'start' }), onError);
}

/**
 * The labels of the installation shown (stage and tier names, currency) and the options they give.
 * @param {import('./types').Overview} o
 */
export function setCustomerLabels(o) {
  context = { stageLabels: o.labels.stages, tierLabels: o.labels.valueTiers, stageOrder: o.labels.stageOrder, currency: o.settings.currency };
  fill(select('customers-stage'), h('option', { value: '' }, 'All stages'), o.labels.stageOrder.map((s) => h('option', { value: s }, o.labels.stages[s] ?? s)));
  fill(select('customers-tier'), h('option', { value: '' }, 'All tiers'), /** @type {const} */ (['top', 'middle', 'bottom']).map((t) => h('option', { value: t }, o.labels.valueTiers[t] ?? t)));
}

/** Forgets the previous installation's list (another view). */
export function resetCustomers() {
  generation += 1;
  state = initial();
  fill(byId('customers-detail'));
  fill(/** @type {HTMLElement} */ (byId('customers-table').querySelector('tbody')));
  byId('customers-range').textContent = '';
}

/** @param {(error: unknown) => void} fail */
export function wireCustomers(fail) {
  onError = fail;
  const reload = () => {
    state.page = 1;
    void loadCustomers().catch(fail);
  };
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let typing;
  input('customers-search').addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      state.search = input('customers-search').value;
      reload();
    }, 250);
  });
  byId('customers-form').addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(typing);
    state.search = input('customers-search').value;
    reload();
  });
  select('customers-stage').addEventListener('change', () => {
    const v = select('customers-stage').value;
    state.stages = v ? v.split(',') : [];
    reload();
  });
  select('customers-band').addEventListener('change', () => {
    state.band = select('customers-band').value;
    // A band and a histogram bar would contradict each other: the band chosen by hand wins.
    state.churn = null;
    reload();
  });
  select('customers-tier').addEventListener('change', () => {
    state.tier = select('customers-tier').value;
    reload();
  });
  input('customers-changed').addEventListener('change', () => {
    state.changed = input('customers-changed').checked;
    reload();
  });
  input('customers-prospects').addEventListener('change', () => {
    state.prospects = input('customers-prospects').checked;
    reload();
  });
  select('customers-sort').addEventListener('change', () => {
    state.sort = select('customers-sort').value;
    reload();
  });
  select('customers-order').addEventListener('change', () => {
    state.order = select('customers-order').value;
    reload();
  });
  byId('customers-clear').addEventListener('click', () => {
    state = { ...initial(), sort: state.sort, order: state.order };
    reload();
  });
  byId('customers-prev').addEventListener('click', () => {
    state.page = Math.max(1, state.page - 1);
    void loadCustomers().catch(fail);
  });
  byId('customers-next').addEventListener('click', () => {
    state.page += 1;
    void loadCustomers().catch(fail);
  });
  byId('customers-csv').addEventListener('click', () => void download(scoped(`/customers.csv?${query(false)}`), 'customers.csv').catch(fail));
}
