// @ts-check
// The admin page: sign in with the admin token; with several installations the list of them, and for one
// installation its dashboard: status, figures, charts, runs, failed jobs and the dry-run plan.
// The URL hash names the view (#/installations, #/installations/ID) so reload and back keep it.
import { api, ApiError, clearToken, setToken, token } from './api.js';
import { resetBacktest, wireBacktest } from './backtest.js';
import { drawChurn, drawMoves, drawStages, drawTiers } from './charts.js';
import { loadCustomers, resetCustomers, setCustomerLabels, showCustomers, wireCustomers } from './customers.js';
import { loadDeals, resetDeals, wireDeals } from './deals.js';
import { byId, fill, h } from './dom.js';
import { CRM_NAMES, duration, KIND_LABELS } from './format.js';
import { renderKpis, renderLtv, renderModel } from './figures.js';
import { healthBadge, showInstallations, wireInstallations } from './installations.js';
import { loadFailedJobs } from './jobs.js';
import { lookUp } from './lookup.js';
import { loadProspects } from './prospects.js';
import { loadTrends } from './trends.js';
import { showFlow } from './flow.js';
import { showWrites } from './writes.js';
import { hidePlan, planWritable, showMore, showPlan } from './plan.js';
import { isQueued, queuedWords, renderRunDetail, renderRuns } from './runs.js';
import { installationId, scoped, selectInstallation } from './scope.js';
import { loadSettings, resetSettings, wireSettings } from './settings.js';
import { renderStatus } from './status.js';

/** @typedef {import('./types').Run} Run */
/** @typedef {import('./types').AnyRun} AnyRun */

/** @type {import('./types').Overview | null} */
let overview = null;
/** @type {string | null} */
let selectedRun = null;
/** @type {string | null} */
let polling = null;
/** @type {{ message: string, bad: boolean } | null} */
let pendingNotice = null;
/** Counts the views shown: a run followed in an earlier view (another installation) stops following. */
let view = 0;

const stageLabels = () => /** @type {Record<string, string>} */ (overview?.labels.stages ?? {});

/** @param {string} message @param {boolean} [bad] */
function notify(message, bad = false) {
  const el = byId(byId('installations-view').hidden ? 'notice' : 'installations-notice');
  el.hidden = false;
  el.className = `notice${bad ? ' bad' : ''}`;
  fill(el, message);
}

/** @param {unknown} error */
function fail(error) {
  if (error instanceof ApiError && error.status === 401) return signOut('Your session ended: sign in again.');
  notify(error instanceof Error ? error.message : String(error), true);
}

/** @param {string} [message] */
function signOut(message) {
  clearToken();
  view += 1;
  byId('app').hidden = true;
  byId('installations-view').hidden = true;
  byId('crumbs').hidden = true;
  byId('sign-out').hidden = true;
  byId('crm-pill').hidden = true;
  byId('demo-pill').hidden = true;
  byId('sign-in').hidden = false;
  const error = byId('sign-in-error');
  error.hidden = !message;
  error.textContent = message ?? '';
}

async function loadRuns() {
  const { runs } = /** @type {{ runs: AnyRun[] }} */ (await api(scoped('/runs?limit=15')));
  renderRuns(runs, (run) => void selectRun(run.id).catch(fail), selectedRun);
  return runs;
}

/** How many installations the store has (the list is offered when there are several). */
async function installationCount() {
  const { total } = /** @type {import('./types').InstallationList} */ (await api('/api/installations?limit=1'));
  return total;
}

/**
 * The top bar names the installation shown, with the way back to the list when there are several.
 * @param {import('./types').Status} status @param {number} total
 */
function renderCrumbs(status, total) {
  const installation = status.installation;
  byId('crumbs').hidden = total < 2 && installationId() === null;
  byId('all-installations').removeAttribute('aria-current');
  byId('installation-crumb').hidden = !installation;
  byId('installation-name').textContent = installation?.name ?? '';
  fill(byId('installation-state'), installation?.status === 'paused' ? healthBadge('paused') : null);
  document.title = installation && total > 1 ? `${installation.name} — Lifecycle Sync` : 'Lifecycle Sync — Admin';
}

