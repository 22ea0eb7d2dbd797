/**
 * The CRM the demo (`npm start` in a clone, with no CRM configured) runs against: a local HubSpot sandbox
 * (or, with `--demo-crm salesforce`, a Salesforce one) seeded with the CDNOW sample. HubSpot's also holds
 * a simulated sales pipeline (MEDDIC levels on its deals, hubspot/demoPipeline.ts) and turns deal scoring
 * on; with `--demo-b2b` its customers are companies (each with one contact), as in a B2B portal. The rest of the demo
 * (the service, the first sync, the page) is src/service/demo.ts. `start` loads this module at run time by
 * its path (src/service/demoSandbox.ts), so the production build, which carries no sandbox, never has it.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { DemoSandbox, StartDemoSandbox } from '../src/service/demo.ts';
import { DEMO_MEDDIC_PROPERTIES, seedDemoPipeline } from './hubspot/demoPipeline.ts';
import { createHubSpotSandbox, DEFAULT_PRIVATE_APP_TOKEN, seedDemoDataset, type WebhookSubscription } from './hubspot/index.ts';
import { createSalesforceSandbox, DEFAULT_ACCESS_TOKEN, seedDemoDataset as seedSalesforceDemo } from './salesforce/index.ts';

/** The app's webhook subscriptions as the project declares them (hubspot-app/src/app/webhooks/). */
function appSubscriptions(): WebhookSubscription[] {
  const file = z.object({
    config: z.object({
      subscriptions: z.object({
        legacyCrmObjects: z.array(z.object({ subscriptionType: z.string(), propertyName: z.string().optional(), active: z.boolean().optional() })),
        hubEvents: z.array(z.object({ subscriptionType: z.string(), active: z.boolean().optional() })),
      }),
    }),
  }).parse(JSON.parse(readFileSync(new URL('../hubspot-app/src/app/webhooks/webhooks-hsmeta.json', import.meta.url), 'utf8')));
  return [...file.config.subscriptions.legacyCrmObjects, ...file.config.subscriptions.hubEvents];
}

/** The demo's settings for what the HubSpot sandbox holds: deal scoring on the team's MEDDIC properties, and companies with --demo-b2b. */
function hubspotDemoConfig(b2b: boolean): Record<string, unknown> {
  const dealFieldNames = {
    meddicMetrics: DEMO_MEDDIC_PROPERTIES.metrics,
    meddicEconomicBuyer: DEMO_MEDDIC_PROPERTIES.economicBuyer,
    meddicDecisionCriteria: DEMO_MEDDIC_PROPERTIES.decisionCriteria,
    meddicDecisionProcess: DEMO_MEDDIC_PROPERTIES.decisionProcess,
    meddicIdentifyPain: DEMO_MEDDIC_PROPERTIES.identifyPain,
    meddicChampion: DEMO_MEDDIC_PROPERTIES.champion,
  };
  return { sync: { deals: { enabled: true } }, hubspot: { dealFieldNames, ...(b2b ? { customerObject: 'companies' } : {}) } };
}

async function hubspotDemo(publicUrl: string, b2b: boolean): Promise<DemoSandbox> {
  // Seeded "an hour ago" on the sandbox's clock, so the first sync's cursor is clearly after the seed.
  let offset = -3_600_000;
  const clientSecret = randomBytes(16).toString('hex');
  const sandbox = createHubSpotSandbox({
    clock: () => Date.now() + offset,
    limits: { tenSecondly: 1000, searchPerSecond: 50 },
    oauthClients: [{ clientId: 'lifecycle-sync-demo', clientSecret, redirectUri: `${publicUrl}/oauth/hubspot/callback` }],
  });
  const seeded = seedDemoDataset(sandbox.data, { today: new Date(), b2b });
  const pipeline = seedDemoPipeline(sandbox.data);
  offset = 0;
  // From now on the sandbox's changes reach the demo's webhook endpoint, signed with the app's secret
  // (the seed above sent none).
  sandbox.setWebhooks({ targetUrl: `${publicUrl}/webhooks/hubspot`, clientSecret, appId: 1, subscriptions: appSubscriptions() });
  const url = await sandbox.listen(0, '127.0.0.1');
  return {
    env: { HUBSPOT_ACCESS_TOKEN: DEFAULT_PRIVATE_APP_TOKEN, HUBSPOT_BASE_URL: url, HUBSPOT_CLIENT_SECRET: clientSecret },
    config: hubspotDemoConfig(b2b),
    description:
      `A local HubSpot sandbox with the CDNOW sample as ${seeded.contacts.toLocaleString('en-US')} ${b2b ? 'companies (each with one contact)' : 'contacts'} and ${seeded.deals.toLocaleString('en-US')} deals, ` +
      `plus a simulated sales pipeline: MEDDIC levels on the ${pipeline.open.toLocaleString('en-US')} open and ${pipeline.won.toLocaleString('en-US')} won deals and ${pipeline.lost.toLocaleString('en-US')} lost deals, drawn from a known model (labelled "simulated"; deal scoring is on).`,
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

export const startDemoSandbox: StartDemoSandbox = (crm, { publicUrl, b2b }) => (crm === 'salesforce' ? salesforceDemo() : hubspotDemo(publicUrl, b2b ?? false));
