/** Batch create, read and update of contacts or deals: at most 100 inputs, 200/201 or 207. */
import { z } from 'zod';
import type { ApiRoute, RouteContext } from './api.ts';
import type { Core } from './core.ts';
import { HubSpotError, badRequest, invalidValues, ruleRefusals, type ValueIssue } from './errors.ts';
import { parseJsonBody, parseQuery, parseWith, type Reply } from './http.ts';
import { associationInputs, boolParam, idValue, objectViews, propertyValues, readScopes, writeScopes, type AssociationTarget } from './objectViews.ts';
import { OBJECT_TYPE_IDS, resolveObjectType, type ObjectType } from './schema.ts';
import type { Snap } from './store.ts';
import { enforcesRules } from './versions.ts';

const MAX_BATCH = 100;

const archivedQuery = z.object({ archived: boolParam });

const batchCreateBody = z.object({
  inputs: z.array(z.object({ properties: propertyValues, associations: associationInputs, objectWriteTraceId: z.string().optional() })),
});

const batchReadBody = z.object({
  inputs: z.array(z.object({ id: idValue })),
  properties: z.array(z.string()).optional(),
  propertiesWithHistory: z.array(z.string()).optional(),
  idProperty: z.string().optional(),
});

const batchUpdateBody = z.object({
  inputs: z.array(z.object({
    id: idValue,
    properties: propertyValues,
    idProperty: z.string().optional(),
    objectWriteTraceId: z.string().optional(),
  })),
});

function missingIdsError(type: ObjectType, ids: readonly string[]): Record<string, unknown> {
  return {
    status: 'error',
    category: 'OBJECT_NOT_FOUND',
    subCategory: 'crm.objects.OBJECT_NOT_FOUND',
    message: `Could not get some ${type === 'contacts' ? 'CONTACT' : 'DEAL'} objects, they may be deleted or not exist. Check that ids are valid.`,
    context: { ids: [...ids] },
  };
}

/** A record's values as a write would leave them (null clears). */
export function afterWrite(snap: Snap | undefined, changes: Record<string, string | null>): Record<string, string> {
  const props: Record<string, string> = { ...snap?.props };
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) delete props[k];
    else props[k] = v;
  }
  return props;
}

function checkBatchSize(n: number): void {
  if (n > MAX_BATCH) throw badRequest(`Batch input size ${n} exceeds the limit of ${MAX_BATCH} inputs per request`);
}

function batchEnvelope(results: unknown[], errors: Record<string, unknown>[], startedAt: string): Reply {
  const body: Record<string, unknown> = { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() };
  if (errors.length === 0) return { status: 200, body };
  return { status: 207, body: { ...body, numErrors: errors.length, errors } };
}

