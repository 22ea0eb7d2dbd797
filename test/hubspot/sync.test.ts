/**
 * The main job end to end on HubSpot: the real SDK over HTTP against the sandbox, the real engine and
 * store. What an admin would check in their CRM after each step.
 */
import { allAudit, allPlan } from '../storeReads.ts';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnCli } from '../cliChild.ts';
import { createHarness, type Harness } from './harness.ts';
import { FIELD_KEYS } from '../../connectors/contract/index.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const DAY_MS = 86_400_000;

/** A contact's closed-won deals and their total amount, straight from the sandbox. */
function won(harness: Harness, contactId: string): { count: number; total: number } {
  let total = 0;
  let count = 0;
  for (const dealId of harness.sandbox.data.dealIdsOf(contactId)) {
    const deal = harness.sandbox.data.getDeal(dealId)?.properties ?? {};
    if (deal.dealstage === 'closedwon') {
      count++;
      total += Number(deal.amount);
    }
  }
  return { count, total };
}

function wonTotal(harness: Harness, contactId: string): number {
  return won(harness, contactId).total;
}

describe('HubSpot sync against the sandbox', () => {
  it('setup then sync: every contact gets a stage, customers their LTV (sum of won deals) and a churn risk', async () => {
    h = await createHarness({ dataset: 'demo' });
    const run = await h.sync();
    expect(run.status).toBe('succeeded');
    expect(run.mode).toBe('full');
    expect(run.fields?.created.map((f) => f.name)).toContain('lcs_stage');
    const stage = h.sandbox.data.getProperty('contacts', 'lcs_stage');
    expect(stage?.groupName).toBe('lifecycle_sync');
    expect(stage?.options?.map((o) => o.value)).toEqual(['awareness', 'consideration', 'purchase', 'retention', 'loyalty', 'advocacy', 'at_risk', 'churned']);

    const values = h.crmValues();
    expect(values.size).toBe(run.pulled.customers);
    expect(run.written).toBe(values.size);
    expect(run.failed).toBe(0);
    let customers = 0;
    for (const [id, v] of values) {
      expect(v.lcs_stage, `contact ${id}`).toMatch(/^(awareness|consideration|purchase|retention|loyalty|advocacy|at_risk|churned)$/);
      expect(v.lcs_stage_reason).toBeTruthy();
      expect(v.lcs_scored_at).toBeTruthy();
      const deals = won(h, id);
      expect(Number(v.lcs_ltv), `LTV of contact ${id}`).toBe(Math.round(deals.total));
      if (deals.count > 0) {
        customers++;
        const risk = Number(v.lcs_churn_risk);
        expect(risk).toBeGreaterThanOrEqual(0);
        expect(risk).toBeLessThanOrEqual(100);
        expect(v.lcs_churn_risk_band).toMatch(/^(low|medium|high)$/);
        expect(v.lcs_value_tier).toBeTruthy();
      }
    }
    expect(customers).toBe(2357); // every CDNOW customer
    // Full batches: one update call per 100 contacts, rounded up.
    expect(h.sandbox.stats.byRoute['POST /crm/objects/2026-09/contacts/batch/update']).toBe(Math.ceil(values.size / 100));
  });

  it('a second sync writes nothing; a changed deal makes the next one write only its contact', async () => {
    h = await createHarness({ dataset: { contacts: 300 } });
    const first = await h.sync();
    expect(first.written).toBe(300);
    const before = h.crmValues();

    h.sandbox.stats.reset();
    const second = await h.sync();
    expect(second).toMatchObject({ status: 'succeeded', mode: 'incremental', changed: 0, written: 0 });
    expect(h.sandbox.stats.byRoute['POST /crm/objects/2026-09/contacts/batch/update']).toBeUndefined();
    expect(h.crmValues()).toEqual(before);

    // A customer's won deal grows by 500: their LTV (and CLV) must follow, nobody else's.
    const contactId = h.sandbox.data.contactIds().find((id) => h!.sandbox.data.dealIdsOf(id).length >= 2) ?? '';
    const dealId = h.sandbox.data.dealIdsOf(contactId)[0];
    const amount = Number(h.sandbox.data.getDeal(dealId)?.properties.amount);
    h.sandbox.data.updateDeal(dealId, { amount: (amount + 500).toFixed(2) });
    h.sandbox.stats.reset();
    const third = await h.sync();
    expect(third).toMatchObject({ status: 'succeeded', mode: 'incremental', written: 1, failed: 0 });
    expect(h.sandbox.stats.batchUpdateInputs).toBe(1);
    const after = h.crmValues();
    expect(Number(after.get(contactId)?.lcs_ltv)).toBe(Math.round(wonTotal(h, contactId)));
    for (const [id, v] of after) if (id !== contactId) expect(v, `contact ${id}`).toEqual(before.get(id));
  });

  it('a dry run writes nothing and creates no fields, but reports what it would change', async () => {
    h = await createHarness({ dataset: { contacts: 200 } });
    const run = await h.sync({ dryRun: true });
    expect(run).toMatchObject({ kind: 'dry_run', status: 'succeeded', changed: 200, written: 0 });
    expect(run.fields?.created).toHaveLength(FIELD_KEYS.length);
    expect(h.sandbox.data.getProperty('contacts', 'lcs_stage')).toBeUndefined();
    expect(h.sandbox.stats.byRoute['POST /crm/objects/2026-09/contacts/batch/update']).toBeUndefined();
    expect(h.sandbox.stats.byRoute['POST /crm/v3/properties/contacts']).toBeUndefined();
    expect(Object.values(run.stageTransitions).reduce((a, b) => a + b, 0)).toBe(200);
    const plan = await allPlan(h.store, run.runId);
    expect(new Set(plan.map((p) => p.recordId)).size).toBe(200);
    expect(plan.filter((p) => p.field === 'stage').every((p) => p.previous === null && p.next !== null)).toBe(true);
  });

  it('rollback restores the previous values, except on records where the CRM no longer holds what the run wrote', async () => {
    h = await createHarness({ dataset: { contacts: 150 } });
    const asOfDay = Math.floor(Date.now() / DAY_MS);
    await h.sync({ asOfDay: asOfDay - 30 });
    const before = h.crmValues();
    const run = await h.sync({ asOfDay, full: true });
    expect(run.written).toBeGreaterThan(0);
    // Someone edits by hand the stage of a contact whose stage the run changed.
    const touched = (await allAudit(h.store, run.runId)).find((e) => e.field === 'stage')?.recordId ?? '';
    expect(touched).not.toBe('');
    h.sandbox.data.updateContact(touched, { lcs_stage: 'advocacy' });
    const edited = h.crmValues().get(touched);

    const rollback = await h.rollback(run.runId);
    expect(rollback).toMatchObject({ kind: 'rollback', status: 'succeeded', failed: 0 });
    expect(rollback.message).toMatch(/left alone/);
    const after = h.crmValues();
    for (const [id, v] of after) {
      if (id === touched) {
        // A record's fields are one statement: the whole record is left as the person left it.
        expect(v).toEqual(edited);
      } else {
        expect(v, `contact ${id}`).toEqual(before.get(id));
      }
    }
  });

  it('scores as of a past date: the scoring time is that day', async () => {
    h = await createHarness({ dataset: { contacts: 100 } });
    const run = await h.sync({ asOfDay: Math.floor(Date.UTC(2026, 5, 30) / DAY_MS) });
    expect(run.asOf).toBe('2026-06-30');
    for (const v of h.crmValues().values()) expect(Date.parse(v.lcs_scored_at ?? '')).toBe(Date.UTC(2026, 5, 30));
  });

  it('bad CRM records are reported with their id and reason and skipped; the run succeeds', async () => {
    h = await createHarness({ dataset: { contacts: 80 } });
    const [a, b] = h.sandbox.data.contactIds();
    const noAmount = h.sandbox.data.createDeal({ dealname: 'no amount', pipeline: 'default', dealstage: 'closedwon', closedate: '2026-10-01T12:00:00Z' }, [a]);
    const farFuture = h.sandbox.data.createDeal({ dealname: 'far future', amount: '100', pipeline: 'default', dealstage: 'closedwon', closedate: '2999-01-01T12:00:00Z' }, [b]);
    const run = await h.sync();
    expect(run).toMatchObject({ status: 'succeeded', written: 80, failed: 0, skippedRecords: 2 });
    const errors = await h.store.listRunErrors(run.runId);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ recordId: noAmount, phase: 'pull', code: 'BAD_RECORD', message: `HubSpot deal ${noAmount}: won deal without an amount` }),
        expect.objectContaining({ recordId: farFuture, phase: 'classify', code: 'BAD_RECORD', message: expect.stringMatching(/^won deal \d+: close date 2999-01-01 is in the future/) as unknown }),
      ]),
    );
    // The far-future deal is not a purchase: contact b's LTV is its other won deals.
    expect(Number(h.crmValues().get(b)?.lcs_ltv)).toBe(Math.round(wonTotal(h, b) - 100));
  });

  it('implausible won deals (issue 8): a placeholder close date, one before 1900, an amount of 1e308 are reported and skipped; a refund is netted; only finite values written', async () => {
    h = await createHarness({ dataset: { contacts: 60 } });
    const harness = h;
    const ids = h.sandbox.data.contactIds();
    const withPurchase = ids.filter((id) => won(harness, id).count > 0);
    const [a, b, c, d] = withPurchase;
    const before = new Map([a, b, c, d].map((id) => [id, wonTotal(harness, id)]));
    const deal = (contact: string, amount: string, closedate: string) =>
      harness.sandbox.data.createDeal({ dealname: 'test', amount, pipeline: 'default', dealstage: 'closedwon', closedate }, [contact]);
    const placeholder = deal(a, '100', '9999-12-31T00:00:00Z');
    const ancient = deal(b, '100', '1899-12-31T00:00:00Z');
    const huge = deal(c, `1${'0'.repeat(308)}`, '2026-01-15T12:00:00Z');
    const refund = deal(d, '-30', '2026-02-01T12:00:00Z');
    const run = await h.sync();
    expect(run).toMatchObject({ status: 'succeeded', written: 60, failed: 0, skippedRecords: 3 });
    const errors = await h.store.listRunErrors(run.runId);
    expect(errors.map((e) => [e.recordId, e.phase, e.code])).toEqual(
      expect.arrayContaining([
        [placeholder, 'classify', 'BAD_RECORD'],
        [ancient, 'classify', 'BAD_RECORD'],
        [huge, 'classify', 'BAD_RECORD'],
      ]),
    );
    expect(errors.find((e) => e.recordId === huge)?.message).toBe(`won deal ${huge}: amount 1e308 is beyond classifier.input.maxAmount (1000000000)`);
    expect(errors.find((e) => e.recordId === ancient)?.message).toBe(`won deal ${ancient}: close date 1899-12-31 is before classifier.input.earliestDate (1900-01-01)`);
    expect(errors.some((e) => e.recordId === refund)).toBe(false);
    const values = h.crmValues();
    for (const id of [a, b, c]) expect(Number(values.get(id)?.lcs_ltv)).toBe(Math.round(before.get(id) ?? NaN));
    // The refund is netted against d's purchases, never below 0.
    expect(Number(values.get(d)?.lcs_ltv)).toBe(Math.max(0, Math.round((before.get(d) ?? NaN) - 30)));
    for (const v of values.values()) for (const key of ['lcs_ltv', 'lcs_predicted_clv', 'lcs_churn_risk']) if (v[key] !== null) expect(Number.isFinite(Number(v[key])), key).toBe(true);
  });

  it('a failed write is reported, retried first on the next run; a contact deleted meanwhile is not retried', async () => {
    h = await createHarness({ dataset: { contacts: 300 } });
    const harness = h;
    let deleted = '';
    const hubspot = (method: string, path: string, body?: unknown) =>
      fetch(`${harness.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${harness.env.HUBSPOT_ACCESS_TOKEN ?? ''}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const first = await h.sync({
      onProgress: (p) => {
        if (p.phase !== 'classify' || deleted) return;
        // Between the pull and the writes: an admin drops the "loyalty" option, and deletes a contact.
        const stage = harness.sandbox.data.getProperty('contacts', 'lcs_stage');
        void hubspot('PATCH', '/crm/v3/properties/contacts/lcs_stage', { options: (stage?.options ?? []).filter((o) => o.value !== 'loyalty').map((o, i) => ({ ...o, displayOrder: i, hidden: false })) });
        deleted = harness.sandbox.data.contactIds()[5];
        void hubspot('DELETE', `/crm/v3/objects/contacts/${deleted}`);
      },
    });
    const loyal = (await allAudit(h.store, first.runId)).filter((e) => e.field === 'stage' && e.next === 'loyalty').map((e) => e.recordId);
    expect(loyal.length).toBeGreaterThan(0);
    // The deleted contact may itself have been planned as "loyalty": it fails once either way.
    const failedIds = new Set([...loyal, deleted]);
    expect(first).toMatchObject({ status: 'succeeded', failed: failedIds.size, written: 300 - failedIds.size });
    expect(first.message).toMatch(/retried first next run/);
    const errors = (await h.store.listRunErrors(first.runId)).filter((e) => e.phase === 'write');
    const retried = loyal.filter((id) => id !== deleted);
    expect(errors.find((e) => e.recordId === retried[0])?.message).toMatch(/INVALID_OPTION: loyalty was not one of the allowed options/);
    expect(errors.find((e) => e.recordId === deleted)?.message).toMatch(/^RECORD_NOT_FOUND/);
    expect((await h.store.listRetries('hubspot')).map((r) => r.recordId).sort()).toEqual([...retried].sort());

    // Next run: setup restores the option; the failed records go first; the deleted contact is not tried.
    const second = await h.sync();
    // Besides the retried records, only value tiers may move: the deleted customer left the base the
    // tiers are cut from.
    const others = (await allAudit(h.store, second.runId)).filter((e) => !retried.includes(e.recordId));
    expect(others.every((e) => e.field === 'valueTier' || e.field === 'scoredAt')).toBe(true);
    expect(second).toMatchObject({ status: 'succeeded', failed: 0, written: retried.length + new Set(others.map((e) => e.recordId)).size });
    expect(second.fields?.updated.map((u) => u.name)).toEqual(['lcs_stage']);
    expect((await allAudit(h.store, second.runId)).some((e) => e.recordId === deleted)).toBe(false);
    for (const id of retried) expect(h.crmValues().get(id)?.lcs_stage).toBe('loyalty');
    expect(await h.store.listRetries('hubspot')).toEqual([]);
  });

  it('the daily API share stops a run cleanly with its checkpoint; the next day continues to the same end state', async () => {
    // A daily allowance of 60 requests, of which the plugin may use half: 30 are not enough for a first sync.
    h = await createHarness({ dataset: { contacts: 500 }, sandbox: { limits: { tenSecondly: 100_000, searchPerSecond: 1000, daily: 60 } } });
    const asOfDay = Math.floor(Date.now() / DAY_MS);
    const first = await h.sync({ asOfDay });
    expect(first.status).toBe('stopped');
    expect(first.message).toMatch(/share of the daily API allowance is spent \(30 of 30 requests today: 50 % of 60\)/);
    expect(first.requests).toBe(30);
    expect(await h.store.getCursor('hubspot', 'pull')).not.toBeNull();

    // The next day (HubSpot's daily counter resets at midnight UTC; so does the plugin's share): the run
    // resumes the interrupted pull where it stopped, instead of starting again.
    h.setClockOffset(DAY_MS);
    const next = await h.sync({ asOfDay, clock: () => Date.now() + DAY_MS });
    expect(next).toMatchObject({ status: 'succeeded', mode: 'full', written: 500, failed: 0 });
    expect(next.pulled.customers).toBeLessThan(500);
    const clean = await createHarness({ dataset: { contacts: 500 } });
    try {
      await clean.sync({ asOfDay });
      expect(h.crmValues()).toEqual(clean.crmValues());
    } finally {
      await clean.close();
    }
  });
});

describe('HubSpot sync against the sandbox, state in Postgres', () => {
  it('a dry run, a full sync, a second that writes nothing, a nightly that writes what moved, and its rollback', async () => {
    h = await createHarness({ dataset: { contacts: 200 }, store: 'postgres' });
    expect(h.store.kind).toBe('postgres');
    const asOfDay = Math.floor(Date.now() / DAY_MS);

    const dry = await h.sync({ dryRun: true, asOfDay: asOfDay - 30 });
    expect(dry).toMatchObject({ kind: 'dry_run', status: 'succeeded', changed: 200, written: 0 });
    expect(h.sandbox.data.getProperty('contacts', 'lcs_stage')).toBeUndefined();
    expect(new Set((await allPlan(h.store, dry.runId)).map((p) => p.recordId)).size).toBe(200);

    const full = await h.sync({ asOfDay: asOfDay - 30 });
    // Incremental: the dry run's full pull is stored, and its cursor kept.
    expect(full).toMatchObject({ status: 'succeeded', mode: 'incremental', written: 200, failed: 0 });
    const afterFull = h.crmValues();
    for (const [id, v] of afterFull) expect(v.lcs_stage, `contact ${id}`).toBeTruthy();
    // The full sync wrote exactly what the dry run planned (same day, same data).
    expect((await allAudit(h.store, full.runId)).filter((e) => e.state === 'applied').map((e) => `${e.recordId}.${e.field}=${e.next}`).sort()).toEqual(
      (await allPlan(h.store, dry.runId)).map((p) => `${p.recordId}.${p.field}=${p.next}`).sort(),
    );

    h.sandbox.stats.reset();
    const second = await h.sync({ asOfDay: asOfDay - 30 });
    expect(second).toMatchObject({ status: 'succeeded', mode: 'incremental', changed: 0, written: 0 });
    expect(h.sandbox.stats.byRoute['POST /crm/objects/2026-09/contacts/batch/update']).toBeUndefined();
    expect(h.crmValues()).toEqual(afterFull);

    const nightly = await h.sync({ asOfDay, full: true });
    expect(nightly).toMatchObject({ status: 'succeeded', failed: 0 });
    expect(nightly.written).toBeGreaterThan(0);
    expect(h.crmValues()).not.toEqual(afterFull);
    const rollback = await h.rollback(nightly.runId);
    expect(rollback).toMatchObject({ kind: 'rollback', status: 'succeeded', failed: 0, written: nightly.written });
    expect(h.crmValues()).toEqual(afterFull);
    expect((await h.store.listRuns('hubspot', 10)).map((r) => [r.kind, r.status])).toEqual([
      ['rollback', 'succeeded'],
      ['sync', 'succeeded'],
      ['sync', 'succeeded'],
      ['sync', 'succeeded'],
      ['dry_run', 'succeeded'],
    ]);
  });

  it('the CLI with DATABASE_URL keeps its state there: a sync, then `runs` lists it; no SQLite file is made', async () => {
    h = await createHarness({ dataset: { contacts: 50 }, store: 'postgres' });
    const env = { ...h.env, LIFECYCLE_SYNC_CONFIG: h.configPath, LOG_LEVEL: 'warn' };
    const sync = await spawnCli(['sync', '--json'], env, h.dir);
    expect(sync.code, sync.stderr).toBe(0);
    const summary = JSON.parse(sync.stdout) as { runId: string; written: number };
    expect(summary.written).toBe(50);
    expect(await h.store.getRun(summary.runId)).toMatchObject({ status: 'succeeded', stats: { written: 50 } });
    const runs = await spawnCli(['runs', '--json'], env, h.dir);
    expect((JSON.parse(runs.stdout) as { id: string }[]).map((r) => r.id)).toEqual([summary.runId]);
    expect(existsSync(h.dbPath)).toBe(false);
  });
});
