/**
 * Writing the plugin's fields to contacts: batch update (at most 100 a call) with a result per record.
 * HubSpot answers 207 with per-record errors for some failures, but rejects a whole batch with a 400
 * when one value is invalid; then the batch is split in halves until the bad records are isolated, so
 * one bad record never blocks the other 99.
 */
import { z } from 'zod';
import { canonicalFieldValues, type FieldKey, type FieldSpec, type FieldValues, RECORD_NOT_FOUND, type RecordUpdate, upstreamText, type WriteResult } from '../contract/index.ts';
import { propertiesFromValues } from './mapping.ts';
import { HubSpotHttpError, type HubSpotTransport } from './transport.ts';

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

function modifiedAt(r: z.infer<typeof batchResponse>['results'][number]): number | null {
  const text = r.properties?.lastmodifieddate ?? (r.updatedAt instanceof Date ? r.updatedAt.toISOString() : r.updatedAt);
  const ms = text ? Date.parse(text) : NaN;
  return Number.isFinite(ms) ? ms : null;
}

export async function writeContacts(transport: HubSpotTransport, updates: RecordUpdate[], names: Record<FieldKey, string>): Promise<WriteResult[]> {
  if (updates.length === 0) return [];
  const inputs = updates.map((u) => ({ id: u.recordId, properties: propertiesFromValues(u.values, names) }));
  try {
    const response = await transport.call('api', `batch update ${inputs.length} contacts`, (c) => c.crm.contacts.batchApi.updateWithHttpInfo({ inputs }));
    const parsed = batchResponse.parse(response.data);
    const ok = new Map(parsed.results.map((r) => [r.id, modifiedAt(r)]));
    const failed = new Map<string, { code: string; message: string }>();
    for (const e of parsed.errors ?? []) {
      // A deleted or merged-away contact: the engine stops scoring it until a full pull says otherwise.
      const code = e.category === 'OBJECT_NOT_FOUND' ? RECORD_NOT_FOUND : (e.category ?? 'ERROR');
      for (const id of e.context?.ids ?? []) failed.set(id, { code, message: e.message ? upstreamText(e.message) : 'HubSpot did not update this contact' });
    }
    return updates.map((u): WriteResult => {
      if (ok.has(u.recordId)) return { recordId: u.recordId, ok: true, modifiedAt: ok.get(u.recordId) ?? null };
      const f = failed.get(u.recordId) ?? { code: 'NOT_UPDATED', message: 'HubSpot did not report this contact as updated' };
      return { recordId: u.recordId, ok: false, ...f };
    });
  } catch (error) {
    if (!(error instanceof HubSpotHttpError) || error.status !== 400) throw error;
    if (updates.length === 1) {
      const detail = error.body.errors?.[0];
      return [{ recordId: updates[0].recordId, ok: false, code: detail?.code ?? error.body.category ?? 'VALIDATION_ERROR', message: detail?.message ?? error.body.message ?? error.message }];
    }
    const half = Math.ceil(updates.length / 2);
    return [...(await writeContacts(transport, updates.slice(0, half), names)), ...(await writeContacts(transport, updates.slice(half), names))];
  }
}

const readResponse = z.object({ results: z.array(z.object({ id: z.string(), properties: z.record(z.string(), z.string().nullable()) })) });

/** The plugin's fields as HubSpot holds them now (batch read, 100 a call); unknown ids are absent. */
export async function readContactValues(
  transport: HubSpotTransport,
  recordIds: string[],
  names: Record<FieldKey, string>,
  specs: ReadonlyMap<FieldKey, FieldSpec>,
): Promise<Map<string, FieldValues>> {
  const out = new Map<string, FieldValues>();
  for (let i = 0; i < recordIds.length; i += 100) {
    const inputs = recordIds.slice(i, i + 100).map((id) => ({ id }));
    const response = await transport.call('api', `batch read ${inputs.length} contacts`, (c) =>
      c.crm.contacts.batchApi.readWithHttpInfo({ inputs, properties: Object.values(names), propertiesWithHistory: [] }),
    );
    for (const r of readResponse.parse(response.data).results) out.set(r.id, canonicalFieldValues((key) => r.properties[names[key]], specs).values);
  }
  return out;
}
