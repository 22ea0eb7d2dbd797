/** Reading CRM deals and contacts (both mappings): refunds read as they are; values quoted short in problems. */
import { describe, expect, it } from 'vitest';
import { dealFromHubSpot, customerFromContact } from '../../connectors/hubspot/mapping.ts';
import { hubspotSettingsSchema, propertyNames } from '../../connectors/hubspot/settings.ts';
import { customerFromRecord, dealFromOpportunity } from '../../connectors/salesforce/mapping.ts';
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
