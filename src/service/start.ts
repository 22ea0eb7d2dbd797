/**
 * The long-running service: the admin server and the schedule for the connected installation (`serve`),
 * or, when no CRM is configured, the demo (`start` decides; see demo.ts). One place builds everything the
 * routes and the scheduler share.
 */
import { randomBytes } from 'node:crypto';
import type { CrmName } from '../../connectors/types.ts';
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { openConfiguredStore, resolveCrm, type Env } from '../crm.ts';
import { LifecycleSyncError } from '../errors.ts';
import { createLogger, environmentSecrets, type Logger } from '../log.ts';
import { nodeCronEngine, type CronEngine } from '../scheduler/cron.ts';
import { rememberSecrets } from '../secrets.ts';
import { Scheduler } from '../scheduler/scheduler.ts';
import { createAdminApp } from '../server/app.ts';
import type { AdminContext, DemoInfo } from '../server/context.ts';
import { createMetrics } from '../server/metrics.ts';
import { HubSpotOAuth } from '../server/oauth/hubspot.ts';
import { SalesforceOAuth } from '../server/oauth/salesforce.ts';
import { OAuthStates } from '../server/oauth/state.ts';
import type { SqliteStore } from '../store/sqlite.ts';
import { parseServiceEnv, type ServiceEnv } from './env.ts';
import { Insights } from './insights.ts';
import { Installations } from './installation.ts';
import { listen, type Listening } from './listen.ts';
import { RunManager } from './runner.ts';

export interface Service {
  /** The address to open (http://localhost:PORT unless PUBLIC_URL says otherwise). */
  url: string;
  port: number;
  adminToken: string;
  context: AdminContext;
  scheduler: Scheduler | null;
  close(): Promise<void>;
}

export interface ServiceOptions {
  env: Env;
  configFile?: string;
  /** Config overrides (the demo's). */
  overrides?: Record<string, unknown>;
  log?: Logger;
  /** Defaults to node-cron; tests pass their own. */
  cron?: CronEngine;
  /** The demo: no schedule, a description for the page. */
  demo?: DemoInfo;
  /** An already listening server (the demo listens first to know its address). */
  listening?: Listening;
  /** Generated when ADMIN_TOKEN is unset (demo only; serve requires ADMIN_TOKEN). */
  generatedAdminToken?: string;
}

/** Whether `start` serves a real CRM (configured, installable with OAuth, or installed) rather than the demo. */
export function crmConfigured(env: Env, configFile?: string): boolean {
  const config = loadConfig({ file: configFile, env });
  const senv = parseServiceEnv(env);
  if (resolveCrm(config, env) || senv.HUBSPOT_CLIENT_ID || senv.SALESFORCE_CLIENT_ID) return true;
  if (!senv.ENCRYPTION_KEY) return false;
  const store = openConfiguredStore(config, env);
  try {
    return store.listInstallations().some((i) => store.loadCredentials(i.id) !== null);
  } catch {
    return false;
  } finally {
    store.close();
  }
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
  const store: SqliteStore = openConfiguredStore(config, o.env);
  const installations = new Installations({ config, env: o.env, store, log });
  const insights = new Insights(store);
  const runs = new RunManager({ store, installations, classifier: config.classifier, sync: config.sync, log });
  const metrics = createMetrics({ installations, insights });
  runs.onFinished((run) => metrics.recordRun(run));
  const scheduler = o.demo
    ? null
    : new Scheduler({ settings: config.schedule, store, runs, installationId: () => installations.installationId(), cron: o.cron ?? nodeCronEngine(log), log });

  const listening = o.listening ?? (await listen(config.server.port, config.server.host));
  const publicUrl = (senv.PUBLIC_URL ?? config.server.publicUrl ?? `http://localhost:${listening.port}`).replace(/\/+$/, '');
  const apiBaseUrl = senv.HUBSPOT_BASE_URL ?? config.hubspot.baseUrl;
  const context: AdminContext = {
    config,
    store,
    log,
    installations,
    runs,
    insights,
    metrics,
    adminToken,
    metricsToken: senv.METRICS_TOKEN ?? null,
    publicUrl: () => publicUrl,
    oauth: {
      states: new OAuthStates({ secret: senv.ENCRYPTION_KEY ?? null }),
      providers: [
        new HubSpotOAuth({ clientId: senv.HUBSPOT_CLIENT_ID, clientSecret: senv.HUBSPOT_CLIENT_SECRET, apiBaseUrl, authorizeUrl: senv.HUBSPOT_AUTHORIZE_URL }),
        new SalesforceOAuth({ clientId: senv.SALESFORCE_CLIENT_ID, clientSecret: senv.SALESFORCE_CLIENT_SECRET, loginUrl: senv.SALESFORCE_LOGIN_URL }),
      ],
      canStoreTokens: Boolean(senv.ENCRYPTION_KEY),
    },
    schedule: () => scheduler?.status() ?? null,
    demo: o.demo ?? null,
  };
  listening.handle(createAdminApp(context));
  const crm: CrmName | null = installations.activeCrm();
  log.info('admin server listening', { url: publicUrl, port: listening.port, crm, mode: o.demo ? 'demo' : 'serve' });
  await scheduler?.start();

  let closed = false;
  return {
    url: publicUrl,
    port: listening.port,
    adminToken,
    context,
    scheduler,
    async close() {
      if (closed) return;
      closed = true;
      scheduler?.stop();
      await listening.close();
      // A run in progress is crash-safe, but closing the store under it would fail it: let it end first.
      await Promise.race([runs.idle(), new Promise((resolve) => setTimeout(resolve, 30_000).unref())]);
      store.close();
    },
  };
}
