/**
 * The long-running service: the admin server and the schedule for the connected installation (`serve`),
 * or, when no CRM is configured, the demo (`start` decides; see demo.ts). One place builds everything the
 * routes and the scheduler share.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { CrmName, OAuthProvider } from '../../connectors/contract/index.ts';
import { connectorDefinitions } from '../../connectors/registry.ts';
import { Alerter } from '../alerts/alerter.ts';
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { resolveCrm, type Env } from '../crm.ts';
import { LifecycleSyncError } from '../errors.ts';
import { createLogger, environmentSecrets, type Logger } from '../log.ts';
import { nodeCronEngine, type CronEngine } from '../scheduler/cron.ts';
import { rememberSecrets } from '../secrets.ts';
import { LocalSchedules } from '../scheduler/localSchedules.ts';
import { plannedSchedule } from '../scheduler/plannedSchedule.ts';
import { RunQueue } from '../jobs/runQueue.ts';
import { reconcileSchedules } from '../jobs/schedules.ts';
import { createAdminApp } from '../server/app.ts';
import type { AdminContext, DemoInfo } from '../server/context.ts';
import { createMetrics } from '../server/metrics.ts';
import { OAuthStates } from '../server/oauth/state.ts';
import { storeLocation, openStateStore } from '../store/open.ts';
import { openStore } from '../store/sqlite.ts';
import type { Store } from '../store/types.ts';
import { parseServiceEnv, type ServiceEnv } from './env.ts';
import { Insights } from './insights.ts';
import { Installations } from './installation.ts';
import { listen, type Listening } from './listen.ts';
import { RunManager } from './runner.ts';
import { previewOnThread } from './settingsPreviewOnThread.ts';
import type { RescoreHandler } from '../webhooks/drainer.ts';
import { WebhookService } from '../webhooks/service.ts';
import { webhookRescoreHandler } from './webhookRescore.ts';
import { Watchers } from './watchers.ts';

/** The server's connection waits this long for a lock held elsewhere (its event loop answers /healthz). */
export const SERVER_BUSY_TIMEOUT_MS = 100;
/** How long a stopping service lets a run in progress finish before it stops it (crash-safe either way). */
const SHUTDOWN_GRACE_MS = 30_000;
/** The watches' SQLite connection waits at most this long for a run thread's write (it runs on the server's thread). */
const WATCH_BUSY_TIMEOUT_MS = 2_000;

export interface Service {
  /** The address to open (http://localhost:PORT unless PUBLIC_URL says otherwise). */
  url: string;
  port: number;
  adminToken: string;
  context: AdminContext;
  /** Every installation's schedule kept in this process (SQLite); null in the demo and with Postgres (the workers keep them). */
  schedules: LocalSchedules | null;
  /** Run and no-success alerts (src/alerts); null in the demo. */
  alerts: Alerter | null;
  /** The light watch of each installation with sync.watchIntervalSeconds set (sync/watch.ts); null in the demo. */
  watchers: Watchers | null;
  close(): Promise<void>;
}

export interface ServiceOptions {
  env: Env;
  configFile?: string;
  /** Config overrides (the demo's). */
  overrides?: Record<string, unknown>;
  log?: Logger;
  /**
   * What a webhook's pending rescores are handed to (src/webhooks/drainer.ts). Without one, webhooks are
   * still received and deletions carried out; rescores wait in the store.
   */
  rescoreHandler?: RescoreHandler;
  /** The webhook drainer's timings (tests shorten them). */
  webhookDrainer?: ConstructorParameters<typeof WebhookService>[0]['drainer'];
  /** Defaults to node-cron; tests pass their own. */
  cron?: CronEngine;
  /** The demo: no schedule, a description for the page. */
  demo?: DemoInfo;
  /** An already listening server (the demo listens first to know its address). */
  listening?: Listening;
  /** Generated when ADMIN_TOKEN is unset (demo only; serve requires ADMIN_TOKEN). */
  generatedAdminToken?: string;
}

/** What `start` (npm start) runs, and why. */
export type StartChoice = { mode: 'serve'; reason: string } | { mode: 'demo'; note: string | null };

/**
 * `start` serves a real installation whenever anything says there is one — a CRM in the config, CRM
 * credentials or an OAuth app in the environment, or credentials in the state file — and the demo only
 * when nothing does. A configured installation that cannot work (a wrong ENCRYPTION_KEY, say) must fail
 * loudly as `serve`, never be replaced by the demo on the production port.
 */
