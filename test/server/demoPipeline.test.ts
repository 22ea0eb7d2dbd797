/**
 * The HubSpot demo's simulated sales pipeline (sandboxes/hubspot/demoPipeline.ts) and its B2B switch
 * (`npm start -- --demo-b2b`): deal scoring is on and has something to show — every open deal scored,
 * a win model fitted on the closed deals with a cross-validated AUC — while the customers stay the CDNOW
 * sample's (2,657 written, 2,357 of them buyers), as contacts or, B2B, as companies.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startDemoSandbox } from '../../sandboxes/demo.ts';
import { startDemo, type Demo } from '../../src/service/demo.ts';

const TOKEN = 'demo-test-admin-token-0123456789';
let demo: Demo | null = null;
afterEach(async () => {
  await demo?.close();
  demo = null;
});

async function api(d: Demo, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${d.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const body: unknown = await res.json();
  return { status: res.status, body };
}

const firstRun = z.object({ runs: z.array(z.object({ status: z.string(), stats: z.object({ written: z.number(), failed: z.number(), deals: z.object({ open: z.number(), closed: z.number(), written: z.number(), failed: z.number() }).passthrough().optional() }).passthrough() }).passthrough()) });
const storedFit = z.object({ winModel: z.object({ model: z.object({ basis: z.string(), closedDeals: z.number(), won: z.number() }).passthrough(), validation: z.object({ method: z.string(), auc: z.number().nullable() }).passthrough().nullable() }) }).passthrough();

async function checkPipeline(d: Demo): Promise<void> {
  const [run] = firstRun.parse((await api(d, '/api/runs')).body).runs;
  expect(run).toMatchObject({ status: 'succeeded', stats: { written: 2657, failed: 0 } });
  // Every open deal (the prospects' 110 opportunities) scored and written; the closed ones trained the model.
  expect(run.stats.deals).toMatchObject({ open: 110, written: 110, failed: 0 });
  expect(run.stats.deals?.closed).toBeGreaterThan(6919);
  const latest = await d.context.store.latestModelFit(d.context.installations.installationId() ?? '');
  const fit = storedFit.parse(latest?.fit);
  expect(fit.winModel.model.basis).toBe('fitted');
  expect(fit.winModel.validation?.method).toBe('cross_validation');
  // The levels carry the generating model's signal: well above chance, short of perfect.
  expect(fit.winModel.validation?.auc).toBeGreaterThan(0.65);
  expect(fit.winModel.validation?.auc).toBeLessThan(0.95);
}

describe('the HubSpot demo’s sales pipeline', () => {
  it('scores every open deal with a fitted win model, and the customers are still the 2,657 CDNOW contacts', async () => {
    demo = await startDemo({ env: { PORT: '0', ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'error' }, startSandbox: startDemoSandbox });
    const status = z.object({ crm: z.string(), demo: z.object({ description: z.string() }) }).parse((await api(demo, '/api/status')).body);
    expect(status.demo.description).toMatch(/^A local HubSpot sandbox with the CDNOW sample as 2,657 contacts/);
    expect(status.demo.description).toMatch(/simulated sales pipeline/);
    await checkPipeline(demo);
  }, 120_000);

  it('--demo-b2b: the customers are the 2,657 companies, and the pipeline is scored the same way', async () => {
    demo = await startDemo({ env: { PORT: '0', ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'error' }, b2b: true, startSandbox: startDemoSandbox });
    const status = z.object({ demo: z.object({ description: z.string() }) }).parse((await api(demo, '/api/status')).body);
    expect(status.demo.description).toMatch(/^A local HubSpot sandbox with the CDNOW sample as 2,657 companies/);
    const list = z.object({ total: z.number(), recordLabel: z.string().nullable() }).parse((await api(demo, '/api/customers?pageSize=1')).body);
    expect(list).toMatchObject({ total: 2657, recordLabel: 'company' });
    await checkPipeline(demo);
  }, 120_000);

  it('refuses --demo-b2b with the Salesforce sandbox, saying why', async () => {
    await expect(startDemo({ env: { PORT: '0', ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'error' }, crm: 'salesforce', b2b: true, startSandbox: startDemoSandbox })).rejects.toThrow(/--demo-b2b.*HubSpot/);
  });
});
