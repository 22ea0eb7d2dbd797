/**
 * POST /webhooks/hubspot for a service whose HubSpot customers are companies (`hubspot.customerObject:
 * companies`): companies' changes and their deal associations are recorded as work, contacts' changes and
 * contact–deal associations are ignored (a contact's id is not a customer there, and may even be a
 * company's), deals' own changes are kept. The same body for a contacts service keeps the opposite; with
 * `both`, the account's installation keeps the contacts' and its companion (`<id>--companies`) the companies'.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHubSpotSandbox, DEFAULT_PRIVATE_APP_TOKEN, type HubSpotSandbox, type WebhookSubscription } from '../../sandboxes/hubspot/index.ts';
import { until } from '../until.ts';
import { APP_ID, hubspotEvent, PORTAL, SECRET, startWebhookService, type WebhookService } from './webhookService.ts';

let ws: WebhookService | null = null;
let dir: string | null = null;
let sandbox: HubSpotSandbox | null = null;
afterEach(async () => {
  await sandbox?.close();
  sandbox = null;
  await ws?.close();
  ws = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

const BODY = JSON.stringify([
  hubspotEvent({ subscriptionType: 'company.propertyChange', objectId: 701, propertyName: 'name' }),
  hubspotEvent({ subscriptionType: 'contact.propertyChange', objectId: 702, propertyName: 'firstname' }),
  hubspotEvent({ subscriptionType: 'contact.deletion', objectId: 703 }),
  hubspotEvent({ subscriptionType: 'deal.associationChange', associationType: 'DEAL_TO_COMPANY', fromObjectId: 9701, toObjectId: 704 }),
  hubspotEvent({ subscriptionType: 'deal.associationChange', associationType: 'DEAL_TO_CONTACT', fromObjectId: 9702, toObjectId: 705 }),
  hubspotEvent({ subscriptionType: 'deal.propertyChange', objectId: 9703, propertyName: 'amount' }),
]);

async function pendingAfter(config: Record<string, unknown> | null): Promise<string[]> {
  let env: Record<string, string> = {};
  if (config) {
    dir = mkdtempSync(join(tmpdir(), 'lcs-webhooks-companies-'));
    const path = join(dir, 'config.yaml');
    writeFileSync(path, `hubspot:\n  customerObject: ${String((config.hubspot as { customerObject: string }).customerObject)}\n`);
    env = { LIFECYCLE_SYNC_CONFIG: path };
  }
  ws = await startWebhookService({ debounceMs: 60_000, env });
  expect((await ws.post(BODY)).status).toBe(204);
  return (await ws.store.pendingWebhookWork(ws.installationId, 100)).map((r) => `${r.action}:${r.object}:${r.recordId}`).sort();
}

describe('HubSpot webhooks and the customer object', () => {
  it('companies: keeps the companies’ changes and their deals, ignores the contacts’', async () => {
    expect(await pendingAfter({ hubspot: { customerObject: 'companies' } })).toEqual(['rescore:contact:701', 'rescore:contact:704', 'rescore:deal:9701', 'rescore:deal:9703']);
  });

  it('both: the account’s installation keeps the contacts’ changes, its companion the companies’; each the deals’ own', async () => {
    expect(await pendingAfter({ hubspot: { customerObject: 'both' } })).toEqual(['forget:contact:703', 'rescore:contact:702', 'rescore:contact:705', 'rescore:deal:9702', 'rescore:deal:9703']);
    expect((await ws!.store.getInstallation(`${ws!.installationId}--companies`))?.name).toBe('Portal · companies');
    expect((await ws!.store.pendingWebhookWork(`${ws!.installationId}--companies`, 100)).map((r) => `${r.action}:${r.object}:${r.recordId}`).sort()).toEqual([
      'rescore:contact:701',
      'rescore:contact:704',
      'rescore:deal:9701',
      'rescore:deal:9703',
    ]);
  });

  it('contacts (the default): keeps the contacts’ changes and their deals, ignores the companies’', async () => {
    expect(await pendingAfter(null)).toEqual(['forget:contact:703', 'rescore:contact:702', 'rescore:contact:705', 'rescore:deal:9702', 'rescore:deal:9703']);
  });
});

/** The project's subscriptions (hubspot-app/src/app/webhooks/webhooks-hsmeta.json), as HubSpot would hold them. */
const SUBSCRIPTIONS: WebhookSubscription[] = (() => {
  const file = z.object({
    config: z.object({
      subscriptions: z.object({
        legacyCrmObjects: z.array(z.object({ subscriptionType: z.string(), propertyName: z.string().optional(), active: z.boolean() })),
        hubEvents: z.array(z.object({ subscriptionType: z.string(), active: z.boolean() })),
      }),
    }),
  }).parse(JSON.parse(readFileSync(new URL('../../hubspot-app/src/app/webhooks/webhooks-hsmeta.json', import.meta.url), 'utf8')));
  return [...file.config.subscriptions.legacyCrmObjects, ...file.config.subscriptions.hubEvents];
})();

