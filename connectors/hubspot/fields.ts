/**
 * The plugin's contact properties in HubSpot: a property group and one property per field. Missing ones
 * are created; the plugin's own enumerations follow the configured stages (old options are hidden, not
 * deleted, so existing values stay valid). A property of the wrong type, or one with the plugin's name
 * that the plugin did not create, is an error before anything is created or written.
 */
import { PropertyCreateFieldTypeEnum, PropertyCreateTypeEnum } from '@hubspot/api-client/lib/codegen/crm/properties/index.js';
import { z } from 'zod';
import { MANAGED_MARK } from '../../src/sync/fields.ts';
import { ConnectorError, type FieldKey, type FieldSpec, type FieldsReport, type FieldType } from '../types.ts';
import type { HubSpotSettings } from './settings.ts';
import { HubSpotHttpError, type HubSpotTransport } from './transport.ts';

const HUBSPOT_TYPE: Record<FieldType, { type: PropertyCreateTypeEnum; fieldType: PropertyCreateFieldTypeEnum }> = {
  enumeration: { type: PropertyCreateTypeEnum.Enumeration, fieldType: PropertyCreateFieldTypeEnum.Select },
  text: { type: PropertyCreateTypeEnum.String, fieldType: PropertyCreateFieldTypeEnum.Textarea },
  number: { type: PropertyCreateTypeEnum.Number, fieldType: PropertyCreateFieldTypeEnum.Number },
  datetime: { type: PropertyCreateTypeEnum.Datetime, fieldType: PropertyCreateFieldTypeEnum.Date },
};

const option = z.object({ value: z.string(), label: z.string(), hidden: z.boolean().optional(), displayOrder: z.number().optional() }).passthrough();
const property = z
  .object({ name: z.string(), label: z.string(), type: z.string(), groupName: z.string(), description: z.string().optional(), options: z.array(option).optional() })
  .passthrough();
const properties = z.object({ results: z.array(property) });
const groups = z.object({ results: z.array(z.object({ name: z.string() }).passthrough()) });

type HubSpotOption = { label: string; value: string; displayOrder: number; hidden: boolean };

/** Desired options first, in order; options that are no longer configured stay, hidden. */
function mergedOptions(spec: FieldSpec, existing: z.infer<typeof option>[]): { options: HubSpotOption[]; changed: string[] } {
  const desired = spec.options ?? [];
  const out: HubSpotOption[] = desired.map((o, i) => ({ label: o.label, value: o.value, displayOrder: i, hidden: false }));
  const changed: string[] = [];
  for (const o of desired) {
    const before = existing.find((e) => e.value === o.value);
    if (!before) changed.push(`add option ${o.value}`);
    else if (before.label !== o.label || before.hidden) changed.push(`option ${o.value} label "${o.label}"`);
  }
  existing
    .filter((e) => !desired.some((o) => o.value === e.value))
    .forEach((e, i) => {
      if (!e.hidden) changed.push(`hide option ${e.value}`);
      out.push({ label: e.label, value: e.value, displayOrder: desired.length + i, hidden: true });
    });
  return { options: out, changed };
}

/** A create that lost a race with another process (409: it exists now) is as good as done. */
async function createIfAbsent(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (error) {
    if (!(error instanceof HubSpotHttpError && error.status === 409)) throw error;
  }
}