export async function chooseStart(env: Env, configFile?: string): Promise<StartChoice> {
  const config = loadConfig({ file: configFile, env });
  parseServiceEnv(env); // a bad PORT or token fails here, before anything starts
  const crm = resolveCrm(config, env);
  if (crm) return { mode: 'serve', reason: `${crm} is configured` };
  const app = connectorDefinitions().find((d) => d.hasOAuthApp(env));
  if (app) return { mode: 'serve', reason: `a ${app.label} OAuth app is configured` };
  const where = storeLocation(config.store, env);
  // A Postgres store is a deployment, not a demo; a SQLite file only when it exists (none is created here).
  if (where.kind === 'postgres') return { mode: 'serve', reason: 'DATABASE_URL names the state database' };
  if (existsSync(where.path)) {
    // Only whether credentials are there (nothing is decrypted): a wrong key is serve's error to report.
    const store = openStore(where.path, { busyTimeoutMs: SERVER_BUSY_TIMEOUT_MS });
    try {
      if ((await store.installationsWithCredentials()).length > 0) return { mode: 'serve', reason: `${where.path} holds an installation` };
    } finally {
      await store.close();
    }
  }
  const note = env.LIFECYCLE_SYNC_DB
    ? `LIFECYCLE_SYNC_DB (${env.LIFECYCLE_SYNC_DB}) holds no installation, so this is the demo: it keeps its state in a throwaway file of its own and leaves yours untouched.`
    : null;
  return { mode: 'demo', note };
}

/**
 * Refuses to serve an installation that cannot work: stored credentials that cannot be read (no
 * ENCRYPTION_KEY, or another key than the one they were saved with). Exiting makes a container restart
 * and alert, where a server that stayed up would answer /healthz and fail every run.
 */
async function checkStoredCredentials(store: Store, env: Env): Promise<void> {
  for (const id of await store.installationsWithCredentials()) {
    if (!env.ENCRYPTION_KEY) {
      throw new LifecycleSyncError('CONFIG_INVALID', `the state database ${store.where} holds credentials for ${id}, but ENCRYPTION_KEY is not set: set the key they were saved with`);
    }
    await store.loadCredentials(id);
  }
}

/** The OAuth installs the registered connectors offer, with the app settings found in the environment. */
function oauthProviders(config: Config, env: Env): OAuthProvider[] {
  return connectorDefinitions().flatMap((d) => (d.oauth ? [d.oauth(config.connectors[d.name], env)] : []));
}

export function generateAdminToken(): string {
  return randomBytes(24).toString('base64url');
}

function withEnvOverrides(config: Config, senv: ServiceEnv): Config {
  return {
    ...config,
    server: { ...config.server, port: senv.PORT ?? config.server.port, host: senv.HOST ?? config.server.host, publicUrl: senv.PUBLIC_URL ?? config.server.publicUrl },
    schedule: { ...config.schedule, cron: senv.SYNC_CRON ?? config.schedule.cron, timezone: senv.SYNC_TIMEZONE ?? config.schedule.timezone },
  };
}

