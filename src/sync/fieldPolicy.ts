/**
 * The field policy, decided once for every CRM: from what the connector read of the CRM's fields
 * (FieldsState), which fields are the plugin's own (they carry the ownership mark), which must be
 * created, which brought to their specification, and what is a conflict that stops a run before anything
 * is created or written (a field of the wrong type, one with the plugin's name it did not create, a
 * mapped field that cannot hold every value). Enumeration options no longer configured are retired
 * (hidden or deactivated), never deleted: records may still hold them. The same policy serves the
 * customer object's fields and the deal object's (`Connector.deals`): both are a FieldSetup over their keys.
 */
import { ConnectorError, type FieldSetup, type ExistingField, type FieldKey, type FieldOption, type FieldPlan, type FieldSpec, type FieldsReport, type FieldsState } from '../../connectors/contract/index.ts';
import { MANAGED_MARK } from './fields.ts';

/** Desired options first, in order, active; options no longer configured stay, retired. */
function mergedOptions<K extends string>(spec: FieldSpec<K>, existing: FieldOption[]): { options: FieldOption[]; changes: string[] } {
  const desired = spec.options ?? [];
  const changes: string[] = [];
  for (const o of desired) {
    const before = existing.find((e) => e.value === o.value);
    if (!before) changes.push(`add option ${o.value}`);
    else if (!before.active) changes.push(`reactivate option ${o.value}`);
    else if (before.label !== o.label) changes.push(`option ${o.value} label "${o.label}"`);
  }
  const retired = existing.filter((e) => !desired.some((o) => o.value === e.value));
  for (const e of retired) if (e.active) changes.push(`retire option ${e.value}`);
  return { options: [...desired.map((o) => ({ value: o.value, label: o.label, active: true })), ...retired.map((e) => ({ ...e, active: false }))], changes };
}

/** What differs between one of the plugin's own fields and its specification. */
function changesOf<K extends string>(spec: FieldSpec<K>, current: ExistingField<K>, labelMaxLength: number | null): { changes: string[]; options: FieldOption[] } {
  const changes: string[] = [];
  const label = labelMaxLength === null ? spec.label : spec.label.slice(0, labelMaxLength);
  if (current.label !== label) changes.push(`label "${label}"`);
  let options = current.options;
  if (spec.type === 'enumeration') {
    const merged = mergedOptions(spec, current.options);
    options = merged.options;
    changes.push(...merged.changes);
  }
  if (spec.type === 'number' && current.decimals !== null && current.decimals < (spec.decimals ?? 2)) changes.push(`${spec.decimals ?? 2} decimals`);
  if (spec.type === 'text' && current.maxLength !== null && spec.maxLength !== undefined && current.maxLength < spec.maxLength) changes.push(`length ${spec.maxLength}`);
  // A description of ours that no longer says what the configuration does (thresholds in it changed).
  if (changes.length === 0 && !descriptionMatches(current.description, spec.description)) changes.push('description');
  return { changes, options };
}

/** CRMs cut long descriptions: a stored one that is the start of the wanted one matches. */
function descriptionMatches(stored: string, wanted: string): boolean {
  return stored === wanted || (stored.length >= 255 && wanted.startsWith(stored));
}

/** The plan for the fields, or a FIELD_CONFLICT naming every field that needs the admin's attention. */
export function planFields<K extends string = FieldKey>(specs: FieldSpec<K>[], state: FieldsState<K>, crmLabel: string): FieldPlan<K> {
  const plan: FieldPlan<K> = { create: [], update: [], ok: [], setup: state.setup, ownershipMark: MANAGED_MARK };
  if (state.inPlace) {
    plan.ok = specs.map((spec) => ({ key: spec.key, name: state.names[spec.key].name }));
    return plan;
  }
  const conflicts: string[] = [];
  for (const spec of specs) {
    const { name, mapped } = state.names[spec.key];
    const current = state.existing[spec.key];
    if (!current) {
      if (mapped) conflicts.push(`${name} (mapped for ${spec.key}) does not exist`);
      else plan.create.push({ spec, name });
      continue;
    }
    if (!current.compatible) {
      conflicts.push(`${name} exists with type ${current.crmType}, but ${spec.key} needs ${spec.type}`);
      continue;
    }
    const ours = current.description.startsWith(MANAGED_MARK);
    if (!ours && !mapped) {
      conflicts.push(`${name} exists but was not created by Lifecycle Sync; choose another fieldPrefix, or map ${spec.key} to it in the configuration's fieldNames`);
      continue;
    }
    if (!ours) {
      // A field the admin mapped is never altered, but it must accept every value the plugin writes.
      const missing = (spec.options ?? []).filter((o) => !current.options.some((e) => e.value === o.value && e.active)).map((o) => o.value);
      if (missing.length > 0) conflicts.push(`${name} (mapped for ${spec.key}) lacks the options ${missing.join(', ')}`);
      else plan.ok.push({ key: spec.key, name });
      continue;
    }
    const { changes, options } = changesOf(spec, current, state.labelMaxLength);
    if (changes.length > 0) plan.update.push({ spec, name, change: changes.join(', '), options });
    else plan.ok.push({ key: spec.key, name });
  }
  if (conflicts.length > 0) throw new ConnectorError('FIELD_CONFLICT', `${crmLabel} fields need attention before anything is written: ${conflicts.join('; ')}`);
  return plan;
}

export interface FieldsOutcome<K extends string = FieldKey> {
  report: FieldsReport<K>;
  /** The fields a pull can read now: all after set-up; in a dry run, those that exist and are readable. */
  readable: K[];
}

/**
 * The fields step of a run, before the first pull (a pull reads the plugin's fields; on Salesforce they
 * are invisible until set-up has granted access): read, plan, and — unless a dry run, or nothing is to
 * be done — have the connector carry the plan out.
 */
export async function ensureFields<K extends string = FieldKey>(connector: FieldSetup<K>, specs: FieldSpec<K>[], options: { dryRun: boolean }): Promise<FieldsOutcome<K>> {
  const state = await connector.readFields(specs);
  const plan = planFields(specs, state, connector.label);
  const pending = plan.create.length + plan.update.length + plan.setup.length > 0;
  const other = !pending ? [] : options.dryRun ? plan.setup : (await connector.applyFields(plan)).other;
  const report: FieldsReport<K> = {
    ok: plan.ok,
    created: plan.create.map((c) => ({ key: c.spec.key, name: c.name })),
    updated: plan.update.map((u) => ({ key: u.spec.key, name: u.name, change: u.change })),
    other,
  };
  const readable = options.dryRun && !state.inPlace ? specs.map((s) => s.key).filter((key) => state.existing[key]?.readable === true) : specs.map((s) => s.key);
  return { report, readable };
}
