/**
 * The Salesforce connector's deal side against the sandbox over real HTTP: the Opportunity custom fields
 * set up through the engine's field policy (Metadata API, the permission set; created once; mapped MEDDIC
 * inputs never created), Opportunities pulled with their MEDDIC levels and features, and Collections
 * writes that change only the plugin's fields, leave closed deals alone when asked and report each record.
 */
import { Connection } from 'jsforce';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEAL_CLOSED, DEAL_FIELD_KEYS, type DealConnector, type PulledDealRecord, RECORD_NOT_FOUND } from '../../connectors/contract/index.ts';
import { accessTokenAuth } from '../../connectors/salesforce/auth.ts';
import { SalesforceConnector } from '../../connectors/salesforce/connector.ts';
import { dealFieldApiNames, salesforceSettingsSchema, type SalesforceSettings } from '../../connectors/salesforce/settings.ts';
import { DEFAULT_ACCESS_TOKEN } from '../../sandboxes/salesforce/index.ts';
import { createLogger } from '../../src/log.ts';
import { dealFieldSpecs } from '../../src/sync/dealFields.ts';
import { ensureFields } from '../../src/sync/fieldPolicy.ts';
import { fieldSpecs } from '../../src/sync/fields.ts';
import { createSalesforceHarness, type SalesforceHarness } from './harness.ts';

let h: SalesforceHarness;
beforeEach(async () => {
  h = await createSalesforceHarness({ contacts: 6 });
});
afterEach(async () => h.close());

function settings(extra: Partial<SalesforceSettings> = {}): SalesforceSettings {
  return { ...salesforceSettingsSchema.parse(h.config.connectors.salesforce), instanceUrl: h.url, loginUrl: h.url, ...extra };
}

function deals(s: SalesforceSettings = settings()): DealConnector {
  const connector = new SalesforceConnector({
    settings: s,
    fields: fieldSpecs(h.config.classifier, h.config.sync),
    dealFields: dealFieldSpecs(),
    auth: accessTokenAuth({ accessToken: DEFAULT_ACCESS_TOKEN, instanceUrl: h.url }),
    log: createLogger({ level: 'warn' }),
    retry: { maxAttempts: 3, baseDelayMs: 5, rateLimitDelayMs: 5, maxDelayMs: 20 },
  });
  if (!connector.deals) throw new Error('no deals');
  return connector.deals;
}

const metadata = () => new Connection({ instanceUrl: h.url, loginUrl: h.url, accessToken: DEFAULT_ACCESS_TOKEN, version: settings().apiVersion }).metadata;

/** A picklist the team made on Opportunity themselves (no ownership mark). */
async function teamPicklist(name: string, values: string[]): Promise<void> {
  const value = values.map((v) => ({ fullName: v, label: v, default: false }));
  const [r] = [await metadata().create('CustomField', { fullName: `Opportunity.${name}`, label: name.replace(/__c$/, ''), type: 'Picklist', description: 'Ours', valueSet: { restricted: true, valueSetDefinition: { value } } })].flat();
  expect(r?.success).toBe(true);
}

async function pullAll(d: DealConnector): Promise<{ deals: PulledDealRecord[]; problems: string[] }> {
  const out: PulledDealRecord[] = [];
  const problems: string[] = [];
  for await (const page of d.pull({ fields: [...DEAL_FIELD_KEYS], resume: null })) {
    out.push(...page.deals);
    problems.push(...page.problems.map((p) => `${p.recordId}: ${p.reason}`));
  }
  return { deals: out, problems };
}

