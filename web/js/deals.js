// @ts-check
// The "Open deal pipeline" card (deal scoring, sync.deals.enabled): the open deals by MEDDIC score and win
// probability as a grid of bands (GET /deals/pipeline), the win model's line (fitted with its
// cross-validated AUC, or the MEDDIC score fallback and why), and the open deals sorted and paged
// (GET /deals/open), each linking to its record in the CRM; "Download CSV" saves them all.
import { api, download } from './api.js';
import { byId, fill, h } from './dom.js';
import { MEDDIC_LABELS, money, num, pct } from './format.js';
import { scoped } from './scope.js';

/** @typedef {import('./types').DealPipeline} Pipeline */
/** @typedef {import('./types').OpenDeal} Deal */

const PAGE_SIZE = 25;
const SORT_LABELS = /** @type {Record<string, string>} */ ({ winProbability: 'win probability', meddicScore: 'MEDDIC score', amount: 'amount' });

let state = { sort: 'winProbability', order: 'desc', page: 1 };
let currency = 'USD';
/** Counts the loads: an older answer arriving late is dropped. */
let generation = 0;

/** "40–60" for a band's index. @param {number[]} bands @param {number} i */
const bandLabel = (bands, i) => `${bands[i]}–${i + 1 < bands.length ? bands[i + 1] : 100}`;

/** The win model's line in words. @param {Pipeline['winModel']} m */
function modelLine(m) {
  if (!m) return h('span', { class: 'muted' }, 'No win model yet: the next sync fits it on the closed deals.');
  const v = m.validation;
  if (m.basis === 'meddic_fallback') {
    return h('span', {}, h('strong', {}, 'MEDDIC score fallback: '), m.reason ?? '', v && v.auc !== null ? h('span', { class: 'muted' }, ` · the MEDDIC score\u2019s AUC on ${num(v.deals)} closed deals ${num(v.auc, 2)} ± ${num(v.aucStandardError, 2)}`) : null);
  }
  const auc = v && v.auc !== null ? ` · cross-validated AUC ${num(v.auc, 2)} ± ${num(v.aucStandardError, 2)} (${num(v.folds)} folds)` : ' · too few of one outcome to cross-validate';
  const calibration = (v?.calibration ?? []).map((b) => `${pct(b.meanPredicted)} predicted → ${pct(b.observedWinRate)} won (${num(b.deals)})`).join('; ');
  return h(
    'span',
    {},
    h('strong', {}, 'Fitted win model: '),
    `${num(m.closedDeals)} closed deals, ${num(m.won)} won${auc}`,
    calibration ? h('span', { class: 'muted small', title: 'Calibration: mean predicted win probability against the share won, by band of prediction' }, ` · calibration ${calibration}`) : null,
  );
}

/** @param {Pipeline} p */
function renderGrid(p) {
  const grid = byId('deals-grid');
  const bands = p.bands;
  const most = Math.max(1, ...p.cells.map((c) => c.deals));
  const cell = (/** @type {number} */ m, /** @type {number} */ w) => p.cells.find((c) => c.meddicBand === m && c.winBand === w);
  fill(
    /** @type {HTMLElement} */ (grid.querySelector('thead')),
    h('tr', {}, h('th', { scope: 'col' }, 'MEDDIC score \\ win probability'), bands.map((_, w) => h('th', { scope: 'col', class: 'num' }, `${bandLabel(bands, w)} %`))),
  );
  // The best qualified deals on top.
  const rows = bands.map((_, i) => bands.length - 1 - i);
  fill(
    /** @type {HTMLElement} */ (grid.querySelector('tbody')),
    rows.map((m) =>
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, bandLabel(bands, m)),
        bands.map((_, w) => {
          const c = cell(m, w);
          if (!c) return h('td', { class: 'muted', 'data-meddic': m, 'data-win': w }, '·');
          return h('td', { class: `heat-${Math.ceil((4 * c.deals) / most)}`, 'data-meddic': m, 'data-win': w, title: `${num(c.deals)} deals with a MEDDIC score of ${bandLabel(bands, m)} and a win probability of ${bandLabel(bands, w)} %` }, h('strong', {}, num(c.deals)), h('span', { class: 'amount' }, money(c.amount, currency, true)));
        }),
      ),
    ),
  );
}