export async function ensureHubSpotFields(
  transport: HubSpotTransport,
  specs: FieldSpec[],
  settings: HubSpotSettings,
  names: Record<FieldKey, string>,
  dryRun: boolean,
): Promise<FieldsReport> {
  const report: FieldsReport = { ok: [], created: [], updated: [], other: [] };
  const existingGroups = groups.parse((await transport.call('api', 'list property groups', (c) => c.crm.properties.groupsApi.getAllWithHttpInfo('contacts'))).data);
  const existing = properties.parse((await transport.call('api', 'list contact properties', (c) => c.crm.properties.coreApi.getAllWithHttpInfo('contacts'))).data).results;
  const byName = new Map(existing.map((p) => [p.name, p]));

  const conflicts: string[] = [];
  const toCreate: FieldSpec[] = [];
  const toUpdate: { spec: FieldSpec; patch: Record<string, unknown>; change: string }[] = [];
  for (const spec of specs) {
    const name = names[spec.key];
    const current = byName.get(name);
    const expected = HUBSPOT_TYPE[spec.type];
    const mapped = settings.fieldNames[spec.key] !== undefined;
    if (!current) {
      if (mapped) conflicts.push(`${name} (mapped for ${spec.key}) does not exist in HubSpot`);
      else toCreate.push(spec);
      continue;
    }
    const expectedType: string = expected.type;
    if (current.type !== expectedType) {
      conflicts.push(`${name} exists with type ${current.type}, but ${spec.key} needs ${expected.type}`);
      continue;
    }
    const ours = current.groupName === settings.groupName && (current.description ?? '').startsWith(MANAGED_MARK);
    if (!ours && !mapped) {
      conflicts.push(`${name} exists but was not created by Lifecycle Sync (group ${current.groupName}); choose another fieldPrefix or map it in hubspot.fieldNames`);
      continue;
    }
    if (!ours) {
      // A property the admin mapped: never altered, but it must accept every value we write.
      const missing = (spec.options ?? []).filter((o) => !(current.options ?? []).some((e) => e.value === o.value)).map((o) => o.value);
      if (missing.length > 0) conflicts.push(`${name} (mapped for ${spec.key}) lacks the options ${missing.join(', ')}`);
      else report.ok.push({ key: spec.key, name });
      continue;
    }
    const patch: Record<string, unknown> = {};
    const changes: string[] = [];
    if (current.label !== spec.label) {
      patch.label = spec.label;
      changes.push(`label "${spec.label}"`);
    }
    if ((current.description ?? '') !== spec.description) patch.description = spec.description;
    if (spec.type === 'enumeration') {
      const merged = mergedOptions(spec, current.options ?? []);
      if (merged.changed.length > 0) {
        patch.options = merged.options;
        changes.push(...merged.changed);
      }
    }
    if (Object.keys(patch).length > 0) toUpdate.push({ spec, patch, change: changes.join(', ') || 'description' });
    else report.ok.push({ key: spec.key, name });
  }
  if (conflicts.length > 0) throw new ConnectorError('FIELD_CONFLICT', `HubSpot properties need attention before anything is written: ${conflicts.join('; ')}`);

  if (!existingGroups.results.some((g) => g.name === settings.groupName)) {
    report.other.push(`create property group ${settings.groupName}`);
    if (!dryRun) {
      await createIfAbsent(() =>
        transport.call('api', 'create property group', (c) =>
          c.crm.properties.groupsApi.createWithHttpInfo('contacts', { name: settings.groupName, label: settings.groupLabel, displayOrder: -1 }),
        ),
      );
    }
  }
  for (const [i, spec] of toCreate.entries()) {
    const name = names[spec.key];
    report.created.push({ key: spec.key, name });
    if (dryRun) continue;
    const type = HUBSPOT_TYPE[spec.type];
    await createIfAbsent(() => transport.call('api', `create property ${name}`, (c) =>
      c.crm.properties.coreApi.createWithHttpInfo('contacts', {
        name,
        label: spec.label,
        description: spec.description,
        groupName: settings.groupName,
        type: type.type,
        fieldType: type.fieldType,
        displayOrder: i,
        formField: false,
        ...(spec.options ? { options: spec.options.map((o, k) => ({ label: o.label, value: o.value, displayOrder: k, hidden: false })) } : {}),
      }),
    ));
  }
  for (const u of toUpdate) {
    const name = names[u.spec.key];
    report.updated.push({ key: u.spec.key, name, change: u.change });
    if (!dryRun) await transport.call('api', `update property ${name}`, (c) => c.crm.properties.coreApi.updateWithHttpInfo('contacts', name, u.patch));
  }
  return report;
}