describe('Salesforce Opportunity fields', () => {
  it('setup creates the eleven Opportunity fields and grants them in the permission set; a second setup changes nothing', async () => {
    const names = dealFieldApiNames(settings());
    const first = await ensureFields(deals(), dealFieldSpecs(), { dryRun: false });
    expect(first.report.created.map((c) => c.key).sort()).toEqual([...DEAL_FIELD_KEYS].sort());
    const fields = new Map(h.sandbox.data.fields('Opportunity').map((f) => [f.name, f]));
    for (const key of DEAL_FIELD_KEYS) expect(fields.has(names[key]), key).toBe(true);
    expect(h.sandbox.data.fields('Contact').some((f) => f.name.startsWith('LCS_MEDDIC'))).toBe(false);
    const read = (await metadata().read('CustomField', `Opportunity.${names.biggestGap}`)) as unknown as { type: string; description: string };
    expect(read.type).toBe('Picklist');
    expect(read.description.startsWith('Managed by Lifecycle Sync.')).toBe(true);
    // The integration user's permission set grants read and edit on each of them.
    const grants = h.sandbox.data.ids('FieldPermissions').map((id) => h.sandbox.data.get('FieldPermissions', id) ?? {}).filter((g) => g.SobjectType === 'Opportunity');
    for (const key of DEAL_FIELD_KEYS) expect(grants.some((g) => g.Field === `Opportunity.${names[key]}` && g.PermissionsRead === true && g.PermissionsEdit === true), key).toBe(true);

    const second = await ensureFields(deals(), dealFieldSpecs(), { dryRun: false });
    expect(second.report.created).toEqual([]);
    expect(second.report.updated).toEqual([]);
    expect(second.report.other).toEqual([]);
    expect(second.report.ok).toHaveLength(DEAL_FIELD_KEYS.length);
  });

  it('a mapped MEDDIC input is read but never created or redefined; one lacking a level is a conflict', async () => {
    await teamPicklist('Champion__c', ['unknown', 'identified', 'confirmed']);
    const s = settings({ dealFieldNames: { meddicChampion: 'Champion__c' } });
    const outcome = await ensureFields(deals(s), dealFieldSpecs(), { dryRun: false });
    expect(outcome.report.ok).toContainEqual({ key: 'meddicChampion', name: 'Champion__c' });
    expect(outcome.report.created.map((c) => c.key)).not.toContain('meddicChampion');
    expect(h.sandbox.data.field('Opportunity', 'LCS_MEDDIC_Champion__c')).toBeUndefined();
    const read = (await metadata().read('CustomField', 'Opportunity.Champion__c')) as unknown as { description: string; label: string };
    expect(read.description).toBe('Ours');
    expect(read.label).toBe('Champion');

    await teamPicklist('Pain__c', ['unknown', 'identified']);
    await expect(ensureFields(deals(settings({ dealFieldNames: { meddicIdentifyPain: 'Pain__c' } })), dealFieldSpecs(), { dryRun: false })).rejects.toThrow(/Pain__c \(mapped for meddicIdentifyPain\) lacks the options confirmed/);
  });
});

