// @ts-check
// The admin page: sign in with the admin token, then status, figures, charts, runs and the dry-run plan.
import { api, ApiError, clearToken, setToken, token } from './api.js';
import { drawChurn, drawMoves, drawStages, drawTiers } from './charts.js';
import { byId, fill, h } from './dom.js';
import { duration, KIND_LABELS } from './format.js';
import { renderKpis, renderLtv, renderModel } from './figures.js';
import { lookUp } from './lookup.js';
import { hidePlan, showMore, showPlan } from './plan.js';
import { renderRunDetail, renderRuns } from './runs.js';
import { renderStatus } from './status.js';

/** @typedef {import('./types').Run} Run */

/** @type {import('./types').Overview | null} */
let overview = null;
/** @type {string | null} */
let selectedRun = null;
/** @type {string | null} */
let polling = null;

const stageLabels = () => /** @type {Record<string, string>} */ (overview?.labels.stages ?? {});

/** @param {string} message @param {boolean} [bad] */
function notify(message, bad = false) {
  const el = byId('notice');
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
  byId('app').hidden = true;
  byId('sign-out').hidden = true;
  byId('crm-pill').hidden = true;
  byId('demo-pill').hidden = true;
  byId('sign-in').hidden = false;
  const error = byId('sign-in-error');
  error.hidden = !message;
  error.textContent = message ?? '';
}

async function loadRuns() {
  const { runs } = /** @type {{ runs: Run[] }} */ (await api('/api/runs?limit=15'));
  renderRuns(runs, (run) => void selectRun(run.id).catch(fail), selectedRun);
  return runs;
}

async function load() {
  const [status, ov, fit] = await Promise.all([
    api('/api/status').then((s) => /** @type {import('./types').Status} */ (s)),
    api('/api/overview').then((o) => /** @type {import('./types').Overview} */ (o)).catch((e) => (e instanceof ApiError && e.code === 'NOT_CONFIGURED' ? null : Promise.reject(e))),
    api('/api/model').then((m) => /** @type {import('./types').ModelFit} */ (m)).catch((e) => (e instanceof ApiError && (e.status === 404 || e.code === 'NOT_CONFIGURED') ? null : Promise.reject(e))),
  ]);
  byId('sign-in').hidden = true;
  byId('app').hidden = false;
  byId('sign-out').hidden = false;
  renderStatus(status, notify);
  overview = ov;
  for (const id of ['dry-run', 'run-now']) /** @type {HTMLButtonElement} */ (byId(id)).disabled = !status.connection.ok || polling !== null;
  const hasData = Boolean(ov?.summary);
  for (const id of ['kpis', 'charts', 'figures']) byId(id).hidden = !hasData;
  byId('empty').hidden = hasData;
  byId('empty-text').textContent = !status.crm
    ? 'Connect a CRM above (or set its credentials and restart), then start a dry run to see your customers here.'
    : 'Start a dry run: it reads your CRM, scores every customer and shows what it would write — nothing is written until you say so.';
  if (ov?.summary) {
    renderKpis(ov);
    drawStages(ov);
    drawChurn(ov);
    drawTiers(ov);
    drawMoves(ov);
    renderLtv(ov);
  }
  renderModel(fit);
  if (status.crm) await loadRuns();
  if (status.running && !polling) void follow(status.running.runId, status.running.kind).catch(fail);
}

/** @param {string} runId */
async function selectRun(runId) {
  selectedRun = runId;
  const detail = /** @type {{ run: Run, errors: import('./types').RunError[] }} */ (await api(`/api/runs/${encodeURIComponent(runId)}`));
  renderRunDetail(detail, {
    close: () => {
      selectedRun = null;
      byId('run-detail').hidden = true;
      void loadRuns().catch(fail);
    },
    showPlan: (run) => void showPlan(run.id, stageLabels()).catch(fail),
    rollback: (run) => {
      if (!window.confirm(`Roll back ${run.id}? Values it wrote are restored where the CRM still holds them.`)) return;
      void api(`/api/runs/${encodeURIComponent(run.id)}/rollback`, { method: 'POST', body: {} })
        .then((r) => follow(/** @type {{ runId: string }} */ (r).runId, 'rollback'))
        .catch(fail);
    },
  });
  await loadRuns();
}

