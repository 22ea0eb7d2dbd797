/**
 * Property definitions and groups per object type: the defaults HubSpot ships plus created ones, with
 * the create/update rules of the Properties API v3.
 */
import { z } from 'zod';
import { HubSpotError, badRequest, notFound } from './errors.ts';
import { iso } from './http.ts';
import {
  BOOL_OPTIONS, DEFAULT_GROUPS, FIELD_TYPES, OBJECT_TYPES, OBJECT_TYPE_IDS, PROPERTY_TYPES, defaultProperties,
  type ObjectType, type PropertyDefinition, type PropertyGroup, type PropertyOption, type PropertyType,
} from './schema.ts';

const optionInput = z.object({
  label: z.string(),
  value: z.string(),
  displayOrder: z.number().int().optional(),
  hidden: z.boolean().optional(),
  description: z.string().optional(),
});

export const propertyCreateSchema = z.object({
  name: z.string(),
  label: z.string(),
  type: z.string(),
  fieldType: z.string(),
  groupName: z.string(),
  description: z.string().optional(),
  displayOrder: z.number().int().optional(),
  hidden: z.boolean().optional(),
  formField: z.boolean().optional(),
  hasUniqueValue: z.boolean().optional(),
  options: z.array(optionInput).optional(),
  calculationFormula: z.string().optional(),
  referencedObjectType: z.string().optional(),
  externalOptions: z.boolean().optional(),
});
export type PropertyCreate = z.output<typeof propertyCreateSchema>;

export const propertyUpdateSchema = z.object({
  label: z.string().optional(),
  type: z.string().optional(),
  fieldType: z.string().optional(),
  groupName: z.string().optional(),
  description: z.string().optional(),
  displayOrder: z.number().int().optional(),
  hidden: z.boolean().optional(),
  formField: z.boolean().optional(),
  options: z.array(optionInput).optional(),
  calculationFormula: z.string().optional(),
});
export type PropertyUpdate = z.output<typeof propertyUpdateSchema>;

export const groupCreateSchema = z.object({
  name: z.string(),
  label: z.string(),
  displayOrder: z.number().int().optional(),
});

/** HubSpot's internal-name rule as the UI states it; the API's exact rule is undocumented. */
const NAME_PATTERN = /^[a-z][a-z0-9_]{0,99}$/;
const MAX_UNIQUE_PROPERTIES = 10;

function conflict(message: string): HubSpotError {
  return new HubSpotError(409, 'OBJECT_ALREADY_EXISTS', message);
}

function checkTypePair(type: string, fieldType: string): PropertyType {
  const t = PROPERTY_TYPES.find((p) => p === type);
  if (t === undefined) throw badRequest(`Invalid property type: ${type}. Valid types: ${PROPERTY_TYPES.join(', ')}`);
  if (!FIELD_TYPES[t].includes(fieldType)) {
    throw badRequest(`Invalid fieldType ${fieldType} for property type ${t}. Valid fieldTypes: ${FIELD_TYPES[t].join(', ')}`);
  }
  return t;
}

function buildOptions(type: PropertyType, input: PropertyCreate['options']): PropertyOption[] {
  if (type === 'bool') return (input && input.length > 0 ? input : BOOL_OPTIONS).map((o, i) => option(o, i));
  if (type !== 'enumeration') return [];
  const options = (input ?? []).map((o, i) => option(o, i));
  const seen = new Set<string>();
  for (const o of options) {
    if (o.value === '') throw badRequest('Option values must not be empty');
    if (seen.has(o.value)) throw badRequest(`Duplicate option value: ${o.value}`);
    seen.add(o.value);
  }
  return options;
}

function option(o: { label: string; value: string; displayOrder?: number; hidden?: boolean; description?: string }, i: number): PropertyOption {
  return { label: o.label, value: o.value, displayOrder: o.displayOrder ?? i, hidden: o.hidden ?? false, description: o.description ?? '' };
}

export type PropertyChangeListener = (type: ObjectType, name: string) => void;

export class PropertyRegistry {
  private readonly clock: () => number;
  private readonly props = new Map<ObjectType, Map<string, PropertyDefinition>>();
  private readonly groups = new Map<ObjectType, Map<string, PropertyGroup>>();
  private readonly listeners: PropertyChangeListener[] = [];

