/**
 * Alerts end to end through the service: runs started over the admin API, the RunManager's end
 * listeners, and a local incoming-webhook receiver over real HTTP.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { webhookReceiver, type WebhookReceiver } from '../alerts/receivers.ts';
import { createServiceHarness, type ServiceHarness } from './serviceHarness.ts';

const REFUSED_TOKEN = 'pat-na1-99999999-8888-7777-6666-refusedtoken';
let s: ServiceHarness | null = null;
let hook: WebhookReceiver | null = null;

afterEach(async () => {
  await s?.close();
  s = null;
  await hook?.close();
  hook = null;
});

const alerts = (url: string) => ({ alerts: { enabled: true, webhooks: [url], retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 100, timeoutMs: 5000 } } });
const texts = (r: WebhookReceiver) => r.bodies.map((b) => z.object({ text: z.string() }).parse(b).text);

async function sync(t: ServiceHarness): Promise<{ status: string; message: string | null }> {
  const started = await t.api('/api/sync', { method: 'POST', body: {} });
  expect(started.status).toBe(202);
  const { runId } = z.object({ runId: z.string() }).parse(started.body);
  const run = await t.waitForRun(runId);
  // The store says the run ended before the run manager has told its listeners (the alerter): wait for both.
  await t.service.context.runs.idle();
  await t.service.alerts?.idle();
  return run;
}

describe('alerts from the service', () => {
  it('a run that fails because HubSpot refuses the token sends "run failed" to the webhook, naming the installation, without the token', async () => {
    hook = await webhookReceiver();
    s = await createServiceHarness({ dataset: { contacts: 5 }, config: alerts(hook.url), serviceEnv: { HUBSPOT_ACCESS_TOKEN: REFUSED_TOKEN }, captureLogs: true });
    const run = await sync(s);
    expect(run.status).toBe('failed');
    const [text, ...more] = texts(hook);
    expect(more).toEqual([]);
    expect(text).toMatch(/^Lifecycle Sync: HubSpot \(.+\) \(hubspot, installation hubspot\): run failed\nHubSpot rejected the credentials/);
    expect(text).not.toContain(REFUSED_TOKEN);
    expect(s.logs()).not.toContain(REFUSED_TOKEN);
    expect(s.logs()).not.toContain(hook.url);
  });

  it('a run stopped by the daily API share is alerted after the webhook answered 500 once, and the run itself is not failed', async () => {
    hook = await webhookReceiver([500]);
    s = await createServiceHarness({ dataset: { contacts: 500 }, sandbox: { limits: { tenSecondly: 100_000, searchPerSecond: 1000, daily: 60 } }, config: alerts(hook.url), captureLogs: true });
    const run = await sync(s);
    expect(run.status).toBe('stopped');
    const all = texts(hook);
    expect(all).toHaveLength(2);
    expect(all[1]).toMatch(/^Lifecycle Sync: HubSpot \(.+\) \(hubspot, installation hubspot\): run stopped by the API quota\n.*share of the daily API allowance is spent/);
    expect(s.logs()).toContain('an alert could not be sent; trying again');
    // The page still shows the run as the engine ended it.
    const detail = await s.api('/api/runs');
    expect(JSON.stringify(detail.body)).toContain('"status":"stopped"');
  });
});