/**
 * Follows a run until it ends, then refreshes everything; a dry run's plan is shown.
 * @param {string} runId @param {string} kind
 */
async function follow(runId, kind) {
  polling = runId;
  const progress = byId('run-progress');
  const buttons = ['dry-run', 'run-now', 'plan-apply'].map((id) => /** @type {HTMLButtonElement} */ (byId(id)));
  for (const b of buttons) b.disabled = true;
  progress.hidden = false;
  progress.className = 'run-progress';
  progress.dataset.status = 'running';
  progress.dataset.run = runId;
  progress.textContent = `${KIND_LABELS[kind] ?? kind} starting…`;
  const started = Date.now();
  try {
    for (;;) {
      const { run } = /** @type {{ run: Run }} */ (await api(`/api/runs/${encodeURIComponent(runId)}`));
      if (run.status !== 'running') {
        polling = null;
        // Everything on the page shows the finished run before the line says it finished.
        await load();
        if (run.kind === 'dry_run' && run.status === 'succeeded') await showPlan(run.id, stageLabels());
        progress.textContent = `${KIND_LABELS[kind] ?? kind} ${run.status}: ${run.kind === 'dry_run' ? `${run.stats.changed.toLocaleString()} records would change` : `${run.stats.written.toLocaleString()} records written`}${run.stats.failed ? `, ${run.stats.failed} failed` : ''}.`;
        progress.className = `run-progress ${run.status}`;
        progress.dataset.status = run.status;
        return run;
      }
      progress.dataset.status = 'running';
      progress.textContent = `${KIND_LABELS[kind] ?? kind} in progress… ${duration(Date.now() - started)}`;
      await new Promise((resolve) => setTimeout(resolve, 700));
    }
  } finally {
    polling = null;
    for (const b of buttons) b.disabled = false;
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
  const { runId, kind } = /** @type {{ runId: string, kind: string }} */ (await api('/api/sync', { method: 'POST', body: { dryRun } }));
  await follow(runId, kind);
}

function wire() {
  byId('sign-in-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = /** @type {HTMLInputElement} */ (byId('token'));
    setToken(input.value.trim());
    load().then(
      () => {
        input.value = '';
      },
      (error) => signOut(error instanceof ApiError && error.status === 401 ? 'That token is not valid.' : error instanceof Error ? error.message : String(error)),
    );
  });
  byId('sign-out').addEventListener('click', () => signOut());
  byId('dry-run').addEventListener('click', () => void startRun(true).catch(fail));
  byId('run-now').addEventListener('click', () => void startRun(false).catch(fail));
  byId('plan-apply').addEventListener('click', () => void startRun(false).catch(fail));
  byId('plan-dismiss').addEventListener('click', () => hidePlan());
  byId('plan-more').addEventListener('click', () => void showMore().catch(fail));
  byId('refresh').addEventListener('click', () => void load().catch(fail));
  byId('lookup-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const id = /** @type {HTMLInputElement} */ (byId('lookup-id')).value.trim();
    const out = byId('lookup-result');
    lookUp(id, out, stageLabels(), overview?.settings.currency ?? 'USD').catch((e) => fill(out, h('p', { class: 'error' }, e instanceof Error ? e.message : String(e))));
  });
}

function showInstallOutcome() {
  const params = new URLSearchParams(window.location.search);
  const installed = params.get('installed');
  const error = params.get('install_error');
  if (installed) notify(`Connected to ${installed === 'hubspot' ? 'HubSpot' : installed === 'salesforce' ? 'Salesforce' : installed}. Start a dry run to preview the first sync.`);
  if (error) notify(`The install did not complete: ${error}`, true);
  if (installed || error) window.history.replaceState(null, '', '/');
}

wire();
showInstallOutcome();
if (token()) void load().catch(fail);
else signOut();