  constructor(clock: () => number) {
    this.clock = clock;
    for (const type of OBJECT_TYPES) {
      this.props.set(type, new Map(defaultProperties(type).map((p) => [p.name, p])));
      this.groups.set(type, new Map(DEFAULT_GROUPS[type].map((g) => [g.name, { ...g }])));
    }
  }

  /** Called when a definition changes in a way that affects stored values (type, options, archive). */
  onChange(listener: PropertyChangeListener): void {
    this.listeners.push(listener);
  }

  private table(type: ObjectType): Map<string, PropertyDefinition> {
    const t = this.props.get(type);
    if (t === undefined) throw new Error(`no properties for ${type}`);
    return t;
  }

  private groupTable(type: ObjectType): Map<string, PropertyGroup> {
    const t = this.groups.get(type);
    if (t === undefined) throw new Error(`no groups for ${type}`);
    return t;
  }

  list(type: ObjectType, archived = false): PropertyDefinition[] {
    return [...this.table(type).values()].filter((p) => p.archived === archived);
  }

  /** A live (not archived) property, or undefined. */
  get(type: ObjectType, name: string): PropertyDefinition | undefined {
    const p = this.table(type).get(name);
    return p === undefined || p.archived ? undefined : p;
  }

  getOrThrow(type: ObjectType, name: string, archived = false): PropertyDefinition {
    const p = this.table(type).get(name);
    if (p === undefined || p.archived !== archived) {
      throw notFound(`Unable to find property ${name} for object type ${OBJECT_TYPE_IDS[type]}`);
    }
    return p;
  }

  create(type: ObjectType, input: PropertyCreate): PropertyDefinition {
    if (!NAME_PATTERN.test(input.name)) {
      throw badRequest(`Property name ${input.name} is invalid: names must start with a lowercase letter and contain only lowercase letters, digits and underscores`);
    }
    const existing = this.table(type).get(input.name);
    if (existing !== undefined) {
      throw conflict(existing.archived ? `${input.name} already exists (archived)` : `${input.name} already exists`);
    }
    if (input.label.trim() === '') throw badRequest('Property label must not be empty');
    const propertyType = checkTypePair(input.type, input.fieldType);
    if (this.groupTable(type).get(input.groupName)?.archived !== false) {
      throw badRequest(`Property group ${input.groupName} does not exist`);
    }
    const calculated = input.fieldType === 'calculation_equation';
    if (calculated && (input.calculationFormula ?? '').trim() === '') {
      throw badRequest('calculationFormula is required for fieldType calculation_equation');
    }
    if (input.hasUniqueValue === true && this.list(type).filter((p) => p.hasUniqueValue).length >= MAX_UNIQUE_PROPERTIES) {
      throw badRequest(`An object can have at most ${MAX_UNIQUE_PROPERTIES} unique value properties`);
    }
    const now = iso(this.clock());
    const definition: PropertyDefinition = {
      name: input.name,
      label: input.label,
      type: propertyType,
      fieldType: input.fieldType,
      groupName: input.groupName,
      description: input.description ?? '',
      displayOrder: input.displayOrder ?? -1,
      hidden: input.hidden ?? false,
      formField: input.formField ?? false,
      hasUniqueValue: input.hasUniqueValue ?? false,
      hubspotDefined: false,
      calculated,
      externalOptions: input.externalOptions ?? false,
      showCurrencySymbol: false,
      ...(calculated ? { calculationFormula: input.calculationFormula } : {}),
      options: buildOptions(propertyType, input.options),
      readOnlyValue: calculated,
      readOnlyDefinition: false,
      createdAt: now,
      updatedAt: now,
      archived: false,
    };
    this.table(type).set(definition.name, definition);
    return definition;
  }

