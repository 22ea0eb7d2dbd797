/** HubSpot's webhook events read into changes: both subscription namings, merges, the app's own changes, companies. */
import { describe, expect, it } from 'vitest';
import { readHubSpotEvents } from '../../connectors/hubspot/webhooks.ts';

const base = { subscriptionId: 1, portalId: 62515, appId: 42, occurredAt: 1_700_000_000_000, attemptNumber: 0 };
const read = (events: Record<string, unknown>[]) => {
  const result = readHubSpotEvents(JSON.stringify(events.map((e, i) => ({ eventId: i + 1, ...base, ...e }))), ['lcs_stage']);
  if (!result.ok) throw new Error(result.reason);
  return result.batches.flatMap((b) => b.events.map((e) => e.changes));
};

describe('HubSpot webhook events', () => {
  it('reads the developer platform’s generic object events like the legacy ones', () => {
    expect(read([
      { subscriptionType: 'object.propertyChange', objectTypeId: '0-3', objectId: 5, propertyName: 'dealstage', propertyValue: 'closedwon' },
      { subscriptionType: 'object.creation', objectTypeId: '0-1', objectId: 6 },
      { subscriptionType: 'object.deletion', objectTypeId: '0-1', objectId: 7 },
      { subscriptionType: 'object.creation', objectTypeId: '0-2', objectId: 8 },
      { subscriptionType: 'object.creation', objectTypeId: '0-5', objectId: 9 },
    ])).toEqual([
      [{ kind: 'deal', dealId: '5', deleted: false }],
      [{ kind: 'rescore', customerId: '6', record: 'contact' }],
      [{ kind: 'forget', customerId: '7', privacy: false, record: 'contact' }],
      [{ kind: 'rescore', customerId: '8', record: 'company' }],
      [],
    ]);
  });

  it('forgets the merged-away contacts (the old primary too when the merge made a new id) and rescores the survivor', () => {
    expect(read([{ subscriptionType: 'contact.merge', objectId: 10, primaryObjectId: 10, mergedObjectIds: [11, 12], newObjectId: 13 }])).toEqual([[
      { kind: 'forget', customerId: '11', privacy: false, record: 'contact' },
      { kind: 'forget', customerId: '12', privacy: false, record: 'contact' },
      { kind: 'forget', customerId: '10', privacy: false, record: 'contact' },
      { kind: 'rescore', customerId: '13', record: 'contact' },
    ]]);
  });

  it('deletes whoever deleted, but ignores the app’s own changes and its own properties', () => {
    expect(read([
      { subscriptionType: 'contact.privacyDeletion', objectId: 20, changeSource: 'INTEGRATION', sourceId: '42' },
      { subscriptionType: 'contact.propertyChange', objectId: 21, propertyName: 'firstname', changeSource: 'INTEGRATION', sourceId: '42' },
      { subscriptionType: 'contact.propertyChange', objectId: 22, propertyName: 'lcs_stage', changeSource: 'CRM_UI', sourceId: 'userId:1' },
      { subscriptionType: 'contact.propertyChange', objectId: 23, propertyName: 'firstname', changeSource: 'INTEGRATION', sourceId: '4242' },
    ])).toEqual([[{ kind: 'forget', customerId: '20', privacy: true, record: 'contact' }], [], [], [{ kind: 'rescore', customerId: '23', record: 'contact' }]]);
  });

  it('names companies’ changes as such: property changes, deletions, merges, and deal–company associations from either side', () => {
    expect(read([
      { subscriptionType: 'company.propertyChange', objectId: 30, propertyName: 'name' },
      { subscriptionType: 'company.propertyChange', objectId: 31, propertyName: 'lcs_stage' },
      { subscriptionType: 'company.deletion', objectId: 32 },
      { subscriptionType: 'company.merge', objectId: 33, primaryObjectId: 33, mergedObjectIds: [34] },
      { subscriptionType: 'deal.associationChange', associationType: 'DEAL_TO_COMPANY', fromObjectId: 9001, toObjectId: 35 },
      { subscriptionType: 'company.associationChange', associationType: 'COMPANY_TO_DEAL', fromObjectId: 36, toObjectId: 9002 },
      { subscriptionType: 'contact.associationChange', associationType: 'CONTACT_TO_DEAL', fromObjectId: 37, toObjectId: 9003 },
      { subscriptionType: 'company.associationChange', associationType: 'COMPANY_TO_CONTACT', fromObjectId: 38, toObjectId: 39 },
    ])).toEqual([
      [{ kind: 'rescore', customerId: '30', record: 'company' }],
      [],
      [{ kind: 'forget', customerId: '32', privacy: false, record: 'company' }],
      [{ kind: 'forget', customerId: '34', privacy: false, record: 'company' }, { kind: 'rescore', customerId: '33', record: 'company' }],
      [{ kind: 'rescore', customerId: '35', record: 'company' }, { kind: 'deal', dealId: '9001', deleted: false, record: 'company' }],
      [{ kind: 'rescore', customerId: '36', record: 'company' }, { kind: 'deal', dealId: '9002', deleted: false, record: 'company' }],
      [{ kind: 'rescore', customerId: '37', record: 'contact' }, { kind: 'deal', dealId: '9003', deleted: false, record: 'contact' }],
      [],
    ]);
  });

  it('refuses what is not HubSpot’s documented shape', () => {
    expect(readHubSpotEvents('[]', []).ok).toBe(false);
    expect(readHubSpotEvents(JSON.stringify([{ ...base, eventId: 1, subscriptionType: 'contact.creation', objectId: -1 }]), []).ok).toBe(false);
    expect(readHubSpotEvents(JSON.stringify([{ ...base, eventId: 1, subscriptionType: 'contact.creation', occurredAt: 'yesterday' }]), []).ok).toBe(false);
  });
});
