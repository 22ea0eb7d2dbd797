/**
 * The main job end to end on Salesforce: jsforce over HTTP against the sandbox, the real engine and
 * store. The same scenarios as on HubSpot, checked the way an admin would check their org.
 */
import { allAudit } from '../storeReads.ts';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONNECTED_APP, DEFAULT_USER } from '../../sandboxes/salesforce/index.ts';
import { runCli, runCliUntil } from '../cliChild.ts';
import { TEST_ENCRYPTION_KEY } from '../hubspot/harness.ts';
import { createSalesforceHarness, type SalesforceHarness } from './harness.ts';
import { harnesses, onceAfterFirstPage } from '../syncHooks.ts';
import { FIELD_KEYS } from '../../connectors/contract/index.ts';

const { open: harness, closeAll } = harnesses(createSalesforceHarness);
afterEach(closeAll);

const DAY_MS = 86_400_000;
const AS_OF = '2026-11-01';
const AS_OF_DAY = Math.floor(Date.parse(AS_OF) / DAY_MS);
const COLLECTIONS = 'PATCH /services/data/{version}/composite/sobjects';

/** A contact's won opportunities (through its contact roles) and their total, straight from the sandbox. */
function won(h: SalesforceHarness, contactId: string): { count: number; total: number } {
  let total = 0;
  let count = 0;
  for (const oppId of h.sandbox.data.opportunityIdsOf(contactId)) {
    const opp = h.sandbox.data.get('Opportunity', oppId) ?? {};
    if (opp.IsWon === true) {
      count++;
      total += Number(opp.Amount);
    }
  }
  return { count, total };
}