export async function startService(o: ServiceOptions): Promise<Service> {
  const senv = parseServiceEnv(o.env);
  const config = withEnvOverrides(loadConfig({ file: o.configFile, env: o.env, overrides: o.overrides }), senv);
  const adminToken = senv.ADMIN_TOKEN ?? o.generatedAdminToken;
  if (!adminToken) {
    throw new LifecycleSyncError('NOT_CONFIGURED', 'set ADMIN_TOKEN (at least 16 characters, e.g. `openssl rand -hex 24`): it signs in to the admin page and API');
  }
  // Masked at every exit from now on: answers, logs, stored run messages (src/secrets.ts).
  rememberSecrets(...environmentSecrets(o.env), adminToken);
  const log = o.log ?? createLogger({ level: o.env.LOG_LEVEL, secrets: [...environmentSecrets(o.env), adminToken] });
  // The server's own connection waits briefly for a lock: its event loop answers /healthz. Runs open their own.
  const store = await openStateStore(config.store, o.env, { busyTimeoutMs: SERVER_BUSY_TIMEOUT_MS });
  try {
    await checkStoredCredentials(store, o.env);
    // Runs left "running" by a process that is gone (killed, crashed): interrupted, with what they wrote.
    for (const run of await store.markRunsInterrupted(null)) log.warn('a run did not finish before the service stopped', { runId: run.id, installation: run.installationId, message: run.message });
  } catch (error) {
    await store.close();
    throw error;
  }
  const installations = new Installations({ config, env: o.env, store, log });
  await installations.refresh();
  const insights = new Insights(store);
  const runs = new RunManager({ store, installations, env: o.env, log, runBusyTimeoutMs: config.store.busyTimeoutMs });
  const metrics = createMetrics({ installations, insights, store, maxInstallationLabels: config.metrics.maxInstallationLabels });
  runs.onFinished((run) => metrics.recordRun(run));
  // The demo alerts no one; a served installation's alerts follow its settings (off by default).
  const alerter = o.demo ? null : new Alerter({ config, env: o.env, store, log });
  runs.onFinished((run) => alerter?.runEnded(run));
  // With Postgres, runs are jobs for the workers, which also keep every installation's schedule (pg-boss,
  // src/jobs/schedules.ts): schedules here too would start the same installation's nightly run twice.
  const where = storeLocation(config.store, o.env);
  let queue: RunQueue | null = null;
  if (where.kind === 'postgres' && !o.demo) {
    try {
      queue = await RunQueue.open({ url: where.url, settings: config.jobs, log, role: 'client' });
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  // The watches: their own connection (SQLite: a longer wait for a run thread's writes; Postgres: the same pool will do).
  let watchStore: Store | null = null;
  if (!o.demo) {
    try {
      watchStore = where.kind === 'postgres' ? store : await openStateStore(config.store, o.env, { busyTimeoutMs: Math.min(WATCH_BUSY_TIMEOUT_MS, config.store.busyTimeoutMs) });
    } catch (error) {
      await queue?.close({ graceful: false }).catch(() => {});
      await store.close();
      throw error;
    }
  }
  const watchers = watchStore ? new Watchers({ store: watchStore, installations, env: o.env, log, everyMs: config.jobs.superviseSeconds * 1000 }) : null;
  const closeWatchStore = async () => {
    if (watchStore && watchStore !== store) await watchStore.close();
  };
  const scheduler = o.demo || queue ? null : new LocalSchedules({ store, installations, runs, cron: o.cron ?? nodeCronEngine(log), log, everyMs: config.jobs.superviseSeconds * 1000, concurrency: config.jobs.localConcurrency });

  const webhooks = new WebhookService({ config, env: o.env, store, installations, log, handler: o.rescoreHandler ?? webhookRescoreHandler({ store, installations, env: o.env, log }), drainer: o.webhookDrainer });

  let listening: Listening | null = o.listening ?? null;
  let publicUrl: string;
  let context: AdminContext;
  try {
    listening ??= await listen(config.server.port, config.server.host);
    const url = (senv.PUBLIC_URL ?? config.server.publicUrl ?? `http://localhost:${listening.port}`).replace(/\/+$/, '');
    publicUrl = url;
    context = {
      config,
      store,
      log,
      installations,
      runs,
      queue,
      insights,
      metrics,
      adminToken,
      metricsToken: senv.METRICS_TOKEN ?? null,
      publicUrl: () => url,
      env: o.env,
      oauth: {
        states: new OAuthStates({ secret: senv.ENCRYPTION_KEY ?? null }),
        providers: oauthProviders(config, o.env),
        canStoreTokens: Boolean(senv.ENCRYPTION_KEY),
      },
      schedule: async (scope) => {
        if (o.demo) return null;
        if (scheduler) return scheduler.status(scope);
        return plannedSchedule(scope, await store.listRuns(scope.installationId, 200, ['sync']), 'workers');
      },
      demo: o.demo ?? null,
      settingsChanged: async () => {
        await watchers?.reconcile();
        if (scheduler) await scheduler.reconcile();
        else if (queue) await reconcileSchedules(queue, store, config, log);
      },
      previewStages: (scope, proposed) =>
        previewOnThread({ config: scope.config, env: o.env, busyTimeoutMs: config.store.busyTimeoutMs, installationId: scope.installationId, proposed, now: Date.now() }),
      webhooks,
    };
    listening.handle(createAdminApp(context));
    const crm: CrmName | null = installations.activeCrm();
    log.info('admin server listening', { url: publicUrl, port: listening.port, crm, mode: o.demo ? 'demo' : 'serve' });
    await scheduler?.start();
    await watchers?.start();
    alerter?.start();
    webhooks.start();
  } catch (error) {
    // Nothing half-started stays behind: a server left listening would answer /healthz for a service that is not there.
    scheduler?.stop();
    await webhooks.stop();
    await watchers?.stop();
    await closeWatchStore();
    await alerter?.close(0);
    if (listening && !o.listening) await listening.close().catch(() => {});
    await queue?.close({ graceful: false }).catch(() => {});
    await store.close();
    throw error;
  }
  const server = listening;
  let closed = false;
  return {
    url: publicUrl,
    port: server.port,
    adminToken,
    context,
    schedules: scheduler,
    alerts: alerter,
    watchers,
    async close() {
      if (closed) return;
      closed = true;
      scheduler?.stop();
      // A cycle in progress ends first (seconds): its writes are audited like a run's.
      await watchers?.stop();
      await closeWatchStore();
      await server.close();
      // Work cut short stays pending in the store: the next start's sweep finds it.
      await webhooks.stop();
      // A run in progress is crash-safe, but stopping it loses its progress: let it end first, for a while.
      await runs.close(SHUTDOWN_GRACE_MS);
      // The ended runs' alerts still under way are sent (or given up) before the store closes.
      await alerter?.close();
      await queue?.close({ graceful: false }).catch((error: unknown) => log.warn('the job queue did not close cleanly', { error: error instanceof Error ? error.message : String(error) }));
      await store.close();
    },
  };
}