/** @param {Deal} d */
function renderDeal(d) {
  return h(
    'tr',
    { 'data-deal': d.dealId },
    h('td', {}, d.crmUrl ? h('a', { href: d.crmUrl, target: '_blank', rel: 'noopener noreferrer', class: 'crm-link', title: 'Open the deal in the CRM' }, d.name ?? d.dealId) : (d.name ?? d.dealId), d.name ? null : h('span', { class: 'sr-only' }, ' (no name)')),
    h('td', {}, d.stage ?? h('span', { class: 'muted' }, '—')),
    h('td', { class: 'num' }, money(d.amount, currency)),
    h('td', { class: 'num' }, num(d.meddicScore)),
    h('td', { class: 'num' }, `${num(d.winProbability)} %`),
    h('td', {}, d.biggestGap ? (MEDDIC_LABELS[d.biggestGap] ?? d.biggestGap) : h('span', { class: 'muted' }, 'none')),
    h('td', { class: 'wrap' }, d.nextAction),
  );
}

function showSort() {
  for (const th of byId('deals-table').querySelectorAll('th[data-sort]')) {
    const el = /** @type {HTMLElement} */ (th);
    el.setAttribute('aria-sort', el.dataset.sort === state.sort ? (state.order === 'asc' ? 'ascending' : 'descending') : 'none');
  }
}

async function loadList() {
  const mine = generation;
  const q = new URLSearchParams({ sort: state.sort, order: state.order, page: String(state.page), pageSize: String(PAGE_SIZE) });
  const list = /** @type {import('./types').OpenDealList} */ (await api(scoped(`/deals/open?${q.toString()}`)));
  if (mine !== generation) return;
  showSort();
  fill(/** @type {HTMLElement} */ (byId('deals-table').querySelector('tbody')), list.rows.length > 0 ? list.rows.map(renderDeal) : h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'No open deals scored yet: the next sync scores them.')));
  const first = list.total === 0 ? 0 : (list.page - 1) * list.pageSize + 1;
  const last = Math.min(list.total, list.page * list.pageSize);
  byId('deals-range').textContent = list.total === 0 ? '0 open deals' : `${num(first)}–${num(last)} of ${num(list.total)} open deals, by ${SORT_LABELS[state.sort] ?? state.sort}${state.order === 'asc' ? ', lowest first' : ''}`;
  /** @type {HTMLButtonElement} */ (byId('deals-prev')).disabled = list.page <= 1;
  /** @type {HTMLButtonElement} */ (byId('deals-next')).disabled = last >= list.total;
}

/** Reads the pipeline and the first page of deals; where deal scoring is off, says how to turn it on. */
export async function loadDeals() {
  const mine = ++generation;
  const p = /** @type {Pipeline} */ (await api(scoped('/deals/pipeline')));
  if (mine !== generation) return;
  currency = p.currency;
  byId('deals').hidden = false;
  const off = !p.enabled && p.deals === 0;
  byId('deals-off').hidden = !off;
  byId('deals-on').hidden = off;
  /** @type {HTMLButtonElement} */ (byId('deals-csv')).disabled = p.deals === 0;
  if (off) {
    fill(byId('deals-off'), p.howToEnable ?? 'Deal scoring is off.');
    return;
  }
  fill(byId('deals-model'), modelLine(p.winModel), p.enabled ? null : h('span', { class: 'muted' }, ' · deal scoring is off now (sync.deals.enabled): these are the last scores'));
  renderGrid(p);
  await loadList();
}

/** Forgets the previous installation's pipeline (another view). */
export function resetDeals() {
  generation += 1;
  state = { sort: 'winProbability', order: 'desc', page: 1 };
  byId('deals').hidden = true;
  fill(/** @type {HTMLElement} */ (byId('deals-table').querySelector('tbody')));
  fill(/** @type {HTMLElement} */ (byId('deals-grid').querySelector('tbody')));
  byId('deals-range').textContent = '';
}

/** @param {(error: unknown) => void} fail */
export function wireDeals(fail) {
  for (const th of byId('deals-table').querySelectorAll('th[data-sort]')) {
    const sort = /** @type {HTMLElement} */ (th).dataset.sort ?? 'winProbability';
    th.querySelector('button')?.addEventListener('click', () => {
      // A new column sorts highest first; the same column again flips the order.
      state = { sort, order: state.sort === sort && state.order === 'desc' ? 'asc' : 'desc', page: 1 };
      void loadList().catch(fail);
    });
  }
  byId('deals-prev').addEventListener('click', () => {
    state.page = Math.max(1, state.page - 1);
    void loadList().catch(fail);
  });
  byId('deals-next').addEventListener('click', () => {
    state.page += 1;
    void loadList().catch(fail);
  });
  byId('deals-csv').addEventListener('click', () => void download(scoped(`/deals/open.csv?sort=${state.sort}&order=${state.order}`), 'open-deals.csv').catch(fail));
}
