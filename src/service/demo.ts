/**
 * The demo `npm start` runs in a clone when no CRM is configured: a local CRM sandbox seeded with the
 * CDNOW sample (2,357 customers as contacts with their purchases as won deals or opportunities, plus
 * prospects), a fresh state file, setup and a first sync, and the admin page. The first sync scores as of
 * two weeks ago, as if the app had been installed then: a dry run now shows what tonight's run would change.
 * The sandbox itself is not product code: sandboxes/demo.ts starts it, and `start` loads that module at
 * run time (demoSandbox.ts), so this file imports no sandbox and the build carries none.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CrmName } from '../../connectors/contract/index.ts';
import { deepMerge, loadConfig } from '../config/load.ts';
import type { Env } from '../crm.ts';
import { LifecycleSyncError } from '../errors.ts';
import { parseServiceEnv } from './env.ts';
import { listen } from './listen.ts';
import { generateAdminToken, startService, type Service } from './start.ts';

export const DEMO_FIRST_RUN_DAYS_AGO = 14;
const DAY_MS = 86_400_000;

/** The demo's pacing: the sandbox allows what a large HubSpot account would, so the demo takes seconds. */
const DEMO_OVERRIDES = { hubspot: { searchPerSecond: 50 }, sync: { searchLagSeconds: 1 } };

/** A CRM sandbox serving the demo data, and the environment that points the service at it. */
export interface DemoSandbox {
  env: Env;
  /** Settings for what the sandbox holds (e.g. deal scoring on its MEDDIC properties, companies as customers), over the demo's. */
  config?: Record<string, unknown>;
  description: string;
  close(): Promise<void>;
}

/**
 * What sandboxes/demo.ts exports as `startDemoSandbox`: the chosen CRM's sandbox, seeded and listening.
 * `publicUrl` is the admin page's address (the sandbox's OAuth app redirects there); `b2b`: companies as
 * the customers (HubSpot's).
 */
export type StartDemoSandbox = (crm: CrmName, o: { publicUrl: string; b2b?: boolean }) => Promise<DemoSandbox>;

export interface Demo extends Service {
  crm: CrmName;
  /** The admin token came from ADMIN_TOKEN (so it is not printed). */
  tokenFromEnv: boolean;
}

export interface DemoOptions {
  env: Env;
  configFile?: string;
  /** Progress lines for a person (stdout of `npm start`). */
  say?: (line: string) => void;
  /** The CRM the demo's sandbox plays (HubSpot unless asked). */
  crm?: CrmName;
  /** B2B: the HubSpot sandbox's customers are companies (`--demo-b2b`). */
  b2b?: boolean;
  /** Starts the sandbox (sandboxes/demo.ts, loaded by demoSandbox.ts). */
  startSandbox: StartDemoSandbox;
}

export async function startDemo(o: DemoOptions): Promise<Demo> {
  const say = o.say ?? (() => {});
  if (o.b2b && (o.crm ?? 'hubspot') !== 'hubspot') {
    throw new LifecycleSyncError('CONFIG_INVALID', 'the B2B demo (--demo-b2b) runs on the HubSpot sandbox (companies as customers): leave out --demo-crm salesforce');
  }
  const senv = parseServiceEnv(o.env);
  const config = loadConfig({ file: o.configFile, env: o.env, overrides: DEMO_OVERRIDES });
  const listening = await listen(senv.PORT ?? config.server.port, senv.HOST ?? config.server.host);
  const publicUrl = (senv.PUBLIC_URL ?? config.server.publicUrl ?? `http://localhost:${listening.port}`).replace(/\/+$/, '');
  const dir = mkdtempSync(join(tmpdir(), 'lifecycle-sync-demo-'));
  const crm = o.crm ?? 'hubspot';
  const crmLabel = crm === 'salesforce' ? 'Salesforce' : 'HubSpot';
  let sandbox: DemoSandbox | null = null;
  let service: Service | null = null;
  try {
    say(`Starting a local ${crmLabel} sandbox with the demo data (the CDNOW sample: 2,357 customers, plus 300 prospects)...`);
    sandbox = await o.startSandbox(crm, { publicUrl, b2b: o.b2b ?? false });
    // The demo's own environment: the sandbox's credentials and a throwaway state file and key.
    const env: Env = {
      ADMIN_TOKEN: senv.ADMIN_TOKEN,
      PORT: String(listening.port),
      PUBLIC_URL: senv.PUBLIC_URL,
      ...sandbox.env,
      LIFECYCLE_SYNC_DB: join(dir, 'demo.db'),
      ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      LOG_LEVEL: o.env.LOG_LEVEL,
    };
    const overrides = deepMerge(DEMO_OVERRIDES, sandbox.config ?? {}) as Record<string, unknown>;
    service = await startService({
      env,
      configFile: o.configFile,
      overrides,
      listening,
      generatedAdminToken: generateAdminToken(),
      demo: {
        description:
          `${sandbox.description} ` +
          `The first sync scored them as of ${DEMO_FIRST_RUN_DAYS_AGO} days ago, as if the app had been installed then: ` +
          'start a dry run to see what a run today would change, then run it.',
      },
    });
    const started = await service.context.runs.start({ kind: 'sync', asOfDay: Math.floor(Date.now() / DAY_MS) - DEMO_FIRST_RUN_DAYS_AGO, trigger: 'demo' });
    say(`Creating the Lifecycle Sync ${crm === 'salesforce' ? 'fields and permission set' : 'properties'} and running the first sync...`);
    const summary = await started.done;
    if (!summary || summary.status !== 'succeeded') throw new Error(`the demo's first sync did not succeed: ${summary?.message ?? 'see the logs'}`);
    const who = o.b2b ? 'companies' : 'contacts';
    say(`First sync: ${summary.written.toLocaleString('en-US')} ${who} scored and written in ${summary.requests} API requests.`);
    if (summary.deals) say(`Deal scoring: ${summary.deals.open.toLocaleString('en-US')} open deals scored (${summary.deals.written.toLocaleString('en-US')} written), the win model fitted on ${summary.deals.closed.toLocaleString('en-US')} closed deals.`);
    const demo: Demo = {
      ...service,
      crm,
      tokenFromEnv: senv.ADMIN_TOKEN !== undefined,
      close: async () => {
        await service?.close();
        await sandbox?.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return demo;
  } catch (error) {
    if (service) await service.close();
    else await listening.close();
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