describe('Salesforce sync against the sandbox', () => {
  it('setup creates the fields and a permission set for the user; every contact gets a stage, customers their LTV (sum of won opportunities) and a churn risk', async () => {
    const h = await harness({ contacts: 300 });
    const run = await h.sync();
    expect(run).toMatchObject({ status: 'succeeded', mode: 'full', failed: 0 });
    expect(run.fields?.created.map((f) => f.name)).toContain('LCS_Stage__c');
    expect(run.fields?.other.join('; ')).toMatch(/create permission set Lifecycle_Sync.*assign Lifecycle_Sync to the integration user/);
    expect(h.sandbox.data.field('Contact', 'LCS_Stage__c')?.picklistValues).toEqual(['awareness', 'consideration', 'purchase', 'retention', 'loyalty', 'advocacy', 'at_risk', 'churned']);

    const values = h.crmValues();
    expect(run.written).toBe(values.size);
    let customers = 0;
    for (const [id, v] of values) {
      expect(v.LCS_Stage__c, `contact ${id}`).toMatch(/^(awareness|consideration|purchase|retention|loyalty|advocacy|at_risk|churned)$/);
      expect(v.LCS_Stage_Reason__c).toBeTruthy();
      const deals = won(h, id);
      expect(Number(v.LCS_LTV__c), `LTV of contact ${id}`).toBe(Math.round(deals.total));
      if (deals.count > 0) {
        customers++;
        expect(Number(v.LCS_Churn_Risk__c)).toBeGreaterThanOrEqual(0);
        expect(Number(v.LCS_Churn_Risk__c)).toBeLessThanOrEqual(100);
        expect(v.LCS_Churn_Risk_Band__c).toMatch(/^(low|medium|high)$/);
      }
    }
    expect(customers).toBeGreaterThan(100);
    // Full batches: one Collections update per 200 contacts, rounded up.
    expect(h.sandbox.stats.byRoute[COLLECTIONS]).toBe(Math.ceil(values.size / 200) + 0);
  });

  it('a second sync writes nothing; a changed opportunity makes the next one write only its contact', async () => {
    const h = await harness({ contacts: 250 });
    await h.sync();
    const before = h.crmValues();
    h.sandbox.stats.reset();
    const second = await h.sync();
    expect(second).toMatchObject({ status: 'succeeded', mode: 'incremental', changed: 0, written: 0 });
    expect(h.sandbox.stats.byRoute[COLLECTIONS]).toBeUndefined();

    const contactId = h.sandbox.data.ids('Contact').find((id) => won(h, id).count >= 2) ?? '';
    const oppId = h.sandbox.data.opportunityIdsOf(contactId).find((o) => h.sandbox.data.get('Opportunity', o)?.IsWon === true) ?? '';
    h.sandbox.data.update('Opportunity', oppId, { Amount: Number(h.sandbox.data.get('Opportunity', oppId)?.Amount) + 500 });
    const third = await h.sync();
    expect(third).toMatchObject({ status: 'succeeded', mode: 'incremental', written: 1, failed: 0 });
    const after = h.crmValues();
    expect(Number(after.get(contactId)?.LCS_LTV__c)).toBe(Math.round(won(h, contactId).total));
    for (const [id, v] of after) if (id !== contactId) expect(v, `contact ${id}`).toEqual(before.get(id));
  });

  it('implausible won opportunities (issue 8): a placeholder close date and an absurd amount are reported and skipped; a refund is netted', async () => {
    const h = await harness({ contacts: 80 });
    const wonOpps = h.sandbox.data.ids('Opportunity').filter((o) => h.sandbox.data.get('Opportunity', o)?.IsWon === true);
    const [placeholder, huge, refund] = wonOpps;
    h.sandbox.data.update('Opportunity', placeholder, { CloseDate: '9999-12-31' });
    // Salesforce's currency fields hold 16 digits, so 1e308 cannot be there; 5e12 can.
    h.sandbox.data.update('Opportunity', huge, { Amount: 5e12 });
    h.sandbox.data.update('Opportunity', refund, { Amount: -30 });
    const run = await h.sync();
    expect(run).toMatchObject({ status: 'succeeded', failed: 0, skippedRecords: 2 });
    const errors = await h.store.listRunErrors(run.runId);
    expect(errors.map((e) => [e.recordId, e.phase, e.message])).toEqual([
      [placeholder, 'classify', expect.stringMatching(/^won deal \w+: close date 9999-12-31 is in the future/) as unknown],
      [huge, 'classify', `won deal ${huge}: amount 5000000000000 is beyond classifier.input.maxAmount (1000000000)`],
    ]);
    const skipped = new Set([placeholder, huge]);
    for (const [id, v] of h.crmValues()) {
      let total = 0;
      for (const o of h.sandbox.data.opportunityIdsOf(id)) {
        const opp = h.sandbox.data.get('Opportunity', o);
        if (opp?.IsWon === true && !skipped.has(o)) total += Number(opp.Amount);
      }
      expect(Number(v.LCS_LTV__c), `LTV of contact ${id}`).toBe(Math.max(0, Math.round(total)));
    }
  });

  it('a dry run writes nothing and creates neither fields nor the permission set, but reports the plan', async () => {
    const h = await harness({ contacts: 120 });
    const run = await h.sync({ dryRun: true });
    expect(run).toMatchObject({ kind: 'dry_run', status: 'succeeded', written: 0 });
    expect(run.fields?.created).toHaveLength(FIELD_KEYS.length);
    expect(h.sandbox.data.field('Contact', 'LCS_Stage__c')).toBeUndefined();
    expect(h.sandbox.data.ids('PermissionSet').some((id) => h.sandbox.data.get('PermissionSet', id)?.Name === 'Lifecycle_Sync')).toBe(false);
    expect(h.sandbox.stats.byRoute[COLLECTIONS]).toBeUndefined();
  });

  it('rollback restores the previous values, except where the org no longer holds what the run wrote', async () => {
    const h = await harness({ contacts: 120 });
    const today = Math.floor(Date.now() / DAY_MS);
    await h.sync({ asOfDay: today - 30 });
    const before = h.crmValues();
    const run = await h.sync({ asOfDay: today, full: true });
    expect(run.written).toBeGreaterThan(0);
    const touched = (await allAudit(h.store, run.runId)).find((e) => e.field === 'stage')?.recordId ?? '';
    h.sandbox.data.update('Contact', touched, { LCS_Stage__c: 'advocacy' });
    const rollback = await h.rollback(run.runId);
    expect(rollback).toMatchObject({ kind: 'rollback', status: 'succeeded', failed: 0 });
    for (const [id, v] of h.crmValues()) {
      if (id === touched) expect(v.LCS_Stage__c).toBe('advocacy');
      else expect(v, `contact ${id}`).toEqual(before.get(id));
    }
  });

  it('injected 503s, dropped connections and locked rows: every record written, the same end state as a clean run', async () => {
    const h = await harness({ contacts: 300, sandbox: { faults: { rate5xx: 0.08, rateDrop: 0.05, rateLockRow: 0.1, seed: 3 } } });
    const run = await h.sync({ asOfDay: AS_OF_DAY });
    expect(run, run.message ?? '').toMatchObject({ status: 'succeeded', written: 300, failed: 0 });
    const injected = h.sandbox.stats.injected;
    expect(injected['500'] + injected['503'] + injected.drop).toBeGreaterThan(2);
    expect(injected.lockRow).toBeGreaterThan(5);
    const clean = await harness({ contacts: 300 });
    await clean.sync({ asOfDay: AS_OF_DAY });
    expect(h.crmValues()).toEqual(clean.crmValues());
  });

  it('an OAuth session that expires mid-run is refreshed and the run continues; the new session is stored encrypted', async () => {
    const h = await harness({ contacts: 60 });
    const exchange = await fetch(`${h.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: DEFAULT_CONNECTED_APP.clientId,
        client_secret: DEFAULT_CONNECTED_APP.clientSecret,
        redirect_uri: DEFAULT_CONNECTED_APP.redirectUri,
        code: h.sandbox.issueAuthorizationCode(),
      }),
    });
    expect(exchange.status).toBe(200);
    const { refresh_token: refreshToken } = (await exchange.json()) as { refresh_token: string };
    h.env = {
      SALESFORCE_LOGIN_URL: h.url,
      LIFECYCLE_SYNC_DB: h.dbPath,
      SALESFORCE_CLIENT_ID: DEFAULT_CONNECTED_APP.clientId,
      SALESFORCE_CLIENT_SECRET: DEFAULT_CONNECTED_APP.clientSecret,
      SALESFORCE_REFRESH_TOKEN: refreshToken,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    };
    const expiry = onceAfterFirstPage(() => h.sandbox.expireAccessTokens());
    const run = await h.sync({ onProgress: expiry.onProgress });
    expect(expiry.fired()).toBe(true);
    expect(run).toMatchObject({ status: 'succeeded', written: 60, failed: 0 });
    expect(await h.store.loadCredentials('salesforce')).toMatchObject({ kind: 'oauth', refreshToken, extra: { instanceUrl: h.url } });
  });

  it('server to server with the JWT bearer flow: logs in with a signed assertion, and again when the session expires mid-run', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const app = { clientId: 'jwt-consumer-key', clientSecret: 'unused-secret-0123456789', redirectUri: 'https://example.invalid/callback', publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
    const h = await harness({ contacts: 60, sandbox: { connectedApps: [app] } });
    const keyFile = join(h.dir, 'server.key');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    h.env = { SALESFORCE_LOGIN_URL: h.url, LIFECYCLE_SYNC_DB: h.dbPath, SALESFORCE_CLIENT_ID: app.clientId, SALESFORCE_USERNAME: DEFAULT_USER.username, SALESFORCE_PRIVATE_KEY_FILE: keyFile, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY };
    const expiry = onceAfterFirstPage(() => h.sandbox.expireAccessTokens());
    const run = await h.sync({ onProgress: expiry.onProgress });
    expect(expiry.fired()).toBe(true);
    expect(run, run.message ?? '').toMatchObject({ status: 'succeeded', written: 60, failed: 0 });
    expect(h.sandbox.stats.byKind['oauth.token']).toBe(2);
    expect(await h.store.loadCredentials('salesforce')).toMatchObject({ kind: 'jwt', extra: { instanceUrl: h.url } });
    // A wrong key: a one-line refusal naming what to check, and a failed run.
    const { privateKey: other } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(keyFile, other.export({ type: 'pkcs8', format: 'pem' }).toString());
    await h.store.saveCredentials('salesforce', { kind: 'jwt' });
    const refused = await h.sync();
    expect(refused.status).toBe('failed');
    expect(refused.message).toMatch(/Salesforce refused the JWT login of integration@lifecycle-sync\.example: check the connected app's certificate/);
  });

  it('a process killed at random points resumes to the same final state as a clean run', async () => {
    const contacts = 500;
    const reference = await harness({ contacts });
    expect((await reference.sync({ asOfDay: AS_OF_DAY })).status).toBe('succeeded');
    const total = reference.sandbox.stats.requests;
    const writes = reference.sandbox.stats.byRoute[COLLECTIONS] ?? 0;
    const expected = reference.crmValues();
    const pick = (n: number) => 1 + Math.floor(Math.random() * Math.max(1, n - 1));
    const plans = [
      { label: 'writing', key: COLLECTIONS, at: pick(writes) },
      { label: 'writing', key: COLLECTIONS, at: pick(writes) },
      { label: 'anywhere', key: null, at: pick(total) },
    ];
    const outcomes: string[] = [];
    for (const plan of plans) {
      const h = await harness({ contacts, sandbox: { faults: { latencyMs: [1, 4] } } });
      const args = ['sync', '--as-of', AS_OF];
      const killed = await runCliUntil(h, args, () => (plan.key === null ? h.sandbox.stats.requests : (h.sandbox.stats.byRoute[plan.key] ?? 0)) >= plan.at);
      const written = [...h.crmValues().values()].filter((v) => v.LCS_Stage__c !== null).length;
      outcomes.push(`${plan.label} (at ${plan.at}): ${killed ? `killed with ${written} of ${contacts} written` : 'finished first'}`);
      const final = await runCli(h, [...args, '--json']);
      expect(final.code, final.stderr).toBe(0);
      expect(h.crmValues(), outcomes.at(-1)).toEqual(expected);
    }
    console.log(`kill trials:\n  ${outcomes.join('\n  ')}`);
  }, 180_000);
});
