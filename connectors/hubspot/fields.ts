/**
 * The plugin's properties in HubSpot, one object's set at a time — the customer object's (contacts, or companies) and deals' — as I/O: read the property definitions (and whether the
 * plugin's property group exists) into the contract's terms, and carry out the engine's plan — the
 * group, properties created, properties updated (retired options are hidden, HubSpot's way of keeping
 * a value valid without offering it). Which properties are the plugin's and what is a conflict is the
 * engine's decision (src/sync/fieldPolicy.ts).
 */
import type { PropertyCreateFieldTypeEnum, PropertyCreateTypeEnum } from '@hubspot/api-client/lib/codegen/crm/properties/index.js';
import { z } from 'zod';
import type { ExistingField, FieldKey, FieldOption, FieldPlan, FieldSpec, FieldsState, FieldType } from '../contract/index.ts';
import type { CustomerObject, HubSpotSettings } from './settings.ts';
import { HubSpotHttpError, type HubSpotTransport } from './transport.ts';

/** HubSpot's property type of each field type (the values of the SDK's PropertyCreateTypeEnum). */
const HUBSPOT_TYPE_NAME: Record<FieldType, string> = { enumeration: 'enumeration', text: 'string', number: 'number', datetime: 'datetime' };

/**
 * The SDK's enums for creating a property, loaded when fields are created: the SDK's properties module
 * costs a sixth of a second to import, and the registry (so every command) imports this file.
 */
async function hubspotTypes(): Promise<Record<FieldType, { type: PropertyCreateTypeEnum; fieldType: PropertyCreateFieldTypeEnum }>> {
  const { PropertyCreateFieldTypeEnum: FieldTypes, PropertyCreateTypeEnum: Types } = await import('@hubspot/api-client/lib/codegen/crm/properties/index.js');
  return {
    enumeration: { type: Types.Enumeration, fieldType: FieldTypes.Select },
    text: { type: Types.String, fieldType: FieldTypes.Textarea },
    number: { type: Types.Number, fieldType: FieldTypes.Number },
    datetime: { type: Types.Datetime, fieldType: FieldTypes.Date },
  };
}

const option = z.object({ value: z.string(), label: z.string(), hidden: z.boolean().optional(), displayOrder: z.number().optional() }).passthrough();
const property = z
  .object({ name: z.string(), label: z.string(), type: z.string(), groupName: z.string(), description: z.string().optional(), options: z.array(option).optional() })
  .passthrough();
const properties = z.object({ results: z.array(property) });
const groups = z.object({ results: z.array(z.object({ name: z.string() }).passthrough()) });

/** HubSpot's option list: display order as given, retired options hidden. */
function hubspotOptions(options: FieldOption[]): { label: string; value: string; displayOrder: number; hidden: boolean }[] {
  return options.map((o, i) => ({ label: o.label, value: o.value, displayOrder: i, hidden: !o.active }));
}

/** A create that lost a race with another process (409: it exists now) is as good as done. */
async function createIfAbsent(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (error) {
    if (!(error instanceof HubSpotHttpError && error.status === 409)) throw error;
  }
}

/** One object's plugin properties: the customer object's (contacts or companies: the customer fields) or deals' (the deal fields). */
export interface PropertySet<K extends string> {
  objectType: CustomerObject | 'deals';
  names: Record<K, string>;
  /** The keys the admin mapped to properties of their own (never created or altered). */
  mapped: ReadonlySet<K>;
}

/** The customer fields' properties, on the customer object. */
export function contactProperties(settings: HubSpotSettings, names: Record<FieldKey, string>): PropertySet<FieldKey> {
  return { objectType: settings.customerObject, names, mapped: new Set(Object.keys(settings.fieldNames) as FieldKey[]) };
}

const SINGULAR = { contacts: 'contact', companies: 'company', deals: 'deal' } as const;

/** Two requests: the object's property groups and its properties. */
export async function readHubSpotFields<K extends string>(transport: HubSpotTransport, specs: FieldSpec<K>[], settings: HubSpotSettings, set: PropertySet<K>): Promise<FieldsState<K>> {
  const { objectType, names } = set;
  const singular = SINGULAR[objectType];
  // The contacts' wording as it always was (reports and tests read it); deals and companies say so.
  const groupsOf = objectType === 'contacts' ? '' : `${singular} `;
  const existingGroups = groups.parse((await transport.call('api', `list ${groupsOf}property groups`, (c) => c.crm.properties.groupsApi.getAllWithHttpInfo(objectType))).data);
  const all = properties.parse((await transport.call('api', `list ${singular} properties`, (c) => c.crm.properties.coreApi.getAllWithHttpInfo(objectType))).data).results;
  const byName = new Map(all.map((p) => [p.name, p]));
  const existing: FieldsState<K>['existing'] = {};
  for (const spec of specs) {
    const p = byName.get(names[spec.key]);
    if (!p) continue;
    const field: ExistingField<K> = {
      key: spec.key,
      name: p.name,
      crmType: p.type,
      compatible: p.type === HUBSPOT_TYPE_NAME[spec.type],
      label: p.label,
      description: p.description ?? '',
      options: (p.options ?? []).map((o) => ({ value: o.value, label: o.label, active: o.hidden !== true })),
      maxLength: null,
      decimals: null,
      readable: true,
    };
    existing[spec.key] = field;
  }
  const groupMissing = !existingGroups.results.some((g) => g.name === settings.groupName);
  return {
    names: Object.fromEntries(specs.map((s) => [s.key, { name: names[s.key], mapped: set.mapped.has(s.key) }])) as FieldsState<K>['names'],
    existing,
    setup: groupMissing ? [`create ${objectType === 'deals' ? 'deal ' : ''}property group ${settings.groupName}${objectType === 'companies' ? ' on companies' : ''}`] : [],
    labelMaxLength: null,
    inPlace: false,
  };
}

export async function applyHubSpotFields<K extends string>(transport: HubSpotTransport, plan: FieldPlan<K>, settings: HubSpotSettings, objectType: CustomerObject | 'deals'): Promise<{ other: string[] }> {
  if (plan.setup.length > 0) {
    await createIfAbsent(() =>
      transport.call('api', 'create property group', (c) => c.crm.properties.groupsApi.createWithHttpInfo(objectType, { name: settings.groupName, label: settings.groupLabel, displayOrder: -1 })),
    );
  }
  const types = await hubspotTypes();
  for (const [i, { spec, name }] of plan.create.entries()) {
    const type = types[spec.type];
    await createIfAbsent(() =>
      transport.call('api', `create property ${name}`, (c) =>
        c.crm.properties.coreApi.createWithHttpInfo(objectType, {
          name,
          label: spec.label,
          description: spec.description,
          groupName: settings.groupName,
          type: type.type,
          fieldType: type.fieldType,
          displayOrder: i,
          formField: false,
          ...(spec.options ? { options: hubspotOptions(spec.options.map((o) => ({ ...o, active: true }))) } : {}),
        }),
      ),
    );
  }
  for (const u of plan.update) {
    const patch = { label: u.spec.label, description: u.spec.description, ...(u.spec.type === 'enumeration' ? { options: hubspotOptions(u.options) } : {}) };
    await transport.call('api', `update property ${u.name}`, (c) => c.crm.properties.coreApi.updateWithHttpInfo(objectType, u.name, patch));
  }
  return { other: plan.setup };
}
