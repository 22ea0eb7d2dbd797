/**
 * The admin API as an admin's script or the page uses it, against the HubSpot sandbox: the token on
 * every route, runs started in the background (dry run and plan, run, rollback, one at a time), the
 * customer and model views, JSON errors that name the problem, health, readiness and metrics.
 */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { STAGES_IN_LIFECYCLE_ORDER } from '../../src/classifier/types.ts';
import { adminApiRouter } from '../../src/server/app.ts';
import { ADMIN_TOKEN, createServiceHarness, type ServiceHarness } from './serviceHarness.ts';

let s: ServiceHarness;
beforeAll(async () => {
  s = await createServiceHarness({ dataset: { contacts: 150 } });
});
afterAll(async () => {
  await s.close();
});

const layerSchema = z.object({
  route: z.object({ path: z.string(), methods: z.record(z.string(), z.boolean()) }).optional(),
  name: z.string(),
  handle: z.unknown(),
});
const routerSchema = z.object({ stack: z.array(z.unknown()) });

/** Every route the admin API router holds, found by walking it (so a new route is covered by itself). */
function apiRoutes(router: unknown): { method: string; path: string }[] {
  const out: { method: string; path: string }[] = [];
  // An express router is a function with a `stack` of layers.
  if ((typeof router !== 'function' && typeof router !== 'object') || router === null) throw new Error('not a router');
  const stack: unknown = Reflect.get(router, 'stack');
  for (const raw of routerSchema.parse({ stack }).stack) {
    const layer = layerSchema.parse(raw);
    if (layer.route) for (const method of Object.keys(layer.route.methods)) out.push({ method: method.toUpperCase(), path: `/api${layer.route.path}` });
    else if (layer.name === 'router') out.push(...apiRoutes(layer.handle));
  }
  return out;
}

const describedSchema = z.object({
  description: z.object({
    title: z.string(),
    stage: z.string().nullable(),
    scores: z.array(z.string()),
    purchases: z.string(),
    signals: z.array(z.string()),
    history: z.array(z.object({ field: z.string(), run: z.string(), runId: z.string(), from: z.string(), to: z.string(), outcome: z.string() })),
  }),
});
const errorShape = z.object({ error: z.object({ code: z.string(), message: z.string() }) }).strict();

