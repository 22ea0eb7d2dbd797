/**
 * Given customers (Contacts or Accounts) as Salesforce holds them now, with every Opportunity of theirs
 * (each with all its customers), by REST queries with `Id IN (…)`: a webhook's refresh before a
 * rescore. A Contact's Opportunities are those it has a contact role on, and, under the account
 * fallback, its Account's (those without roles count for the Account's contacts). Ids Salesforce no
 * longer has are absent from the answer.
 */
import type { FieldKey, PulledPage } from '../contract/index.ts';
import { customerFields, text, type SalesforceRecord } from './mapping.ts';
import { currencyRates, mapCustomers, mapOpportunities, opportunitySelect, restQuery, type PullContext } from './pull.ts';
import { chunks, soqlIdList } from './soql.ts';

/** Ids in one query: a REST query travels in the URL. */
const IDS_A_QUERY = 200;

async function all(ctx: PullContext, label: string, select: string, field: string, ids: string[]): Promise<SalesforceRecord[]> {
  const out: SalesforceRecord[] = [];
  for (const group of chunks([...new Set(ids)], IDS_A_QUERY)) for await (const page of restQuery(ctx.api, label, `${select} WHERE ${field} IN ${soqlIdList(group)}`)) out.push(...page);
  return out;
}

export async function pullSalesforceCustomers(ctx: PullContext, request: { customerIds: string[]; fields: FieldKey[] }): Promise<PulledPage> {
  const object = ctx.mapping.object;
  const rates = await currencyRates(ctx.api);
  const records = await all(ctx, `read ${object} records by id`, `SELECT ${customerFields(ctx.mapping, request.fields).join(', ')} FROM ${object}`, 'Id', request.customerIds);
  const customers = mapCustomers(ctx, records);
  const found = records.map((r) => text(r, 'Id')).filter((id): id is string => id !== null);
  if (found.length === 0) return { ...customers, deals: [], cursor: {} };
  const opportunities = new Map<string, SalesforceRecord>();
  const add = (list: SalesforceRecord[]) => list.forEach((o) => opportunities.set(text(o, 'Id') ?? '', o));
  if (object === 'Account') add(await all(ctx, 'read opportunities of accounts', opportunitySelect(ctx, rates), 'AccountId', found));
  else {
    const roles = await all(ctx, 'read contact roles of contacts', 'SELECT OpportunityId FROM OpportunityContactRole', 'ContactId', found);
    add(await all(ctx, 'read opportunities of contacts', opportunitySelect(ctx, rates), 'Id', roles.map((r) => text(r, 'OpportunityId')).filter((id): id is string => id !== null)));
    const accounts = records.map((r) => text(r, 'AccountId')).filter((id): id is string => id !== null);
    if (ctx.accountFallback && accounts.length > 0) add(await all(ctx, 'read opportunities of accounts', opportunitySelect(ctx, rates), 'AccountId', accounts));
  }
  opportunities.delete('');
  const deals = await mapOpportunities(ctx, [...opportunities.values()], rates, null);
  return { customers: customers.customers, deals: deals.deals, problems: [...customers.problems, ...deals.problems], cursor: {} };
}
