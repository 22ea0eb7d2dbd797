/**
 * The demo `npm start` runs when no CRM is configured: a local HubSpot sandbox seeded with the CDNOW
 * sample (2,357 customers as contacts with their purchases as closed-won deals, plus prospects), a fresh
 * state file, setup and a first sync, and the admin page. The first sync scores as of two weeks ago, as
 * if the app had been installed then: a dry run now shows what tonight's run would change.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHubSpotSandbox, DEFAULT_PRIVATE_APP_TOKEN, seedDemoDataset, type HubSpotSandbox } from '../../connectors/hubspot/sandbox/index.ts';
import { loadConfig } from '../config/load.ts';
import type { Env } from '../crm.ts';
import { parseServiceEnv } from './env.ts';
import { listen } from './listen.ts';
import { generateAdminToken, startService, type Service } from './start.ts';

export const DEMO_FIRST_RUN_DAYS_AGO = 14;
const DAY_MS = 86_400_000;

/** The demo's pacing: the sandbox allows what a large HubSpot account would, so the demo takes seconds. */
const DEMO_OVERRIDES = { hubspot: { searchPerSecond: 50 }, sync: { searchLagSeconds: 1 } };

export interface Demo extends Service {
  sandbox: HubSpotSandbox;
  /** The admin token came from ADMIN_TOKEN (so it is not printed). */
  tokenFromEnv: boolean;
}

export interface DemoOptions {
  env: Env;
  configFile?: string;
  /** Progress lines for a person (stdout of `npm start`). */
  say?: (line: string) => void;
}

export async function startDemo(o: DemoOptions): Promise<Demo> {
  const say = o.say ?? (() => {});
  const senv = parseServiceEnv(o.env);
  const config = loadConfig({ file: o.configFile, env: o.env, overrides: DEMO_OVERRIDES });
  const listening = await listen(senv.PORT ?? config.server.port, senv.HOST ?? config.server.host);
  const publicUrl = (senv.PUBLIC_URL ?? config.server.publicUrl ?? `http://localhost:${listening.port}`).replace(/\/+$/, '');
  const dir = mkdtempSync(join(tmpdir(), 'lifecycle-sync-demo-'));
  let sandbox: HubSpotSandbox | null = null;
  let service: Service | null = null;
  try {
    say('Starting a local HubSpot sandbox with the demo data (the CDNOW sample: 2,357 customers, plus 300 prospects)...');
    // Seeded "an hour ago" on the sandbox's clock, so the first sync's cursor is clearly after the seed.
    let offset = -3_600_000;
    sandbox = createHubSpotSandbox({
      clock: () => Date.now() + offset,
      limits: { tenSecondly: 1000, searchPerSecond: 50 },
      oauthClients: [{ clientId: 'lifecycle-sync-demo', clientSecret: randomBytes(16).toString('hex'), redirectUri: `${publicUrl}/oauth/hubspot/callback` }],
    });
    const seeded = seedDemoDataset(sandbox.data, { today: new Date() });
    offset = 0;
    const sandboxUrl = await sandbox.listen(0, '127.0.0.1');
    // The demo's own environment: the sandbox's token and a throwaway state file and key.
    const env: Env = {
      ADMIN_TOKEN: senv.ADMIN_TOKEN,
      PORT: String(listening.port),
      PUBLIC_URL: senv.PUBLIC_URL,
      HUBSPOT_ACCESS_TOKEN: DEFAULT_PRIVATE_APP_TOKEN,
      HUBSPOT_BASE_URL: sandboxUrl,
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
          `A local HubSpot sandbox with the CDNOW sample as ${seeded.contacts.toLocaleString('en-US')} contacts and ${seeded.deals.toLocaleString('en-US')} deals. ` +
          `The first sync scored them as of ${DEMO_FIRST_RUN_DAYS_AGO} days ago, as if the app had been installed then: ` +
          'start a dry run to see what a run today would change, then run it.',
      },
    });
    const started = await service.context.runs.start({ kind: 'sync', asOfDay: Math.floor(Date.now() / DAY_MS) - DEMO_FIRST_RUN_DAYS_AGO, trigger: 'demo' });
    say('Creating the Lifecycle Sync properties and running the first sync...');
    const summary = await started.done;
    if (!summary || summary.status !== 'succeeded') throw new Error(`the demo's first sync did not succeed: ${summary?.message ?? 'see the logs'}`);
    say(`First sync: ${summary.written.toLocaleString('en-US')} contacts scored and written in ${summary.requests} API requests.`);
    const demo: Demo = {
      ...service,
      sandbox,
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
