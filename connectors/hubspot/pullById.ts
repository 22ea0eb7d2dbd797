/**
 * Given customers (contacts, or companies) as HubSpot holds them now, with every deal of theirs (each with
 * all its customers): a webhook's or the watch's refresh before a rescore. Customers by batch read (100 a
 * call), their deals by associations batch read, the deals by batch read, and the deals' customers by
 * associations again, so storing a deal keeps its links to customers not asked for. Ids HubSpot no longer
 * has are absent from the answer.
 */
import { z } from 'zod';
import { ConnectorError, type FieldKey, type PulledPage } from '../contract/index.ts';
import { contactProperties, DEAL_PROPERTIES, objectOf, type HubSpotRecord } from './mapping.ts';
import { contactsOfDeals, customersToDeals, loadStages, mapContacts, mapDeals, record, toRecord, type PullContext } from './pull.ts';
import type { CustomerObject } from './settings.ts';
import { objectsPath } from './versions.ts';

const BATCH = 100;
const ASSOCIATIONS = 1000;
const batchAnswer = z.object({ results: z.array(record) });

async function batchRead(ctx: PullContext, object: CustomerObject | 'deals', ids: string[], properties: string[]): Promise<HubSpotRecord[]> {
  const out: HubSpotRecord[] = [];
  for (let i = 0; i < ids.length; i += BATCH) {
    const body = { inputs: ids.slice(i, i + BATCH).map((id) => ({ id })), properties, propertiesWithHistory: [] };
    const label = `batch read ${body.inputs.length} ${object}`;
    const data =
      ctx.apiVersion === 'legacy'
        ? (await ctx.transport.call('api', label, (c) => c.crm[object].batchApi.readWithHttpInfo(body))).data
        : (await ctx.transport.request('api', label, { method: 'POST', path: objectsPath(ctx.apiVersion, `${object}/batch/read`), body })).data;
    const parsed = batchAnswer.safeParse(data);
    if (!parsed.success) throw new ConnectorError('INVALID_RESPONSE', `HubSpot answered the ${object} batch read unexpectedly: ${z.prettifyError(parsed.error)}`);
    out.push(...parsed.data.results.map(toRecord));
  }
  return out;
}

async function inGroups(ids: string[], read: (group: string[]) => Promise<Map<string, string[]>>): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < ids.length; i += ASSOCIATIONS) for (const [k, v] of await read(ids.slice(i, i + ASSOCIATIONS))) out.set(k, v);
  return out;
}

export async function pullHubSpotContacts(ctx: PullContext, request: { customerIds: string[]; fields: FieldKey[] }): Promise<PulledPage> {
  const ids = [...new Set(request.customerIds)];
  const contacts = await batchRead(ctx, objectOf(ctx.mapping), ids, contactProperties(ctx.mapping, request.fields));
  const found = contacts.map((c) => c.id);
  const dealsOf = found.length > 0 ? await inGroups(found, (group) => contactsOfDeals(ctx, group, customersToDeals(ctx))) : new Map<string, string[]>();
  const dealIds = [...new Set([...dealsOf.values()].flat())];
  const mappedContacts = mapContacts(ctx, contacts);
  if (dealIds.length === 0) return { ...mappedContacts, deals: [], cursor: {} };
  const deals = await batchRead(ctx, 'deals', dealIds, DEAL_PROPERTIES);
  const contactsOf = await inGroups(deals.map((d) => d.id), (group) => contactsOfDeals(ctx, group));
  const mappedDeals = mapDeals(deals, contactsOf, await loadStages(ctx));
  return { customers: mappedContacts.customers, deals: mappedDeals.deals, problems: [...mappedContacts.problems, ...mappedDeals.problems], cursor: {} };
}
