/** Reading CRM deals and contacts (both mappings): refunds read as they are; values quoted short in problems. */
import { describe, expect, it } from 'vitest';
import { dealFromHubSpot, customerFromContact, hubspotSignalFields } from '../../connectors/hubspot/mapping.ts';
import { hubspotSettingsSchema, propertyNames } from '../../connectors/hubspot/settings.ts';
import { customerFromRecord, dealFromOpportunity, salesforceSignalFields } from '../../connectors/salesforce/mapping.ts';
import { fieldApiNames, salesforceSettingsSchema } from '../../connectors/salesforce/settings.ts';
import { loadConfig } from '../../src/config/load.ts';
import { fieldSpecs } from '../../src/sync/fields.ts';

const config = loadConfig();
const specs = new Map(fieldSpecs(config.classifier, config.sync).map((f) => [f.key, f]));
const hubspotSettings = hubspotSettingsSchema.parse(config.connectors.hubspot);
const salesforceSettings = salesforceSettingsSchema.parse(config.connectors.salesforce);
const hubspotNames = propertyNames(hubspotSettings);
const salesforceNames = fieldApiNames(salesforceSettings);
const stages = new Map([['default/closedwon', { closed: true, won: true }]]);
const long = '7'.repeat(500_000) + 'x';

describe('deals: a negative amount is a refund, read as it is (issue 8)', () => {
  it('HubSpot', () => {
    const { deal, problems } = dealFromHubSpot({ id: '1', properties: { amount: '-30', closedate: '2026-02-01T12:00:00Z', pipeline: 'default', dealstage: 'closedwon' } }, ['c'], stages);
    expect(problems).toEqual([]);
    expect(deal).toMatchObject({ status: 'won', amount: -30 });
  });
  it('Salesforce', () => {
    const { deal, problems } = dealFromOpportunity({ Id: '006000000000001AAA', Amount: -30, CloseDate: '2026-02-01', IsClosed: true, IsWon: true }, ['c'], null);
    expect(problems).toEqual([]);
    expect(deal).toMatchObject({ status: 'won', amount: -30 });
  });
});

describe('a huge CRM value is quoted as a short excerpt with its length (issue 8)', () => {
  it('HubSpot deal amount and close date, and a contact property', () => {
    const { problems } = dealFromHubSpot({ id: '2', properties: { amount: long, closedate: long, pipeline: 'default', dealstage: 'closedwon' } }, ['c'], stages);
    expect(problems.map((p) => p.reason)).toEqual([
      `amount "${'7'.repeat(80)}…" (500001 characters) is not a number`,
      `close date "${'7'.repeat(80)}…" (500001 characters) is not a date`,
    ]);
    const contact = customerFromContact({ id: '3', properties: { [hubspotNames.ltv]: long } }, { names: hubspotNames, specs, signals: { ...hubspotSettings.signals, nps: 'nps' } });
    expect(contact.problems).toHaveLength(1);
    expect(contact.problems[0].reason.length).toBeLessThan(200);
    expect(contact.problems[0].reason).toContain('(500001 characters)');
  });
  it('Salesforce opportunity amount and a contact field', () => {
    const { problems } = dealFromOpportunity({ Id: '006000000000002AAA', Amount: long, CloseDate: '2026-02-01', IsClosed: true, IsWon: true }, ['c'], null);
    expect(problems.map((p) => p.reason)).toEqual([`amount "${'7'.repeat(80)}…" (500001 characters) is not a number`]);
    const contact = customerFromRecord({ Id: '003000000000001AAA', [salesforceNames.ltv]: long }, { object: 'Contact', names: salesforceNames, specs, signals: salesforceSettings.signals });
    expect(contact.problems[0].reason.length).toBeLessThan(200);
    expect(contact.problems[0].reason).toContain('(500001 characters)');
  });
});

describe('created dates: one that is not a date is reported, that field unknown, the record and its other signals kept', () => {
  it('HubSpot contact and deal', () => {
    const m = { names: hubspotNames, specs, signals: hubspotSignalFields(hubspotSettings.signals) };
    const contact = customerFromContact({ id: '4', properties: { createdate: 'last spring', hs_analytics_source: 'REFERRALS', notes_last_updated: '2026-05-01T10:00:00Z' } }, m);
    expect(contact.problems).toEqual([{ where: 'HubSpot contact 4', recordId: '4', reason: 'createdate "last spring" is not a date' }]);
    expect(contact.customer.signals).toEqual({ createdDay: null, leadSource: 'REFERRALS', lastEngagementDay: Math.floor(Date.parse('2026-05-01T10:00:00Z') / 86_400_000) });
    const good = customerFromContact({ id: '5', properties: { createdate: '2026-01-31T23:30:00Z' } }, m);
    expect(good.problems).toEqual([]);
    expect(good.customer.signals).toEqual({ createdDay: Math.floor(Date.parse('2026-01-31T00:00:00Z') / 86_400_000) });
    const { deal, problems } = dealFromHubSpot({ id: '6', properties: { amount: '30', createdate: 'soon', closedate: '2026-02-01T12:00:00Z', pipeline: 'default', dealstage: 'closedwon' } }, ['c'], stages);
    expect(problems.map((p) => p.reason)).toEqual(['created date "soon" is not a date']);
    expect(deal).toMatchObject({ status: 'won', amount: 30, closeDay: Math.floor(Date.parse('2026-02-01T00:00:00Z') / 86_400_000), createdDay: null });
  });
  it('Salesforce Contact and Opportunity', () => {
    const m = { object: 'Contact' as const, names: salesforceNames, specs, signals: salesforceSignalFields(salesforceSettings.signals, 'Contact') };
    const contact = customerFromRecord({ Id: '003000000000004AAA', CreatedDate: '31/02/2026', LeadSource: 'Web', LastActivityDate: '2026-05-01' }, m);
    expect(contact.problems).toEqual([{ where: 'Salesforce Contact 003000000000004AAA', recordId: '003000000000004AAA', reason: 'CreatedDate "31/02/2026" is not a date' }]);
    expect(contact.customer?.signals).toEqual({ createdDay: null, leadSource: 'Web', lastEngagementDay: Math.floor(Date.parse('2026-05-01') / 86_400_000) });
    // REST answers datetimes with a +0000 offset.
    const good = customerFromRecord({ Id: '003000000000005AAA', CreatedDate: '2026-01-31T23:30:00.000+0000' }, m);
    expect(good.customer?.signals).toEqual({ createdDay: Math.floor(Date.parse('2026-01-31T00:00:00Z') / 86_400_000) });
    const { deal, problems } = dealFromOpportunity({ Id: '006000000000004AAA', Amount: 30, CloseDate: '2026-02-01', CreatedDate: 'soon', IsClosed: true, IsWon: true }, ['c'], null);
    expect(problems.map((p) => p.reason)).toEqual(['created date "soon" is not a date']);
    expect(deal).toMatchObject({ status: 'won', amount: 30, createdDay: null });
  });
  it('an Account reads AccountSource unless another field is set', () => {
    expect(salesforceSignalFields(salesforceSettings.signals, 'Account')).toMatchObject({ leadSource: 'AccountSource', created: 'CreatedDate' });
    expect(salesforceSignalFields({ ...salesforceSettings.signals, leadSource: null }, 'Account').leadSource).toBeNull();
    expect(salesforceSignalFields({ ...salesforceSettings.signals, leadSource: 'Channel__c' }, 'Contact').leadSource).toBe('Channel__c');
  });
});
