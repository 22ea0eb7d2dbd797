/**
 * The demo `npm start` runs when no CRM is configured: a local HubSpot sandbox (or, with
 * `--demo-crm salesforce`, a Salesforce one) seeded with the CDNOW sample (2,357 customers as contacts
 * with their purchases as won deals or opportunities, plus prospects), a fresh state file, setup and a
 * first sync, and the admin page. The first sync scores as of two weeks ago, as if the app had been
 * installed then: a dry run now shows what tonight's run would change.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHubSpotSandbox, DEFAULT_PRIVATE_APP_TOKEN, seedDemoDataset } from '../../sandboxes/hubspot/index.ts';
import { createSalesforceSandbox, DEFAULT_ACCESS_TOKEN, seedDemoDataset as seedSalesforceDemo } from '../../sandboxes/salesforce/index.ts';
import type { CrmName } from '../../connectors/types.ts';
import { loadConfig } from '../config/load.ts';
import type { Env } from '../crm.ts';
import { parseServiceEnv } from './env.ts';
import { listen } from './listen.ts';
import { generateAdminToken, startService, type Service } from './start.ts';

export const DEMO_FIRST_RUN_DAYS_AGO = 14;
const DAY_MS = 86_400_000;

/** The demo's pacing: the sandbox allows what a large HubSpot account would, so the demo takes seconds. */
const DEMO_OVERRIDES = { hubspot: { searchPerSecond: 50 }, sync: { searchLagSeconds: 1 } };

/** A CRM sandbox serving the demo data, and the environment that points the service at it. */
interface DemoSandbox {
  env: Env;
  description: string;
  close(): Promise<void>;
}

async function hubspotDemo(publicUrl: string): Promise<DemoSandbox> {
  // Seeded "an hour ago" on the sandbox's clock, so the first sync's cursor is clearly after the seed.
  let offset = -3_600_000;
  const sandbox = createHubSpotSandbox({
    clock: () => Date.now() + offset,
    limits: { tenSecondly: 1000, searchPerSecond: 50 },
    oauthClients: [{ clientId: 'lifecycle-sync-demo', clientSecret: randomBytes(16).toString('hex'), redirectUri: `${publicUrl}/oauth/hubspot/callback` }],
  });
  const seeded = seedDemoDataset(sandbox.data, { today: new Date() });
  offset = 0;
  const url = await sandbox.listen(0, '127.0.0.1');
  return {
    env: { HUBSPOT_ACCESS_TOKEN: DEFAULT_PRIVATE_APP_TOKEN, HUBSPOT_BASE_URL: url },
    description: `A local HubSpot sandbox with the CDNOW sample as ${seeded.contacts.toLocaleString('en-US')} contacts and ${seeded.deals.toLocaleString('en-US')} deals.`,
    close: () => sandbox.close(),
  };
}

async function salesforceDemo(): Promise<DemoSandbox> {
  let offset = -3_600_000;
  const sandbox = createSalesforceSandbox({ clock: () => Date.now() + offset });
  const seeded = seedSalesforceDemo(sandbox.data, { today: new Date() });
  offset = 0;
  const url = await sandbox.listen(0, '127.0.0.1');
  return {
    env: { SALESFORCE_ACCESS_TOKEN: DEFAULT_ACCESS_TOKEN, SALESFORCE_INSTANCE_URL: url, SALESFORCE_LOGIN_URL: url },
    description: `A local Salesforce sandbox with the CDNOW sample as ${seeded.contacts.toLocaleString('en-US')} contacts and ${seeded.deals.toLocaleString('en-US')} opportunities.`,
    close: () => sandbox.close(),
  };
}

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
}

export async function startDemo(o: DemoOptions): Promise<Demo> {
  const say = o.say ?? (() => {});
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
    sandbox = crm === 'salesforce' ? await salesforceDemo() : await hubspotDemo(publicUrl);
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
    service = await startService({
      env,
      configFile: o.configFile,
      overrides: DEMO_OVERRIDES,
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
    say(`First sync: ${summary.written.toLocaleString('en-US')} contacts scored and written in ${summary.requests} API requests.`);
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