async function load() {
  const [status, ov, fit, total] = await Promise.all([
    api(scoped('/status')).then((s) => /** @type {import('./types').Status} */ (s)),
    api(scoped('/overview')).then((o) => /** @type {import('./types').Overview} */ (o)).catch((e) => (e instanceof ApiError && e.code === 'NOT_CONFIGURED' ? null : Promise.reject(e))),
    api(scoped('/model')).then((m) => /** @type {import('./types').ModelFit} */ (m)).catch((e) => (e instanceof ApiError && (e.status === 404 || e.code === 'NOT_CONFIGURED') ? null : Promise.reject(e))),
    installationCount(),
  ]);
  byId('sign-in').hidden = true;
  byId('installations-view').hidden = true;
  byId('app').hidden = false;
  byId('sign-out').hidden = false;
  renderCrumbs(status, total);
  renderStatus(status, notify);
  overview = ov;
  const paused = status.installation?.status === 'paused';
  byId('paused-note').hidden = !paused;
  for (const id of ['dry-run', 'run-now']) /** @type {HTMLButtonElement} */ (byId(id)).disabled = !status.connection.ok || paused || polling !== null;
  const hasData = Boolean(ov?.summary);
  for (const id of ['kpis', 'charts', 'customers', 'figures', 'backtest']) byId(id).hidden = !hasData;
  byId('settings').hidden = !status.crm;
  if (status.crm) void loadSettings().catch(fail);
  // The open deal pipeline (or how to turn deal scoring on) wherever a CRM is connected.
  if (status.crm) void loadDeals().catch(fail);
  else byId('deals').hidden = true;
  byId('empty').hidden = hasData;
  byId('empty-text').textContent = !status.crm
    ? 'Connect a CRM above (or set its credentials and restart), then start a dry run to see your customers here.'
    : 'Start a dry run: it reads your CRM, scores every customer and shows what it would write — nothing is written until you say so.';
  if (ov?.summary) {
    // Each figure and bar opens the customer list filtered to the people it counts.
    renderKpis(ov, (filter) => showCustomers(filter));
    drawStages(ov, (stage) => showCustomers({ stages: [stage] }));
    drawChurn(ov, (bucket) => showCustomers({ churn: { from: bucket.from, to: bucket.to >= 100 ? null : bucket.to } }));
    drawTiers(ov, (tier) => showCustomers({ tier }));
    setCustomerLabels(ov);
    void loadCustomers().catch(fail);
    void loadProspects().catch(fail);
    drawMoves(ov);
    renderLtv(ov);
    void loadTrends(ov).catch(fail);
  } else {
    byId('trends').hidden = true;
    byId('prospects').hidden = true;
  }
  renderModel(fit);
  if (status.crm) await Promise.all([loadRuns(), loadFailedJobs()]);
  else byId('jobs-card').hidden = true;
  if (status.running && !polling) void follow(status.running.runId, status.running.kind).catch(fail);
}

/** @param {string} runId */
async function selectRun(runId) {
  selectedRun = runId;
  const detail = /** @type {{ run: AnyRun, errors: import('./types').RunError[], errorCounts: import('./types').ErrorCount[] }} */ (await api(scoped(`/runs/${encodeURIComponent(runId)}`)));
  renderRunDetail(detail, {
    fail,
    close: () => {
      selectedRun = null;
      byId('run-detail').hidden = true;
      void loadRuns().catch(fail);
    },
    showPlan: (run) => void showPlan(run.id, stageLabels()).catch(fail),
    showWrites: (run, el) => showWrites(el, run, stageLabels(), fail),
    rollback: (run) => {
      if (!window.confirm(`Roll back ${run.id}? Values it wrote are restored where the CRM still holds them.`)) return;
      void api(scoped(`/runs/${encodeURIComponent(run.id)}/rollback`), { method: 'POST', body: {} })
        .then((r) => follow(/** @type {{ runId: string }} */ (r).runId, 'rollback'))
        .catch(fail);
    },
  });
  await loadRuns();
}

/**
 * What the progress line says once a run has ended.
 * @param {AnyRun} run @param {string} label
 */