describe('the admin API', () => {
  it('answers 401 on every route without the token or with a wrong one, with a JSON error', async () => {
    const routes = apiRoutes(adminApiRouter(s.service.context));
    expect(routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(
      expect.arrayContaining(['GET /api/runs', 'GET /api/runs/:id', 'GET /api/runs/:id/plan', 'POST /api/runs/:id/rollback', 'POST /api/sync', 'GET /api/customers/:id', 'GET /api/model']),
    );
    for (const { method, path } of [...routes, { method: 'GET', path: '/api/no-such-route' }]) {
      const concrete = path.replace(':id', 'run_x').replace(':crm', 'hubspot');
      for (const token of [null, 'wrong-token-wrong-token-wrong', `${ADMIN_TOKEN}x`]) {
        const r = await s.api(concrete, { method, token, body: method === 'POST' ? {} : undefined });
        expect(r.status, `${method} ${concrete} with ${token === null ? 'no token' : 'a wrong token'}`).toBe(401);
        expect(errorShape.parse(r.body).error.code).toBe('UNAUTHORIZED');
      }
    }
    // A runs list with the right token works, and nothing was started by the refused calls.
    const ok = await s.api('/api/runs');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ runs: [] });
  });

  it('starts a dry run in the background and shows its planned changes; nothing is written', async () => {
    const started = await s.api('/api/sync', { method: 'POST', body: { dryRun: true } });
    expect(started.status).toBe(202);
    const { runId } = z.object({ runId: z.string(), kind: z.literal('dry_run'), status: z.literal('running') }).parse(started.body);
    // One run per installation: a second start while it runs is refused.
    const second = await s.api('/api/sync', { method: 'POST', body: {} });
    expect(second.status).toBe(409);
    expect(errorShape.parse(second.body).error).toMatchObject({ code: 'SYNC_LOCKED' });

    expect(await s.waitForRun(runId)).toMatchObject({ status: 'succeeded', kind: 'dry_run' });
    const plan = await s.api(`/api/runs/${runId}/plan?limit=5`);
    expect(plan.status).toBe(200);
    const body = z
      .object({ records: z.number(), total: z.number(), changes: z.array(z.object({ recordId: z.string(), field: z.string(), previous: z.null(), next: z.string().nullable() })) })
      .parse(plan.body);
    expect(body.records).toBe(150);
    expect(body.total).toBeGreaterThanOrEqual(150 * 5);
    expect(body.changes).toHaveLength(5);
    const grouped = z.object({ total: z.number(), byRecord: z.array(z.object({ recordId: z.string(), changes: z.array(z.object({ field: z.string() })) })) }).parse((await s.api(`/api/runs/${runId}/plan?group=record&limit=3`)).body);
    expect(grouped.total).toBe(150);
    expect(grouped.byRecord[0].changes.map((c) => c.field)).toContain('stage');
    expect([...s.h.crmValues().values()].every((v) => v.lcs_stage === null)).toBe(true);
  });

  it('runs a sync, explains a customer, shows the model, and rolls the run back', async () => {
    const started = await s.api('/api/sync', { method: 'POST', body: {} });
    expect(started.status).toBe(202);
    const { runId } = z.object({ runId: z.string() }).parse(started.body);
    expect(await s.waitForRun(runId)).toMatchObject({ status: 'succeeded', stats: { written: 150, failed: 0 } });
    const [contactId] = s.h.sandbox.data.contactIds();
    const stage = s.h.sandbox.data.getContact(contactId)?.properties.lcs_stage;
    expect(stage).toBeTruthy();

    const detail = await s.api(`/api/runs/${runId}`);
    expect(detail.body).toMatchObject({ run: { id: runId, kind: 'sync', status: 'succeeded' }, errors: [] });
    const customer = await s.api(`/api/customers/${contactId}`);
    expect(customer.status).toBe(200);
    expect(customer.body).toMatchObject({ recordId: contactId, scores: { values: { stage } } });
    const model = await s.api('/api/model');
    expect(model.body).toMatchObject({ runId, model: { name: 'pareto_nbd', customers: expect.any(Number) as number } });
    const overview = z.object({ summary: z.object({ customers: z.number(), stages: z.record(z.string(), z.number()) }), churnRiskHistogram: z.array(z.object({ customers: z.number() })) }).parse((await s.api('/api/overview')).body);
    expect(Object.values(overview.summary.stages).reduce((a, b) => a + b, 0)).toBe(150);
    expect(overview.churnRiskHistogram.reduce((a, b) => a + b.customers, 0)).toBeGreaterThan(0);

    const planOfSync = await s.api(`/api/runs/${runId}/plan`);
    expect(planOfSync.status).toBe(409);
    expect(errorShape.parse(planOfSync.body).error.code).toBe('NOT_A_DRY_RUN');

    const rollback = await s.api(`/api/runs/${runId}/rollback`, { method: 'POST', body: {} });
    expect(rollback.status).toBe(202);
    const rolled = z.object({ runId: z.string(), rollbackOf: z.literal(runId) }).parse(rollback.body);
    expect(await s.waitForRun(rolled.runId)).toMatchObject({ status: 'succeeded', kind: 'rollback', stats: { written: 150 } });
    expect(s.h.sandbox.data.getContact(contactId)?.properties.lcs_stage ?? null).toBeNull();

    // The customer in words (sync/describe.ts): the sync's writes marked as rolled back, the rollback's own listed first.
    const after = describedSchema.parse((await s.api(`/api/customers/${contactId}`)).body);
    const label = (await s.service.context.installations.defaultScope()).config.classifier.stages[z.enum(STAGES_IN_LIFECYCLE_ORDER).parse(stage)].label;
    expect(after.description.title).toMatch(new RegExp(`, HubSpot record ${contactId}$`));
    expect(after.description.stage).toBe(label);
    expect(after.description.scores[0]).toMatch(/^(Churn risk \d+ % \((low|medium|high)\): |No purchase yet)/);
    expect(after.description.scores.at(-1)).toMatch(/^Scored on \d{4}-\d\d-\d\d \d\d:\d\d UTC as of \d{4}-\d\d-\d\d with the Pareto\/NBD model/);
    const stageWrites = after.description.history.filter((h) => h.field === 'stage').map((h) => [h.run, h.runId, `${h.from} → ${h.to}`, h.outcome]);
    expect(stageWrites).toEqual([
      [`Rollback of ${runId}`, rolled.runId, `${label} → empty`, 'written'],
      ['Sync', runId, `empty → ${label}`, `written, rolled back by ${rolled.runId}`],
    ]);
  });

  it('describes a customer never scored, one deleted from the CRM, and names the installation for an unknown one', async () => {
    const store = s.service.context.store;
    await store.upsertCustomers('hubspot', [{ recordId: 'new-1', modifiedAt: Date.now(), signals: { nps: 10 }, crmValues: {}, display: { email: 'new@example.com' } }]);
    const fresh = describedSchema.parse((await s.api('/api/customers/new-1')).body);
    expect(fresh.description).toMatchObject({
      title: 'new@example.com, HubSpot record new-1',
      stage: null,
      scores: ['Not scored yet: the next sync or dry run scores it.'],
      purchases: 'No purchase yet; no open deal.',
      signals: ['NPS 10'],
      history: [],
    });
    const [, second] = s.h.sandbox.data.contactIds();
    await store.markCustomersDeleted('hubspot', [second]);
    const gone = describedSchema.parse((await s.api(`/api/customers/${second}`)).body);
    expect(gone.description.scores[0]).toBe('No longer in the CRM: these are its last scores, from before it was deleted, and nothing more is written to it.');
    const unknown = await s.api('/api/customers/no-such-1');
    expect(unknown.status).toBe(404);
    expect(errorShape.parse(unknown.body).error.message).toBe('no customer no-such-1 in installation hubspot: not among the records its last pull found (or no sync has run yet)');
  });

  it("backtests the installation's stored deals for the page's card: per-model figures on the last holdoutDays days", async () => {
    // The sync above pulled the deals; the card needs no run of its own.
    const r = await s.api('/api/backtest?holdoutDays=120');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const card = z
      .object({
        holdoutDays: z.number(),
        customers: z.number(),
        models: z.array(z.object({ model: z.string(), fitted: z.boolean(), accuracy: z.object({ mae: z.number() }).nullable() })),
        calibration: z.array(z.object({ frequency: z.number(), meanActual: z.number() })),
      })
      .parse(r.body);
    expect(card.holdoutDays).toBe(120);
    expect(card.customers).toBeGreaterThan(0);
    expect(card.models.map((m) => m.model)).toEqual(['pareto_nbd', 'bg_nbd', 'mbg_nbd', 'recency_heuristic']);
    // The heuristic's own accuracy is always there, as the baseline.
    expect(card.models[3].accuracy?.mae).toBeGreaterThanOrEqual(0);
    // Beside them, the conversion model's holdout AUC on the prospects of its own 90-day holdout, to today.
    const conversion = z
      .object({ available: z.literal(true), calibrationEnd: z.string(), holdoutEnd: z.string(), horizonDays: z.number(), prospects: z.number(), converted: z.number(), auc: z.number().nullable(), model: z.string() })
      .parse((r.body as { conversion: unknown }).conversion);
    const today = new Date().toISOString().slice(0, 10);
    expect(conversion).toMatchObject({ holdoutEnd: today, calibrationEnd: new Date(Date.parse(today) - 90 * 86_400_000).toISOString().slice(0, 10), horizonDays: 90 });
    expect(conversion.prospects).toBeGreaterThan(0);
    expect(conversion.converted).toBeLessThanOrEqual(conversion.prospects);
    // An AUC needs both outcomes in the holdout; without them it is null, never a made-up figure.
    const bothOutcomes = conversion.converted > 0 && conversion.converted < conversion.prospects;
    expect(conversion.auc !== null).toBe(bothOutcomes);
    if (conversion.auc !== null) {
      expect(conversion.auc).toBeGreaterThanOrEqual(0);
      expect(conversion.auc).toBeLessThanOrEqual(1);
    }
    expect(conversion.model).toMatch(/^chance of a first purchase within 90 days/);
    const bad = await s.api('/api/backtest?holdoutDays=2');
    expect(bad.status).toBe(400);
    expect(errorShape.parse(bad.body).error.message).toMatch(/^query\.holdoutDays: /);
  });

  it('answers bad input with a 400 that names what is wrong, and unknown things with a 404', async () => {
    const wrongType = await s.api('/api/sync', { method: 'POST', body: { dryRun: 'yes' } });
    expect(wrongType.status).toBe(400);
    expect(errorShape.parse(wrongType.body).error).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringMatching(/^body\.dryRun: .*boolean/) as string });
    const unknownField = await s.api('/api/sync', { method: 'POST', body: { dryrun: true } });
    expect(errorShape.parse(unknownField.body).error.message).toBe('body: unknown field "dryrun"');
    const notJson = await s.api('/api/sync', { method: 'POST', rawBody: '{"dryRun": tru' });
    expect(notJson.status).toBe(400);
    expect(errorShape.parse(notJson.body).error.code).toBe('INVALID_JSON');
    const badLimit = await s.api('/api/runs?limit=0');
    expect(errorShape.parse(badLimit.body).error.message).toMatch(/^query\.limit: /);
    const missingRun = await s.api('/api/runs/run_nope');
    expect(missingRun.status).toBe(404);
    expect(errorShape.parse(missingRun.body).error).toEqual({ code: 'NOT_FOUND', message: 'no run run_nope for hubspot' });
    const missingCustomer = await s.api('/api/customers/999999999');
    expect(missingCustomer.status).toBe(404);
  });

  it('refuses a body that is not JSON with a 415 and starts nothing; a bodiless POST is an empty body', async () => {
    const runsBefore = z.object({ runs: z.array(z.unknown()) }).parse((await s.api('/api/runs')).body).runs.length;
    const json = new TextEncoder().encode('{"dryRun": true}');
    const refused: [string, Parameters<ServiceHarness['api']>[1]][] = [
      // curl -d '{"dryRun": true}' sends it as a form.
      ['a form', { rawBody: '{"dryRun": true}', contentType: 'application/x-www-form-urlencoded' }],
      ['a form field', { rawBody: 'dryRun=true', contentType: 'application/x-www-form-urlencoded' }],
      ['text', { rawBody: '{"dryRun": true}', contentType: 'text/plain' }],
      ['no content type', { rawBody: json, contentType: null }],
      ['a charset nobody knows', { rawBody: '{"dryRun": true}', contentType: 'application/json; charset=klingon' }],
      ['an encoding nobody knows', { rawBody: json, contentType: 'application/json', headers: { 'content-encoding': 'x-bogus' } }],
    ];
    for (const [what, init] of refused) {
      for (const path of ['/api/sync', '/api/runs/run_x/rollback', '/api/install/hubspot']) {
        const r = await s.api(path, { method: 'POST', ...init });
        expect(r.status, `POST ${path} with ${what}`).toBe(415);
        expect(errorShape.parse(r.body).error.code, `POST ${path} with ${what}`).toBe('UNSUPPORTED_MEDIA_TYPE');
      }
    }
    // A body that claims gzip but is not: the client's mistake, a 400, never a 500.
    const badGzip = await s.api('/api/sync', { method: 'POST', rawBody: json, contentType: 'application/json', headers: { 'content-encoding': 'gzip' } });
    expect(badGzip.status).toBe(400);
    expect(errorShape.parse(badGzip.body).error.code).toBe('INVALID_BODY');
    expect(z.object({ runs: z.array(z.unknown()) }).parse((await s.api('/api/runs')).body).runs).toHaveLength(runsBefore);
    expect(s.service.context.runs.current('hubspot')).toBeNull();

    // `curl -X POST` with no body: nothing ambiguous to ignore, so it is an empty JSON body (here: no such run).
    const bodiless = await s.api('/api/runs/run_nope/rollback', { method: 'POST', contentType: null });
    expect(bodiless.status).toBe(404);
    expect(errorShape.parse(bodiless.body).error.code).toBe('NOT_FOUND');
    // JSON in UTF-8 with its charset named is fine.
    const named = await s.api('/api/runs/run_nope/rollback', { method: 'POST', rawBody: '{}', contentType: 'application/json; charset=utf-8' });
    expect(named.status).toBe(404);
  });
});