async function call(s: HubSpotSandbox, method: string, path: string, body?: unknown): Promise<{ status: number; id: string }> {
  const response = await fetch(`${s.url}${path}`, { method, headers: { authorization: `Bearer ${DEFAULT_PRIVATE_APP_TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, id: text ? z.object({ id: z.string().optional() }).passthrough().parse(JSON.parse(text)).id ?? '' : '' };
}

describe('the project’s subscriptions, delivered by the sandbox to a companies installation', () => {
  it('a company created, renamed, linked to a deal, merged and deleted: each company rescored or forgotten', async () => {
    dir = mkdtempSync(join(tmpdir(), 'lcs-webhooks-companies-'));
    const path = join(dir, 'config.yaml');
    writeFileSync(path, 'hubspot:\n  customerObject: companies\n');
    ws = await startWebhookService({ debounceMs: 200, env: { LIFECYCLE_SYNC_CONFIG: path } });
    const w = ws;
    sandbox = createHubSpotSandbox({ portalId: PORTAL, webhooks: { targetUrl: `${w.service.url}/webhooks/hubspot`, clientSecret: SECRET, appId: APP_ID, subscriptions: SUBSCRIPTIONS, retryDelaysMs: [100, 200] } });
    const s = sandbox;
    await s.listen(0, '127.0.0.1');
    const company = async (name: string) => (await call(s, 'POST', '/crm/v3/objects/companies', { properties: { name, domain: `${name}.example` } })).id;
    const [acme, beta, gone] = [await company('acme'), await company('beta'), await company('gone')];
    const deal = (await call(s, 'POST', '/crm/v3/objects/deals', { properties: { dealname: 'Renewal', pipeline: 'default', dealstage: 'closedwon', amount: '100' } })).id;
    await s.webhooks.idle();
    const handled = () => new Set(w.calls.flatMap((c) => c.customerIds));
    await until('the creations handled', async () => ((await w.store.pendingWebhookWork(w.installationId, 10)).length === 0 && handled().size >= 3 ? true : null), 10_000);
    expect(handled()).toEqual(new Set([acme, beta, gone]));

    w.calls.length = 0;
    expect((await call(s, 'PATCH', `/crm/v3/objects/companies/${beta}`, { properties: { name: 'beta renamed' } })).status).toBe(200);
    expect((await call(s, 'PUT', `/crm/v4/objects/companies/${acme}/associations/default/deals/${deal}`)).status).toBe(200);
    await s.webhooks.idle();
    await until('the changes handled', async () => ((await w.store.pendingWebhookWork(w.installationId, 10)).length === 0 && handled().size >= 2 ? true : null), 10_000);
    expect(handled()).toEqual(new Set([acme, beta]));
    expect(new Set(w.calls.flatMap((c) => c.dealIds))).toContain(deal);

    // Stored data of the companies about to go (as a sync would have left it).
    await w.store.upsertCustomers(w.installationId, [beta, gone].map((id) => ({ recordId: id, modifiedAt: 1, signals: {}, crmValues: {}, display: { name: id } })));
    expect((await call(s, 'POST', '/crm/v3/objects/companies/merge', { primaryObjectId: acme, objectIdToMerge: beta })).status).toBe(200);
    expect((await call(s, 'DELETE', `/crm/v3/objects/companies/${gone}`)).status).toBe(204);
    await s.webhooks.idle();
    await until('the merge and deletion handled', async () => ((await w.store.pendingWebhookWork(w.installationId, 10)).length === 0 && (await w.store.getCustomer(w.installationId, gone)) === null ? true : null), 10_000);
    expect(await w.store.getCustomer(w.installationId, beta)).toBeNull();
    const sent = new Set(s.webhooks.stats.sent.flat().map((e) => e.subscriptionType));
    for (const type of ['company.creation', 'company.propertyChange', 'company.associationChange', 'company.merge', 'company.deletion']) expect(sent.has(type), type).toBe(true);
  });
});