function outcome(run, label) {
  if (isQueued(run)) return `${label} ${queuedWords(run)}${run.message ? `: ${run.message}` : '.'}`;
  const counts = `${run.kind === 'dry_run' ? `${run.stats.changed.toLocaleString()} records would change` : `${run.stats.written.toLocaleString()} records written`}${run.stats.failed ? `, ${run.stats.failed} failed` : ''}.`;
  return `${label} ${run.status}: ${counts}${run.status !== 'succeeded' && run.message ? ` ${run.message}` : ''}`;
}

/**
 * Follows a run until it ends, then refreshes everything; a dry run's plan is shown. A run queued for
 * the workers (Postgres) is followed while it waits, and while a worker starts it.
 * @param {string} runId @param {string} kind
 */
async function follow(runId, kind) {
  const mine = view;
  // Fixed now: if the admin opens another installation meanwhile, this still asks about this one.
  const path = scoped(`/runs/${encodeURIComponent(runId)}`);
  const label = KIND_LABELS[kind] ?? kind;
  polling = runId;
  const progress = byId('run-progress');
  const buttons = ['dry-run', 'run-now', 'plan-apply'].map((id) => /** @type {HTMLButtonElement} */ (byId(id)));
  for (const b of buttons) b.disabled = true;
  progress.hidden = false;
  progress.className = 'run-progress';
  progress.dataset.status = 'running';
  progress.dataset.run = runId;
  progress.textContent = `${label} starting…`;
  const started = Date.now();
  try {
    for (;;) {
      const { run } = /** @type {{ run: AnyRun }} */ (await api(path));
      if (mine !== view) return null;
      if (isQueued(run) && (run.status === 'queued' || run.status === 'starting')) {
        progress.dataset.status = run.status;
        progress.textContent = `${label} ${queuedWords(run)} (${duration(Date.now() - started)})`;
      } else if (run.status === 'running') {
        progress.dataset.status = 'running';
        progress.textContent = `${label} in progress… ${duration(Date.now() - started)}`;
      } else {
        polling = null;
        // Everything on the page shows the finished run before the line says it finished.
        await load();
        if (mine !== view) return null;
        if (!isQueued(run) && run.kind === 'dry_run' && run.status === 'succeeded') await showPlan(run.id, stageLabels());
        progress.textContent = outcome(run, label);
        progress.className = `run-progress ${run.status}`;
        progress.dataset.status = run.status;
        return run;
      }
      await new Promise((resolve) => setTimeout(resolve, 700));
    }
  } finally {
    if (mine === view) {
      polling = null;
      for (const b of buttons) b.disabled = false;
      // "Write these changes" stays off when the plan changes nothing (it would run an empty sync).
      buttons[2].disabled = !planWritable();
      // A paused installation's buttons stay off.
      if (!byId('paused-note').hidden) for (const b of buttons.slice(0, 2)) b.disabled = true;
    }
  }
}

/** @param {boolean} dryRun */
async function startRun(dryRun) {
  if (!dryRun) hidePlan();
  // The line speaks of this run from the click on, never of the previous one.
  const progress = byId('run-progress');
  progress.hidden = false;
  progress.className = 'run-progress';
  progress.dataset.status = 'starting';
  delete progress.dataset.run;
  progress.textContent = `${dryRun ? 'Dry run' : 'Sync'} starting…`;
  const { runId, kind } = /** @type {{ runId: string, kind: string }} */ (await api(scoped('/sync'), { method: 'POST', body: { dryRun } }));
  await follow(runId, kind);
}

/** Forgets what the previous view showed: its plan, selected run, lookup, messages and followed run. */
function leaveView() {
  view += 1;
  polling = null;
  overview = null;
  selectedRun = null;
  hidePlan();
  byId('run-detail').hidden = true;
  byId('run-progress').hidden = true;
  byId('notice').hidden = true;
  byId('installations-notice').hidden = true;
  fill(byId('lookup-result'));
  resetCustomers();
  resetDeals();
  resetBacktest();
  resetSettings();
  for (const id of ['dry-run', 'run-now']) /** @type {HTMLButtonElement} */ (byId(id)).disabled = false;
  /** @type {HTMLButtonElement} */ (byId('plan-apply')).disabled = !planWritable();
}

