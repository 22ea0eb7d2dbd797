// @ts-check
// Every installation of the store (an agency's clients): health, last and next run, filtered and searched
// on the server; pause and resume per row; a row opens that installation's dashboard.
import { api } from './api.js';
import { byId, fill, h } from './dom.js';
import { CRM_NAMES, dateTime, KIND_LABELS, num } from './format.js';

/** @typedef {import('./types').InstallationView} InstallationView */
/** @typedef {import('./types').InstallationList} InstallationList */
/** @typedef {import('./types').Health} Health */
/** @typedef {'' | 'failing' | 'paused' | 'never_run'} Filter */

const HEALTH_LABELS = /** @type {Record<Health, string>} */ ({ ok: 'OK', running: 'Running', failing: 'Failing', paused: 'Paused', never_run: 'Never run' });
/** The most the list asks for; more than this many matches says so rather than cutting silently. */
const LIMIT = 500;

/** @type {Filter} */
let filter = '';
let query = '';
/** Answers to an older search are dropped: only the latest request fills the table. */
let sequence = 0;
/** @type {(error: unknown) => void} */
let onError = () => {};

/** @param {Health} health */
export function healthBadge(health) {
  return h('span', { class: `badge health-${health}` }, HEALTH_LABELS[health] ?? health);
}

/** @param {InstallationView} i */
function lastRunCell(i) {
  const r = i.lastRun;
  if (!r) return h('td', { class: 'muted' }, 'never');
  return h(
    'td',
    { title: r.message ?? '' },
    h('span', { class: `badge ${r.status}` }, r.status),
    ` ${KIND_LABELS[r.kind] ?? r.kind} · ${dateTime(r.finishedAt ?? r.startedAt)}`,
    r.status === 'failed' && r.message ? h('div', { class: 'muted small wrap-text' }, r.message) : null,
  );
}

/** @param {InstallationView} i */
function nextRunCell(i) {
  if (i.nextRunAt) return h('td', {}, dateTime(i.nextRunAt));
  return h('td', { class: 'muted small' }, i.scheduleNote ?? '—');
}

/** @param {string} id */
function open(id) {
  window.location.hash = `#/installations/${encodeURIComponent(id)}`;
}

/** @param {InstallationView} i @param {HTMLButtonElement} button */
async function toggle(i, button) {
  button.disabled = true;
  try {
    const action = i.status === 'paused' ? 'resume' : 'pause';
    const { installation } = /** @type {{ installation: InstallationView }} */ (await api(`/api/installations/${encodeURIComponent(i.id)}/${action}`, { method: 'POST', body: {} }));
    byId('installations-table').querySelector(`tr[data-installation="${CSS.escape(i.id)}"]`)?.replaceWith(row(installation));
    await loadCounts();
  } catch (error) {
    button.disabled = false;
    onError(error);
  }
}

/** @param {InstallationView} i */
function row(i) {
  const paused = i.status === 'paused';
  const button = /** @type {HTMLButtonElement} */ (
    h('button', { class: 'btn btn-small', type: 'button', 'aria-label': `${paused ? 'Resume' : 'Pause'} ${i.name}` }, paused ? 'Resume' : 'Pause')
  );
  button.addEventListener('click', (event) => {
    event.stopPropagation();
    void toggle(i, button);
  });
  return h(
    'tr',
    {
      class: `clickable health-row-${i.health}`,
      'data-installation': i.id,
      'data-health': i.health,
      onclick: (event) => {
        // The name is a link: it navigates by itself.
        if (!(event.target instanceof HTMLAnchorElement)) open(i.id);
      },
    },
    h('td', {}, h('a', { href: `#/installations/${encodeURIComponent(i.id)}`, class: 'row-link' }, i.name), h('div', { class: 'muted small' }, i.id)),
    h('td', {}, CRM_NAMES[i.crm] ?? i.crm),
    h('td', {}, i.accountId ?? h('span', { class: 'muted' }, '—')),
    h('td', {}, healthBadge(i.health)),
    lastRunCell(i),
    nextRunCell(i),
    h('td', { class: 'num' }, button),
  );
}

/** @param {URLSearchParams} params */
function list(params) {
  return /** @type {Promise<InstallationList>} */ (api(`/api/installations?${params}`));
}

/** The number of installations of each health, on the filter buttons (counted by the server over all of them). */
async function loadCounts() {
  const { counts, total } = await list(new URLSearchParams({ limit: '1' }));
  /** @type {Record<string, number>} */
  const shown = { '': total, failing: counts.failing, paused: counts.paused, never_run: counts.never_run };
  for (const el of byId('installations-filters').querySelectorAll('[data-count]')) {
    el.textContent = num(shown[el.getAttribute('data-count') ?? ''] ?? 0);
  }
  byId('installations-total').textContent = `${num(total)} installations`;
}

async function loadRows() {
  const mine = ++sequence;
  const params = new URLSearchParams({ limit: String(LIMIT) });
  if (filter) params.set('filter', filter);
  if (query) params.set('q', query);
  const { installations, matching } = await list(params);
  if (mine !== sequence) return;
  const body = /** @type {HTMLElement} */ (byId('installations-table').querySelector('tbody'));
  const what = [filter ? HEALTH_LABELS[filter].toLowerCase() : '', query ? `matching “${query}”` : ''].filter(Boolean).join(', ');
  fill(body, installations.length === 0 ? h('tr', {}, h('td', { colspan: 7, class: 'muted' }, what ? `No installations ${what}.` : 'No installations yet.')) : installations.map(row));
  byId('installations-shown').textContent =
    matching > installations.length ? `The first ${num(installations.length)} of ${num(matching)} shown: search to narrow the list.` : what ? `${num(matching)} shown (${what}).` : '';
}

/** Fills the list (and the counts on the filter buttons). */
export async function showInstallations() {
  await Promise.all([loadRows(), loadCounts()]);
}

/** @param {{ onError: (error: unknown) => void }} options */
export function wireInstallations(options) {
  onError = options.onError;
  const filters = byId('installations-filters');
  for (const button of filters.querySelectorAll('button[data-filter]')) {
    button.addEventListener('click', () => {
      filter = /** @type {Filter} */ (button.getAttribute('data-filter') ?? '');
      for (const b of filters.querySelectorAll('button[data-filter]')) b.setAttribute('aria-pressed', String(b === button));
      loadRows().catch(onError);
    });
  }
  const search = /** @type {HTMLInputElement} */ (byId('installations-q'));
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    // Asked of the server once typing pauses, not on every key.
    timer = setTimeout(() => {
      query = search.value.trim();
      loadRows().catch(onError);
    }, 250);
  });
  byId('installations-search').addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(timer);
    query = search.value.trim();
    loadRows().catch(onError);
  });
  byId('installations-refresh').addEventListener('click', () => void showInstallations().catch(onError));
}
