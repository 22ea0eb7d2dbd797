/**
 * The service with its webhook endpoint, on a SQLite file of its own with one HubSpot installation (its
 * portal), the drainer's timings shortened; requests signed as HubSpot signs them. The rescore handler is
 * the test's: a recorder standing in for the rescore side at the boundary (src/webhooks/drainer.ts's
 * RescoreHandler), not the product's rescoring.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signatureV3 } from '../../connectors/hubspot/signature.ts';
import { silentLogger } from '../../src/log.ts';
import { startService, type Service } from '../../src/service/start.ts';
import { openStore } from '../../src/store/sqlite.ts';
import type { Store } from '../../src/store/types.ts';
import type { RescoreHandler } from '../../src/webhooks/drainer.ts';
import { ADMIN_TOKEN, idleCron } from '../server/serviceHarness.ts';

export const SECRET = 'webhook-test-client-secret-0123';
export const PORTAL = 48151623;
export const APP_ID = 3141592;

export interface HandlerCall {
  installationId: string;
  customerIds: string[];
  dealIds: string[];
  at: number;
}

export interface WebhookService {
  service: Service;
  store: Store;
  installationId: string;
  /** Where requests are sent. */
  url: string;
  calls: HandlerCall[];
  /** Posts the body signed for `signedUri` (default: the service's public URL + path) at `timestamp` (default now). */
  post(body: string, o?: { secret?: string; timestamp?: number; signedUri?: string; path?: string; signature?: string | null }): Promise<{ status: number; body: unknown; signature: string }>;
  close(): Promise<void>;
}

let eventIds = 1;

export type HubSpotEvent = Record<string, unknown>;

/** An event as HubSpot sends it (a fresh eventId each). */
export function hubspotEvent(o: HubSpotEvent): HubSpotEvent {
  return { eventId: eventIds++, subscriptionId: 11, portalId: PORTAL, appId: APP_ID, occurredAt: Date.now(), subscriptionType: 'deal.propertyChange', attemptNumber: 0, changeSource: 'CRM_UI', sourceId: 'userId:77', ...o };
}

export async function startWebhookService(o: { handler?: RescoreHandler | null; debounceMs?: number; backoffMs?: number; batchSize?: number; env?: Record<string, string> } = {}): Promise<WebhookService> {
  const dir = mkdtempSync(join(tmpdir(), 'lcs-webhooks-'));
  const path = join(dir, 'state.db');
  const pre = openStore(path);
  const installationId = (await pre.addInstallation({ crm: 'hubspot', name: 'Portal', accountId: String(PORTAL) })).installation.id;
  await pre.close();
  const calls: HandlerCall[] = [];
  const recorder: RescoreHandler = (id, work) => {
    calls.push({ installationId: id, ...work, at: Date.now() });
    return Promise.resolve();
  };
  const service = await startService({
    env: { LIFECYCLE_SYNC_DB: path, ADMIN_TOKEN, PORT: '0', HOST: '127.0.0.1', HUBSPOT_CLIENT_SECRET: SECRET, ...o.env },
    log: silentLogger(),
    cron: idleCron,
    rescoreHandler: o.handler === null ? undefined : o.handler ?? recorder,
    webhookDrainer: { debounceMs: o.debounceMs ?? 100, backoffMs: o.backoffMs ?? 100, maxBackoffMs: 1000, batchSize: o.batchSize ?? 100, sweepMs: 60_000 },
  });
  const url = `http://127.0.0.1:${service.port}`;
  return {
    service,
    store: service.context.store,
    installationId,
    url,
    calls,
    async post(body, p = {}) {
      const path = p.path ?? '/webhooks/hubspot';
      const timestamp = String(p.timestamp ?? Date.now());
      const signature = p.signature === undefined ? signatureV3({ method: 'POST', uri: p.signedUri ?? `${service.url}${path}`, body, timestamp }, p.secret ?? SECRET) : p.signature;
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-hubspot-request-timestamp': timestamp };
      if (signature !== null) headers['x-hubspot-signature-v3'] = signature;
      const response = await fetch(`${url}${path}`, { method: 'POST', headers, body });
      const text = await response.text();
      return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null, signature: signature ?? '' };
    },
    async close() {
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
