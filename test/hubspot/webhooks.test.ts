/** HubSpot's webhook events read into changes: both subscription namings, merges, the app's own changes. */
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
    ])).toEqual([[{ kind: 'deal', dealId: '5', deleted: false }], [{ kind: 'rescore', customerId: '6' }], [{ kind: 'forget', customerId: '7', privacy: false }], []]);
  });

  it('forgets the merged-away contacts (the old primary too when the merge made a new id) and rescores the survivor', () => {
    expect(read([{ subscriptionType: 'contact.merge', objectId: 10, primaryObjectId: 10, mergedObjectIds: [11, 12], newObjectId: 13 }])).toEqual([[
      { kind: 'forget', customerId: '11', privacy: false },
      { kind: 'forget', customerId: '12', privacy: false },
      { kind: 'forget', customerId: '10', privacy: false },
      { kind: 'rescore', customerId: '13' },
    ]]);
  });

  it('deletes whoever deleted, but ignores the app’s own changes and its own properties', () => {
    expect(read([
      { subscriptionType: 'contact.privacyDeletion', objectId: 20, changeSource: 'INTEGRATION', sourceId: '42' },
      { subscriptionType: 'contact.propertyChange', objectId: 21, propertyName: 'firstname', changeSource: 'INTEGRATION', sourceId: '42' },
      { subscriptionType: 'contact.propertyChange', objectId: 22, propertyName: 'lcs_stage', changeSource: 'CRM_UI', sourceId: 'userId:1' },
      { subscriptionType: 'contact.propertyChange', objectId: 23, propertyName: 'firstname', changeSource: 'INTEGRATION', sourceId: '4242' },
    ])).toEqual([[{ kind: 'forget', customerId: '20', privacy: true }], [], [], [{ kind: 'rescore', customerId: '23' }]]);
  });

  it('refuses what is not HubSpot’s documented shape', () => {
    expect(readHubSpotEvents('[]', []).ok).toBe(false);
    expect(readHubSpotEvents(JSON.stringify([{ ...base, eventId: 1, subscriptionType: 'contact.creation', objectId: -1 }]), []).ok).toBe(false);
    expect(readHubSpotEvents(JSON.stringify([{ ...base, eventId: 1, subscriptionType: 'contact.creation', occurredAt: 'yesterday' }]), []).ok).toBe(false);
  });
});
