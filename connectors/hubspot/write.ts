/**
 * Writing the plugin's fields to the customers (contacts, or companies): batch update (at most 100 a call) with a result per record,
 * on the date-based path of `hubspot.apiVersion` (the SDK's v3 client under `legacy`). HubSpot answers:
 * - 207 with per-record errors for some failures (a deleted contact: RECORD_NOT_FOUND);
 * - 400 VALIDATION_ERROR naming inputs in `errors[].context.ids`: from 2026-09, the portal's own
 *   validation rules refused those records and nothing of the batch was written. They fail with
 *   CRM_VALIDATION and the rule's message; the rest is sent again without them;
 * - 400 naming no input (an invalid value): the batch is split in halves until the bad records are
 *   isolated.
 * Either way one refused record never blocks the other 99, and never fails the run.
 */
import { z } from 'zod';
import { canonicalFieldValues, ConnectorError, CRM_VALIDATION, type FieldKey, type FieldSpec, type FieldValues, RECORD_NOT_FOUND, type RecordUpdate, upstreamText, type WriteResult } from '../contract/index.ts';
import { propertiesFromValues } from './mapping.ts';
import type { CustomerObject, HubSpotApiVersion } from './settings.ts';
import { HubSpotHttpError, type HubSpotErrorBody, type HubSpotTransport } from './transport.ts';
import { objectsPath } from './versions.ts';

const batchResponse = z.object({
  results: z.array(z.object({ id: z.string(), properties: z.record(z.string(), z.string().nullable()).optional(), updatedAt: z.union([z.date(), z.string()]).optional() })),
  errors: z
    .array(
      z
        .object({
          category: z.string().optional(),
          message: z.string().optional(),
          context: z.record(z.string(), z.array(z.string())).optional(),
        })
        .passthrough(),
    )
    .optional(),
});
type BatchResponse = z.infer<typeof batchResponse>;

export interface WriteContext<K extends string = FieldKey> {
  transport: HubSpotTransport;
  names: Record<K, string>;
  apiVersion: HubSpotApiVersion;
  /** The object written: the customer object (contacts, the default, or companies: the customer fields) or deals (the deal fields). */
  object?: CustomerObject | 'deals';
}

/** One record's values of a field set (RecordUpdate for contacts, DealUpdate for deals). */
export interface ObjectUpdate<K extends string> {
  recordId: string;
  values: Partial<Record<K, string | null>>;
}

function modifiedAt(r: BatchResponse['results'][number]): number | null {
  const text = r.properties?.lastmodifieddate ?? (r.updatedAt instanceof Date ? r.updatedAt.toISOString() : r.updatedAt);
  const ms = text ? Date.parse(text) : NaN;
  return Number.isFinite(ms) ? ms : null;
}

function parsed<S extends z.ZodType>(schema: S, data: unknown, what: string): z.output<S> {
  const result = schema.safeParse(data);
  if (!result.success) throw new ConnectorError('INVALID_RESPONSE', `HubSpot answered ${what} unexpectedly: ${z.prettifyError(result.error)}`);
  return result.data;
}

const objectOf = <K extends string>(ctx: WriteContext<K>): CustomerObject | 'deals' => ctx.object ?? 'contacts';
const SINGULAR = { contacts: 'contact', companies: 'company', deals: 'deal' } as const;

async function sendUpdate<K extends string>(ctx: WriteContext<K>, inputs: { id: string; properties: Record<string, string> }[]): Promise<BatchResponse> {
  const object = objectOf(ctx);
  const label = `batch update ${inputs.length} ${object}`;
  if (ctx.apiVersion === 'legacy') {
    const send = (c: Parameters<Parameters<HubSpotTransport['call']>[2]>[0]) =>
      object === 'deals' ? c.crm.deals.batchApi.updateWithHttpInfo({ inputs }) : object === 'companies' ? c.crm.companies.batchApi.updateWithHttpInfo({ inputs }) : c.crm.contacts.batchApi.updateWithHttpInfo({ inputs });
    return parsed(batchResponse, (await ctx.transport.call('api', label, send)).data, 'the batch update');
  }
  const path = objectsPath(ctx.apiVersion, `${object}/batch/update`);
  return parsed(batchResponse, (await ctx.transport.request('api', label, { method: 'POST', path, body: { inputs } })).data, `POST ${path}`);
}

const ids = z.array(z.string());

/** The inputs a 400 VALIDATION_ERROR names as refused (errors[].context.ids), with the rule's message. */
function refusedInputs(body: HubSpotErrorBody, sent: ReadonlySet<string>): Map<string, string> {
  const refused = new Map<string, string>();
  if (body.category !== 'VALIDATION_ERROR') return refused;
  for (const e of body.errors ?? []) {
    const named = ids.safeParse(e.context?.ids);
    if (!named.success) continue;
    for (const id of named.data) {
      if (sent.has(id) && !refused.has(id)) refused.set(id, e.message ?? body.message ?? 'no message');
    }
  }
  return refused;
}