describe('health, readiness, metrics and headers', () => {
  it('healthz and readyz answer without a token; readyz checks the store and the CRM credentials', async () => {
    expect((await s.api('/healthz', { token: null })).body).toEqual({ status: 'ok' });
    const ready = await s.api('/readyz', { token: null });
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', checks: { store: { ok: true }, crm: { ok: true } } });
  });

  it('/metrics is Prometheus text format with the run, record, request and stage metrics', async () => {
    const r = await s.api('/metrics', { token: null });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusTextFormat(String(r.body));
    const byName = new Map(families.map((f) => [f.name, f]));
    const sum = (name: string, filter: (labels: Record<string, string>) => boolean = () => true) =>
      (byName.get(name)?.metrics ?? []).filter((m) => filter(m.labels ?? {})).reduce((a, m) => a + Number(m.value ?? 0), 0);
    expect(byName.get('lifecycle_sync_run_duration_seconds')?.type).toBe('HISTOGRAM');
    expect(sum('lifecycle_sync_runs_total', (l) => l.kind === 'dry_run' && l.status === 'succeeded')).toBe(1);
    expect(sum('lifecycle_sync_runs_total', (l) => l.kind === 'sync' && l.status === 'succeeded')).toBe(1);
    expect(sum('lifecycle_sync_records_written_total')).toBe(300); // the sync and its rollback
    expect(sum('lifecycle_sync_records_failed_total')).toBe(0);
    expect(sum('lifecycle_sync_api_requests_total')).toBeGreaterThan(0);
    expect(byName.has('lifecycle_sync_api_rate_limited_total')).toBe(true);
    expect(byName.has('lifecycle_sync_api_quota_remaining')).toBe(true);
    // Read from the store when scraped: right wherever the runs ran (this server, a worker, the CLI).
    expect(byName.get('lifecycle_sync_last_success_timestamp_seconds')?.metrics.map((m) => m.labels?.installation)).toEqual(['hubspot']);
    expect(sum('lifecycle_sync_installations', (l) => l.status === 'active')).toBe(1);
    expect(sum('lifecycle_sync_installations_health', (l) => l.health === 'ok')).toBe(1);
    expect(sum('lifecycle_sync_customers')).toBe(150);
    expect(byName.get('lifecycle_sync_customers')?.metrics.map((m) => m.labels?.stage).sort()).toEqual(
      ['advocacy', 'at_risk', 'awareness', 'churned', 'consideration', 'loyalty', 'purchase', 'retention'],
    );
  });

  it('serves the page with a strict Content-Security-Policy and no inline script', async () => {
    const page = await s.api('/', { token: null });
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(String(page.body)).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect((await s.api('/vendor/chart.umd.min.js', { token: null })).status).toBe(200);
  });
});