  update(type: ObjectType, name: string, input: PropertyUpdate): PropertyDefinition {
    const current = this.getOrThrow(type, name);
    if (current.readOnlyDefinition) throw badRequest(`The definition of HubSpot-defined property ${name} cannot be modified`);
    const propertyType = checkTypePair(input.type ?? current.type, input.fieldType ?? current.fieldType);
    const groupName = input.groupName ?? current.groupName;
    if (this.groupTable(type).get(groupName)?.archived !== false) throw badRequest(`Property group ${groupName} does not exist`);
    const calculated = (input.fieldType ?? current.fieldType) === 'calculation_equation';
    const formula = input.calculationFormula ?? current.calculationFormula;
    if (calculated && (formula ?? '').trim() === '') throw badRequest('calculationFormula is required for fieldType calculation_equation');
    // New options replace the list; stored values that are no longer options are kept, as HubSpot does.
    const options = input.options !== undefined || propertyType !== current.type
      ? buildOptions(propertyType, input.options ?? current.options)
      : current.options;
    const updated: PropertyDefinition = {
      ...current,
      label: input.label ?? current.label,
      type: propertyType,
      fieldType: input.fieldType ?? current.fieldType,
      groupName,
      description: input.description ?? current.description,
      displayOrder: input.displayOrder ?? current.displayOrder,
      hidden: input.hidden ?? current.hidden,
      formField: input.formField ?? current.formField,
      calculated,
      ...(calculated ? { calculationFormula: formula } : { calculationFormula: undefined }),
      options,
      readOnlyValue: calculated,
      updatedAt: iso(this.clock()),
    };
    this.table(type).set(name, updated);
    if (updated.type !== current.type || input.options !== undefined) this.listeners.forEach((l) => l(type, name));
    return updated;
  }

  archive(type: ObjectType, name: string): void {
    const current = this.getOrThrow(type, name);
    if (current.hubspotDefined) throw badRequest(`HubSpot-defined property ${name} cannot be archived`);
    const now = iso(this.clock());
    this.table(type).set(name, { ...current, archived: true, archivedAt: now, updatedAt: now });
    this.listeners.forEach((l) => l(type, name));
  }

  listGroups(type: ObjectType): PropertyGroup[] {
    return [...this.groupTable(type).values()].filter((g) => !g.archived);
  }

  getGroup(type: ObjectType, name: string): PropertyGroup {
    const g = this.groupTable(type).get(name);
    if (g === undefined || g.archived) throw notFound(`Unable to find property group ${name} for object type ${OBJECT_TYPE_IDS[type]}`);
    return g;
  }

  createGroup(type: ObjectType, input: z.output<typeof groupCreateSchema>): PropertyGroup {
    if (!NAME_PATTERN.test(input.name)) {
      throw badRequest(`Property group name ${input.name} is invalid: names must start with a lowercase letter and contain only lowercase letters, digits and underscores`);
    }
    if (this.groupTable(type).has(input.name)) throw conflict(`${input.name} already exists`);
    if (input.label.trim() === '') throw badRequest('Property group label must not be empty');
    const group: PropertyGroup = { name: input.name, label: input.label, displayOrder: input.displayOrder ?? -1, archived: false };
    this.groupTable(type).set(group.name, group);
    return group;
  }
}

/** The wire shape of a property definition (SDK model `Property`). */
export function propertyJson(p: PropertyDefinition): Record<string, unknown> {
  return {
    updatedAt: p.updatedAt,
    createdAt: p.createdAt,
    name: p.name,
    label: p.label,
    type: p.type,
    fieldType: p.fieldType,
    description: p.description,
    groupName: p.groupName,
    options: p.options.map((o) => ({ ...o })),
    ...(p.hubspotDefined ? {} : { createdUserId: '1', updatedUserId: '1' }),
    ...(p.calculationFormula === undefined ? {} : { calculationFormula: p.calculationFormula }),
    displayOrder: p.displayOrder,
    calculated: p.calculated,
    externalOptions: p.externalOptions,
    hasUniqueValue: p.hasUniqueValue,
    hidden: p.hidden,
    hubspotDefined: p.hubspotDefined,
    showCurrencySymbol: p.showCurrencySymbol,
    modificationMetadata: {
      archivable: !p.hubspotDefined,
      readOnlyDefinition: p.readOnlyDefinition,
      readOnlyValue: p.readOnlyValue,
      ...(p.type === 'enumeration' ? { readOnlyOptions: p.hubspotDefined } : {}),
    },
    formField: p.formField,
    dataSensitivity: 'non_sensitive',
    archived: p.archived,
    ...(p.archivedAt === undefined ? {} : { archivedAt: p.archivedAt }),
  };
}