describe('Salesforce Opportunities pulled and written', () => {
  async function seeded() {
    await teamPicklist('Champion__c', ['unknown', 'identified', 'confirmed', 'maybe']);
    const s = settings({ dealFieldNames: { meddicChampion: 'Champion__c' } });
    const d = deals(s);
    await ensureFields(d, dealFieldSpecs(), { dryRun: false });
    const n = dealFieldApiNames(s);
    const [a, b] = h.sandbox.data.ids('Contact');
    const accountId = h.sandbox.data.createAccount({ Name: 'Deals Inc' });
    const open = h.sandbox.data.createOpportunity(
      {
        Name: 'open', Amount: 1200, StageName: 'Qualification', CloseDate: '2027-01-15', AccountId: accountId, LastActivityDate: '2026-11-20',
        [n.meddicMetrics]: 'confirmed', [n.meddicEconomicBuyer]: 'identified', [n.meddicDecisionCriteria]: 'unknown', Champion__c: 'confirmed',
      },
      [a, b],
    );
    const closed = h.sandbox.data.createOpportunity({ Name: 'closed', Amount: 500, StageName: 'Closed Lost', CloseDate: '2026-10-01', AccountId: accountId, Champion__c: 'maybe' }, [a]);
    return { d, n, open, closed };
  }

  it('pulled Opportunities carry the MEDDIC levels (mapped ones read from the team field) and the features', async () => {
    const { d, open, closed } = await seeded();
    const { deals: pulled, problems } = await pullAll(d);
    const o = pulled.find((x) => x.recordId === open);
    const rec = h.sandbox.data.get('Opportunity', open) ?? {};
    expect(o?.status).toBe('open');
    expect(o?.meddic).toEqual({ metrics: 'confirmed', economicBuyer: 'identified', decisionCriteria: 'unknown', decisionProcess: null, identifyPain: null, champion: 'confirmed' });
    expect(o?.features.amount).toBe(1200);
    expect(o?.features.contactCount).toBe(2);
    expect(o?.features.ownerId).toBe(rec.OwnerId);
    expect(o?.features.lastActivityAt).toBe(Date.parse('2026-11-20T00:00:00Z'));
    expect(o?.features.createdAt).toBe(new Date(rec.CreatedDate as string | number).getTime());
    expect(o?.features.stageEnteredAt).toBe(o?.features.createdAt);
    expect(o?.fieldValues).toEqual({ meddicScore: null, winProbability: null, biggestGap: null, dealNextAction: null, dealScoredAt: null });

    await new Promise((r) => setTimeout(r, 5));
    h.sandbox.data.update('Opportunity', open, { StageName: 'Negotiation/Review' });
    const moved = (await pullAll(d)).deals.find((x) => x.recordId === open);
    expect(moved?.features.stageEnteredAt).toBeGreaterThan(o?.features.createdAt ?? Infinity);

    const c = pulled.find((x) => x.recordId === closed);
    expect(c?.status).toBe('lost');
    expect(c?.features.contactCount).toBe(1);
    expect(c?.meddic.champion).toBeNull();
    expect(problems.some((p) => p.startsWith(`${closed}:`) && p.includes('Champion__c') && p.includes('"maybe"'))).toBe(true);
  });

  it('a deal write changes only the plugin fields, leaves closed Opportunities alone when asked, and reports each record', async () => {
    const { d, n, open, closed } = await seeded();
    const second = h.sandbox.data.createOpportunity({ Name: 'second', Amount: 90, StageName: 'Prospecting', CloseDate: '2027-02-01' });
    const gone = h.sandbox.data.createOpportunity({ Name: 'gone', StageName: 'Prospecting', CloseDate: '2027-02-01' });
    h.sandbox.data.delete('Opportunity', gone);
    const before = { ...h.sandbox.data.get('Opportunity', open) };
    const closedBefore = { ...h.sandbox.data.get('Opportunity', closed) };
    const values = { meddicScore: '58', winProbability: '41', biggestGap: 'decisionProcess', dealNextAction: 'Map the decision process with the champion', dealScoredAt: '2026-12-04T05:00:00.000Z' };
    const results = await d.write(
      [
        { recordId: open, values },
        { recordId: closed, values },
        { recordId: second, values: { ...values, biggestGap: 'notAnElement' } },
        { recordId: gone, values },
      ],
      { skipClosed: true },
    );
    const by = new Map(results.map((r) => [r.recordId, r]));
    expect(by.get(open)?.ok).toBe(true);
    expect(by.get(closed)).toMatchObject({ ok: false, code: DEAL_CLOSED });
    expect(by.get(second)).toMatchObject({ ok: false, code: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST' });
    expect(by.get(gone)).toMatchObject({ ok: false, code: RECORD_NOT_FOUND });

    const after = h.sandbox.data.get('Opportunity', open) ?? {};
    const changed = Object.keys({ ...before, ...after }).filter((k) => before[k] !== after[k]).sort();
    expect(changed).toEqual([n.biggestGap, n.dealNextAction, n.dealScoredAt, n.meddicScore, n.winProbability, 'LastModifiedDate', 'SystemModstamp'].sort());
    expect(h.sandbox.data.get('Opportunity', closed)).toEqual(closedBefore);
    expect(h.sandbox.data.get('Opportunity', second)?.[n.meddicScore] ?? null).toBeNull();
    expect((await d.readFieldValues([open])).get(open)).toEqual(values);

    const unguarded = await d.write([{ recordId: closed, values }], { skipClosed: false });
    expect(unguarded[0]?.ok).toBe(true);
    await expect(d.write([{ recordId: open, values: { meddicChampion: 'confirmed' } as never }], { skipClosed: false })).rejects.toThrow(/never writes/);
  });
});
