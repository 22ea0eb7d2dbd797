/**
 * HubSpot's date-based API versions end to end against the sandbox: which paths a sync uses under each
 * `hubspot.apiVersion`, and what an admin sees when the portal's own validation rules (applied to writes
 * from 2026-09) refuse some records.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PortalRule } from '../../sandboxes/hubspot/index.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createHarness, type Harness } from './harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const RULE: PortalRule = {
  objectType: 'contacts',
  required: 'phone',
  when: { property: 'lcs_churn_risk_band', values: ['high'] },
  message: 'A contact at high churn risk needs a phone number',
};

describe('HubSpot API versions', () => {
  it('2026-09 (the default): the portal’s rule refuses some contacts; the others are written, the run succeeds, each refusal is an error with the rule’s text and is not queued first', async () => {
    h = await createHarness({ dataset: { contacts: 300 }, sandbox: { validationRules: [RULE] } });
    const run = await h.sync();
    const errors = (await h.store.listRunErrors(run.runId)).filter((e) => e.phase === 'write');
    const refused = errors.filter((e) => e.code === 'CRM_VALIDATION').flatMap((e) => (e.recordId === null ? [] : [e.recordId]));
    expect(refused.length).toBeGreaterThan(0);
    expect(errors.length).toBe(refused.length);
    expect(run).toMatchObject({ status: 'succeeded', failed: refused.length, written: 300 - refused.length });
    expect(run.message).toBe(`${refused.length} records could not be written: the CRM's validation rules refused them (see the run's errors; fix the record or the rule in the CRM)`);
    expect(errors[0].message).toBe(`CRM_VALIDATION: HubSpot's validation rules refused contact ${errors[0].recordId}: A contact at high churn risk needs a phone number`);
    const values = h.crmValues();
    for (const id of refused) expect(values.get(id)?.lcs_stage, `refused contact ${id}`).toBeNull();
    for (const [id, v] of values) if (!refused.includes(id)) expect(v.lcs_stage, `contact ${id}`).toBeTruthy();
    expect(await h.store.listRetries('hubspot')).toEqual([]);
    // The associations and writes went to the dated paths, none to v3/v4.
    expect(h.sandbox.stats.byRoute['POST /crm/associations/2026-09/deals/contacts/batch/read']).toBeGreaterThan(0);
    expect(Object.keys(h.sandbox.stats.byRoute).filter((k) => k.includes('/crm/v4/') || k.includes('/batch/update')).sort()).toEqual(['POST /crm/objects/2026-09/contacts/batch/update']);

    // The admin adds the phone numbers: the next run writes those contacts, with the band the rule is about.
    for (const id of refused) h.sandbox.data.updateContact(id, { phone: '+1 555 0100' });
    const next = await h.sync();
    expect(next).toMatchObject({ status: 'succeeded', failed: 0 });
    const after = h.crmValues();
    for (const id of refused) expect(after.get(id)?.lcs_churn_risk_band, `contact ${id}`).toBe('high');
  });

  it('2026-03: the same rule is not applied (HubSpot enforces it from 2026-09); the sync uses the 2026-03 paths', async () => {
    h = await createHarness({ dataset: { contacts: 120 }, sandbox: { validationRules: [RULE] }, config: { hubspot: { apiVersion: '2026-03' } } });
    const run = await h.sync();
    expect(run).toMatchObject({ status: 'succeeded', written: 120, failed: 0 });
    expect([...h.crmValues().values()].some((v) => v.lcs_churn_risk_band === 'high')).toBe(true);
    expect(h.sandbox.stats.byRoute['POST /crm/objects/2026-03/contacts/batch/update']).toBe(2);
    expect(h.sandbox.stats.byRoute['POST /crm/associations/2026-03/deals/contacts/batch/read']).toBeGreaterThan(0);
  });

  it('legacy: the SDK’s own v3 and v4 clients, with the same result', async () => {
    h = await createHarness({ dataset: { contacts: 120 }, config: { hubspot: { apiVersion: 'legacy' } } });
    const run = await h.sync();
    expect(run).toMatchObject({ status: 'succeeded', written: 120, failed: 0 });
    expect(h.sandbox.stats.byRoute['POST /crm/v3/objects/contacts/batch/update']).toBe(2);
    expect(h.sandbox.stats.byRoute['POST /crm/v4/associations/deals/contacts/batch/read']).toBeGreaterThan(0);
  });

  it('an unknown version in the config is refused, naming the setting and the choices', () => {
    expect(() => loadConfig({ overrides: { hubspot: { apiVersion: '2027-03' } } })).toThrow(/hubspot\.apiVersion.*legacy, 2026-03, 2026-09/);
  });
});
