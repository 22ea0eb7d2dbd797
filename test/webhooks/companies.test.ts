/**
 * POST /webhooks/hubspot for a service whose HubSpot customers are companies (`hubspot.customerObject:
 * companies`): companies' changes and their deal associations are recorded as work, contacts' changes and
 * contact–deal associations are ignored (a contact's id is not a customer there, and may even be a
 * company's), deals' own changes are kept. The same body for a contacts service keeps the opposite; with
 * `both`, the account's installation keeps the contacts' and its companion (`<id>--companies`) the companies'.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hubspotEvent, startWebhookService, type WebhookService } from './webhookService.ts';

let ws: WebhookService | null = null;
let dir: string | null = null;
afterEach(async () => {
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