async function showList() {
  selectInstallation(null);
  byId('sign-in').hidden = true;
  byId('app').hidden = true;
  byId('installations-view').hidden = false;
  byId('sign-out').hidden = false;
  byId('crumbs').hidden = false;
  byId('all-installations').setAttribute('aria-current', 'page');
  byId('installation-crumb').hidden = true;
  byId('crm-pill').hidden = true;
  byId('demo-pill').hidden = true;
  document.title = 'Installations — Lifecycle Sync';
  await showInstallations();
}

/**
 * Shows the view the hash names: #/installations (the list), #/installations/ID (one dashboard); no hash:
 * the list when the store has several installations, else the dashboard as with one (unscoped routes).
 */
async function route() {
  leaveView();
  await show();
  // An install's outcome is said once, in the view it led to.
  if (pendingNotice) notify(pendingNotice.message, pendingNotice.bad);
  pendingNotice = null;
}

async function show() {
  const match = /^#\/installations(?:\/([^/?#]+))?\/?$/.exec(window.location.hash);
  if (match?.[1]) {
    const id = decodeURIComponent(match[1]);
    selectInstallation(id);
    return load().catch(async (error) => {
      if (!(error instanceof ApiError && (error.status === 404 || error.status === 400))) throw error;
      // A removed installation (an old bookmark) or a mangled address: the list, and why.
      window.history.replaceState(null, '', '#/installations');
      await showList();
      notify(`There is no installation ${id}: it may have been removed.`, true);
    });
  }
  if (match) return showList();
  if ((await installationCount()) > 1) {
    window.history.replaceState(null, '', '#/installations');
    return showList();
  }
  selectInstallation(null);
  return load();
}

function wire() {
  byId('sign-in-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = /** @type {HTMLInputElement} */ (byId('token'));
    setToken(input.value.trim());
    route().then(
      () => {
        input.value = '';
      },
      (error) => signOut(error instanceof ApiError && error.status === 401 ? 'That token is not valid.' : error instanceof Error ? error.message : String(error)),
    );
  });
  byId('sign-out').addEventListener('click', () => signOut());
  wireBacktest(fail);
  wireCustomers(fail);
  wireDeals(fail);
  wireSettings(fail, () => void load().catch(fail));
  byId('dry-run').addEventListener('click', () => void startRun(true).catch(fail));
  byId('run-now').addEventListener('click', () => void startRun(false).catch(fail));
  byId('plan-apply').addEventListener('click', () => void startRun(false).catch(fail));
  byId('plan-dismiss').addEventListener('click', () => hidePlan());
  byId('plan-more').addEventListener('click', () => void showMore().catch(fail));
  byId('refresh').addEventListener('click', () => void load().catch(fail));
  for (const id of ['flow-from', 'flow-to']) byId(id).addEventListener('change', () => void showFlow().catch(fail));
  byId('flow-form').addEventListener('submit', (event) => event.preventDefault());
  window.addEventListener('hashchange', () => {
    if (token()) void route().catch(fail);
  });
  wireInstallations({ onError: fail });
  byId('lookup-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const id = /** @type {HTMLInputElement} */ (byId('lookup-id')).value.trim();
    const out = byId('lookup-result');
    lookUp(id, out, stageLabels(), overview?.settings.currency ?? 'USD').catch((e) => fill(out, h('p', { class: 'error' }, e instanceof Error ? e.message : String(e))));
  });
}

/** Kept until the first view after sign-in shows it (a view change clears the notices). */
function readInstallOutcome() {
  const params = new URLSearchParams(window.location.search);
  const installed = params.get('installed');
  const error = params.get('install_error');
  if (installed) pendingNotice = { message: `Connected to ${CRM_NAMES[installed] ?? installed}. Start a dry run to preview the first sync.`, bad: false };
  if (error) pendingNotice = { message: `The install did not complete: ${error}`, bad: true };
  if (installed || error) window.history.replaceState(null, '', `/${window.location.hash}`);
}

wire();
readInstallOutcome();
if (token()) void route().catch(fail);
else signOut();