function ruleFailure(recordId: string, message: string, singular = 'contact'): WriteResult {
  return { recordId, ok: false, code: CRM_VALIDATION, message: `HubSpot's validation rules refused ${singular} ${recordId}: ${upstreamText(message)}` };
}

export function writeContacts(ctx: WriteContext, updates: RecordUpdate[]): Promise<WriteResult[]> {
  return writeObjects(ctx, updates);
}

/** Batch update of one object's records (contacts or deals, `ctx.object`), a result per record. */
export async function writeObjects<K extends string>(ctx: WriteContext<K>, updates: ObjectUpdate<K>[]): Promise<WriteResult[]> {
  if (updates.length === 0) return [];
  const singular = SINGULAR[objectOf(ctx)];
  const inputs = updates.map((u) => ({ id: u.recordId, properties: propertiesFromValues(u.values, ctx.names) }));
  try {
    const response = await sendUpdate(ctx, inputs);
    const ok = new Map(response.results.map((r) => [r.id, modifiedAt(r)]));
    const failed = new Map<string, WriteResult>();
    for (const e of response.errors ?? []) {
      for (const id of e.context?.ids ?? []) {
        const message = e.message ? upstreamText(e.message) : `HubSpot did not update this ${singular}`;
        // A deleted or merged-away record: the engine stops scoring it until a full pull says otherwise.
        if (e.category === 'OBJECT_NOT_FOUND') failed.set(id, { recordId: id, ok: false, code: RECORD_NOT_FOUND, message });
        else if (e.category === 'VALIDATION_ERROR') failed.set(id, ruleFailure(id, message, singular));
        else failed.set(id, { recordId: id, ok: false, code: e.category ?? 'ERROR', message });
      }
    }
    return updates.map((u): WriteResult => {
      if (ok.has(u.recordId)) return { recordId: u.recordId, ok: true, modifiedAt: ok.get(u.recordId) ?? null };
      return failed.get(u.recordId) ?? { recordId: u.recordId, ok: false, code: 'NOT_UPDATED', message: `HubSpot did not report this ${singular} as updated` };
    });
  } catch (error) {
    if (!(error instanceof HubSpotHttpError) || error.status !== 400) throw error;
    const refused = refusedInputs(error.body, new Set(updates.map((u) => u.recordId)));
    if (refused.size > 0) {
      // The batch was refused for these records only: the others go again without them.
      const rest = await writeObjects(ctx, updates.filter((u) => !refused.has(u.recordId)));
      const byId = new Map(rest.map((r) => [r.recordId, r]));
      return updates.map((u) => byId.get(u.recordId) ?? ruleFailure(u.recordId, refused.get(u.recordId) ?? 'no message', singular));
    }
    if (updates.length === 1) {
      const detail = error.body.errors?.[0];
      return [{ recordId: updates[0].recordId, ok: false, code: detail?.code ?? error.body.category ?? 'VALIDATION_ERROR', message: detail?.message ?? error.body.message ?? error.message }];
    }
    const half = Math.ceil(updates.length / 2);
    return [...(await writeObjects(ctx, updates.slice(0, half))), ...(await writeObjects(ctx, updates.slice(half)))];
  }
}

export const readResponse = z.object({ results: z.array(z.object({ id: z.string(), properties: z.record(z.string(), z.string().nullable()) })) });

/** The plugin's fields as HubSpot holds them now (batch read, 100 a call); unknown ids are absent. */
export async function readContactValues(ctx: WriteContext, recordIds: string[], specs: ReadonlyMap<FieldKey, FieldSpec>): Promise<Map<string, FieldValues>> {
  const out = new Map<string, FieldValues>();
  const { names } = ctx;
  for (let i = 0; i < recordIds.length; i += 100) {
    const inputs = recordIds.slice(i, i + 100).map((id) => ({ id }));
    const body = { inputs, properties: Object.values(names), propertiesWithHistory: [] };
    const object = objectOf(ctx);
    const label = `batch read ${inputs.length} ${object}`;
    const data =
      ctx.apiVersion === 'legacy'
        ? (await ctx.transport.call('api', label, (c) => c.crm[object].batchApi.readWithHttpInfo(body))).data
        : (await ctx.transport.request('api', label, { method: 'POST', path: objectsPath(ctx.apiVersion, `${object}/batch/read`), body })).data;
    for (const r of parsed(readResponse, data, 'the batch read').results) out.set(r.id, canonicalFieldValues((key) => r.properties[names[key]], specs).values);
  }
  return out;
}
