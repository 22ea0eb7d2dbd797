/**
 * The HubSpot connector's deal side against the sandbox over real HTTP: the deal properties set up
 * through the engine's field policy (created once, in the plugin's group on deals; mapped MEDDIC
 * inputs never created), deals pulled with their MEDDIC levels and features, and deal writes that
 * change only the plugin's deal properties, leave closed deals alone when asked and report each record.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEAL_CLOSED, DEAL_FIELD_KEYS, type DealConnector, type PulledDealRecord, RECORD_NOT_FOUND } from '../../connectors/contract/index.ts';
import { privateAppToken } from '../../connectors/hubspot/auth.ts';
import { HubSpotConnector } from '../../connectors/hubspot/connector.ts';
import { dealPropertyNames, hubspotSettingsSchema, type HubSpotSettings } from '../../connectors/hubspot/settings.ts';
import { DEFAULT_PRIVATE_APP_TOKEN } from '../../sandboxes/hubspot/index.ts';
import { createLogger } from '../../src/log.ts';
import { dealFieldSpecs } from '../../src/sync/dealFields.ts';
import { ensureFields } from '../../src/sync/fieldPolicy.ts';
import { fieldSpecs } from '../../src/sync/fields.ts';
import { createHarness, type Harness } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness({ dataset: { contacts: 6 } });
});
afterEach(async () => h.close());

function settings(extra: Partial<HubSpotSettings> = {}): HubSpotSettings {
  return { ...hubspotSettingsSchema.parse(h.config.connectors.hubspot), baseUrl: h.url, ...extra };
}

function deals(s: HubSpotSettings = settings()): DealConnector {
  const connector = new HubSpotConnector({
    settings: s,
    fields: fieldSpecs(h.config.classifier, h.config.sync),
    dealFields: dealFieldSpecs(),
    auth: privateAppToken(DEFAULT_PRIVATE_APP_TOKEN),
    burstShare: 1,
    log: createLogger({ level: 'warn' }),
    retry: { maxAttempts: 3, baseDelayMs: 5, rateLimitDelayMs: 5, maxDelayMs: 20 },
  });
  if (!connector.deals) throw new Error('no deals');
  return connector.deals;
}

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${h.url}${path}`, { method, headers: { authorization: `Bearer ${DEFAULT_PRIVATE_APP_TOKEN}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function dealProperties(): Promise<Map<string, { groupName: string; description: string; type: string }>> {
  const { json } = await api('GET', '/crm/v3/properties/deals');
  return new Map((json.results as { name: string; groupName: string; description: string; type: string }[]).map((p) => [p.name, p]));
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

describe('HubSpot deal properties', () => {
  it('setup creates the eleven deal properties in the plugin group on deals; a second setup changes nothing', async () => {
    const d = deals();
    const names = dealPropertyNames(settings());
    const contactsBefore = (await api('GET', '/crm/v3/properties/contacts')).json.results as unknown[];
    const first = await ensureFields(d, dealFieldSpecs(), { dryRun: false });
    expect(first.report.created.map((c) => c.key).sort()).toEqual([...DEAL_FIELD_KEYS].sort());
    const props = await dealProperties();
    for (const key of DEAL_FIELD_KEYS) {
      const p = props.get(names[key]);
      expect(p?.groupName, key).toBe('lifecycle_sync');
      expect(p?.description.startsWith('Managed by Lifecycle Sync.'), key).toBe(true);
    }
    expect(props.get(names.meddicChampion)?.type).toBe('enumeration');
    expect(props.get(names.winProbability)?.type).toBe('number');
    expect(props.get(names.dealScoredAt)?.type).toBe('datetime');
    // The contact properties are not touched by the deal set-up.
    expect(((await api('GET', '/crm/v3/properties/contacts')).json.results as unknown[]).length).toBe(contactsBefore.length);

    const second = await ensureFields(deals(), dealFieldSpecs(), { dryRun: false });
    expect(second.report.created).toEqual([]);
    expect(second.report.updated).toEqual([]);
    expect(second.report.other).toEqual([]);
    expect(second.report.ok).toHaveLength(DEAL_FIELD_KEYS.length);
  });

  it('a mapped MEDDIC input is read but never created or changed; one lacking a level is a conflict', async () => {
    const options = ['unknown', 'identified', 'confirmed'].map((v, i) => ({ label: v, value: v, displayOrder: i }));
    const created = await api('POST', '/crm/v3/properties/deals', { name: 'team_champion', label: 'Champion (team)', type: 'enumeration', fieldType: 'select', groupName: 'dealinformation', description: 'Ours', options });
    expect(created.status).toBe(201);
    const s = settings({ dealFieldNames: { meddicChampion: 'team_champion' } });
    const outcome = await ensureFields(deals(s), dealFieldSpecs(), { dryRun: false });
    expect(outcome.report.ok).toContainEqual({ key: 'meddicChampion', name: 'team_champion' });
    expect(outcome.report.created.map((c) => c.key)).not.toContain('meddicChampion');
    const props = await dealProperties();
    expect(props.has('lcs_meddic_champion')).toBe(false);
    expect(props.get('team_champion')?.description).toBe('Ours');
    expect(props.get('team_champion')?.groupName).toBe('dealinformation');

    await api('POST', '/crm/v3/properties/deals', { name: 'team_pain', label: 'Pain', type: 'enumeration', fieldType: 'select', groupName: 'dealinformation', options: options.slice(0, 2) });
    await expect(ensureFields(deals(settings({ dealFieldNames: { meddicIdentifyPain: 'team_pain' } })), dealFieldSpecs(), { dryRun: false })).rejects.toThrow(/team_pain \(mapped for meddicIdentifyPain\) lacks the options confirmed/);
  });
});

describe('HubSpot deals pulled and written', () => {
  async function seeded() {
    await api('POST', '/crm/v3/properties/deals', {
      name: 'team_champion', label: 'Champion (team)', type: 'enumeration', fieldType: 'select', groupName: 'dealinformation',
      options: ['unknown', 'identified', 'confirmed', 'maybe'].map((v, i) => ({ label: v, value: v, displayOrder: i })),
    });
    const s = settings({ dealFieldNames: { meddicChampion: 'team_champion' } });
    const d = deals(s);
    await ensureFields(d, dealFieldSpecs(), { dryRun: false });
    const n = dealPropertyNames(s);
    const [a, b] = h.sandbox.data.contactIds();
    const open = h.sandbox.data.createDeal(
      {
        dealname: 'open', amount: '1200', pipeline: 'default', dealstage: 'qualifiedtobuy', closedate: '2027-01-15T00:00:00Z',
        hubspot_owner_id: '90002', notes_last_updated: '2026-11-20T10:00:00Z',
        [n.meddicMetrics]: 'confirmed', [n.meddicEconomicBuyer]: 'identified', [n.meddicDecisionCriteria]: 'unknown', team_champion: 'confirmed',
      },
      [a, b],
    );
    const closed = h.sandbox.data.createDeal({ dealname: 'closed', amount: '500', pipeline: 'default', dealstage: 'closedlost', closedate: '2026-10-01T00:00:00Z', team_champion: 'maybe' }, [a]);
    return { d, n, open, closed };
  }

  it('pulled deals carry the MEDDIC levels (mapped ones read from the team property) and the features', async () => {
    const { d, open, closed } = await seeded();
    const { deals: pulled, problems } = await pullAll(d);
    const o = pulled.find((x) => x.recordId === open);
    expect(o?.status).toBe('open');
    expect(o?.meddic).toEqual({ metrics: 'confirmed', economicBuyer: 'identified', decisionCriteria: 'unknown', decisionProcess: null, identifyPain: null, champion: 'confirmed' });
    expect(o?.features.amount).toBe(1200);
    expect(o?.features.contactCount).toBe(2);
    expect(o?.features.ownerId).toBe('90002');
    expect(o?.features.lastActivityAt).toBe(Date.parse('2026-11-20T10:00:00Z'));
    const created = Date.parse(h.sandbox.data.getDeal(open)?.properties.createdate ?? '');
    expect(o?.features.createdAt).toBe(created);
    // Created in its stage: it entered the stage when it was created.
    expect(o?.features.stageEnteredAt).toBe(created);
    expect(o?.fieldValues).toEqual({ meddicScore: null, winProbability: null, biggestGap: null, dealNextAction: null, dealScoredAt: null });

    h.sandbox.data.updateDeal(open, { dealstage: 'contractsent' });
    const moved = (await pullAll(d)).deals.find((x) => x.recordId === open);
    expect(moved?.features.stageEnteredAt).toBe(Date.parse(h.sandbox.data.getDeal(open)?.properties.hs_lastmodifieddate ?? ''));
    expect(moved?.features.stageEnteredAt).toBeGreaterThan(created);

    const c = pulled.find((x) => x.recordId === closed);
    expect(c?.status).toBe('lost');
    expect(c?.meddic.champion).toBeNull();
    expect(problems.some((p) => p.startsWith(`${closed}:`) && p.includes('team_champion') && p.includes('"maybe"'))).toBe(true);
  });

  it('a deal write changes only the plugin deal properties, leaves closed deals alone when asked, and reports each record', async () => {
    const { d, n, open, closed } = await seeded();
    const second = h.sandbox.data.createDeal({ dealname: 'second', amount: '90', pipeline: 'default', dealstage: 'appointmentscheduled', closedate: '2027-02-01T00:00:00Z' });
    const gone = h.sandbox.data.createDeal({ dealname: 'gone', pipeline: 'default', dealstage: 'appointmentscheduled', closedate: '2027-02-01T00:00:00Z' });
    expect((await api('DELETE', `/crm/v3/objects/deals/${gone}`)).status).toBe(204);
    const before = h.sandbox.data.getDeal(open)?.properties ?? {};
    const closedBefore = h.sandbox.data.getDeal(closed)?.properties ?? {};
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
    expect(by.get(second)?.ok).toBe(false);
    expect(by.get(gone)).toMatchObject({ ok: false, code: RECORD_NOT_FOUND });

    const after = h.sandbox.data.getDeal(open)?.properties ?? {};
    const changed = Object.keys({ ...before, ...after }).filter((k) => before[k] !== after[k]).sort();
    expect(changed).toEqual([n.biggestGap, n.dealNextAction, n.dealScoredAt, n.meddicScore, n.winProbability, 'hs_lastmodifieddate'].sort());
    expect(h.sandbox.data.getDeal(closed)?.properties).toEqual(closedBefore);
    expect(h.sandbox.data.getDeal(second)?.properties[n.meddicScore]).toBeUndefined();
    expect((await d.readFieldValues([open])).get(open)).toEqual(values);

    // Without skipClosed the caller decides: the closed deal is written.
    const unguarded = await d.write([{ recordId: closed, values }], { skipClosed: false });
    expect(unguarded[0]?.ok).toBe(true);
    // The rep's inputs are never written.
    await expect(d.write([{ recordId: open, values: { meddicChampion: 'confirmed' } as never }], { skipClosed: false })).rejects.toThrow(/never writes/);
  });
});