export function batchRoutes(core: Core): ApiRoute[] {
  const { store, writer } = core;
  const { render, renderWrite, findBy, associationTargets, createWith } = objectViews(core);

  /**
   * Batch create: one invalid input fails the whole request, unless every input carries an
   * objectWriteTraceId, in which case the valid ones are created and the rest reported (207).
   */
  const batchCreate = ({ req, params }: RouteContext): Reply => {
    const startedAt = new Date().toISOString();
    const type = resolveObjectType(params.objectType);
    const body = parseWith(batchCreateBody, parseJsonBody(req), 'BatchInputSimplePublicObjectBatchInputForCreate');
    checkBatchSize(body.inputs.length);
    const traced = body.inputs.length > 0 && body.inputs.every((i) => i.objectWriteTraceId !== undefined);
    const planned: { changes: Record<string, string | null>; targets: AssociationTarget[]; written: string[] }[] = [];
    const errors: Record<string, unknown>[] = [];
    const issues: ValueIssue[] = [];
    const emails = new Set<string>();
    for (const input of body.inputs) {
      const checked = writer.check(type, input.properties);
      let failure: HubSpotError | undefined = checked.issues.length > 0 ? invalidValues(checked.issues, writer.portalId) : undefined;
      let targets: AssociationTarget[] = [];
      if (failure === undefined) {
        try {
          writer.checkEmail(type, checked.changes);
          const email = checked.changes.email?.toLowerCase();
          if (email && emails.has(email)) throw new HubSpotError(409, 'CONFLICT', `Duplicate email in batch input: ${email}`);
          if (email) emails.add(email);
          targets = associationTargets(type, input.associations);
        } catch (error) {
          if (!(error instanceof HubSpotError)) throw error;
          failure = error;
        }
      }
      if (failure === undefined) planned.push({ changes: checked.changes, targets, written: Object.keys(input.properties) });
      else if (traced) {
        errors.push({ status: 'error', category: failure.category, message: failure.message, context: { objectWriteTraceId: [input.objectWriteTraceId] }, ...failure.extra });
      } else if (checked.issues.length > 0) issues.push(...checked.issues);
      else throw failure;
    }
    if (issues.length > 0) throw invalidValues(issues, writer.portalId);
    const results = planned.map((p) => renderWrite(type, createWith(type, p.changes, p.targets), p.written));
    const envelope = { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() };
    return errors.length === 0 ? { status: 201, body: envelope } : { status: 207, body: { ...envelope, numErrors: errors.length, errors } };
  };

  const batchRead = ({ req, params }: RouteContext): Reply => {
    const startedAt = new Date().toISOString();
    const type = resolveObjectType(params.objectType);
    const { archived } = parseQuery(archivedQuery, req.query);
    const body = parseWith(batchReadBody, parseJsonBody(req), 'BatchReadInputSimplePublicObjectId');
    checkBatchSize(body.inputs.length);
    const results: Record<string, unknown>[] = [];
    const missing: string[] = [];
    for (const id of new Set(body.inputs.map((i) => i.id))) {
      const snap = findBy(type, id, body.idProperty);
      if (snap === undefined || snap.archived !== archived) missing.push(id);
      else results.push(render(type, snap, body));
    }
    return batchEnvelope(results, missing.length > 0 ? [missingIdsError(type, missing)] : [], startedAt);
  };

  const batchUpdate = ({ req, params, version }: RouteContext): Reply => {
    const startedAt = new Date().toISOString();
    const type = resolveObjectType(params.objectType);
    const body = parseWith(batchUpdateBody, parseJsonBody(req), 'BatchInputSimplePublicObjectBatchInput');
    checkBatchSize(body.inputs.length);
    for (const input of body.inputs) {
      // Reported behaviour of batch update by email: refused, record ids are required.
      if (input.idProperty !== undefined && input.idProperty !== 'hs_object_id') {
        throw badRequest(`Unable to perform update/upsert by non-unique ${OBJECT_TYPE_IDS[type]} property`);
      }
    }
    const counts = new Map<string, number>();
    for (const input of body.inputs) counts.set(input.id, (counts.get(input.id) ?? 0) + 1);
    const duplicates = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    if (duplicates.length > 0) {
      throw badRequest(`Duplicate IDs found in batch input: [${duplicates.join(', ')}]. IDs must be unique`, { context: { ids: duplicates } });
    }
    // Validate everything first: one invalid value fails the whole request.
    const found: { snap: Snap; changes: Record<string, string | null>; written: string[] }[] = [];
    const missing: string[] = [];
    const issues: ValueIssue[] = [];
    for (const input of body.inputs) {
      const snap = store.table(type).get(input.id);
      if (snap === undefined || snap.archived) {
        missing.push(input.id);
        continue;
      }
      const checked = writer.check(type, input.properties, snap);
      issues.push(...checked.issues);
      found.push({ snap, changes: checked.changes, written: Object.keys(input.properties) });
    }
    if (issues.length > 0) throw invalidValues(issues, writer.portalId);
    if (enforcesRules(version)) {
      // From 2026-09 the account's validation rules apply; like an invalid value, a breach refuses the batch.
      const refusals = found.flatMap((f) => core.rules.check(type, afterWrite(f.snap, f.changes), f.written).map((r) => ({ id: f.snap.id, ...r })));
      if (refusals.length > 0) throw ruleRefusals(refusals, writer.portalId);
    }
    for (const f of found) writer.checkEmail(type, f.changes, f.snap.id);
    const results = found.map((f) => renderWrite(type, writer.update(type, f.snap, f.changes), f.written));
    core.stats.batchUpdateInputs += found.length;
    return batchEnvelope(results, missing.length > 0 ? [missingIdsError(type, missing)] : [], startedAt);
  };

  return [
    { method: 'post', path: '/crm/v3/objects/:objectType/batch/create', scopes: writeScopes, handle: batchCreate },
    { method: 'post', path: '/crm/v3/objects/:objectType/batch/read', scopes: readScopes, handle: batchRead },
    { method: 'post', path: '/crm/v3/objects/:objectType/batch/update', scopes: writeScopes, handle: batchUpdate },
  ];
}
