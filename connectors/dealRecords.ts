/**
 * Reading deals' MEDDIC levels and the plugin's deal outputs from CRM text, the same for every CRM
 * (mapping only: what the levels mean for a score is the engine's).
 */
import { canonicalValuesOf, DEAL_OUTPUT_KEYS, type DealDisplay, type DealFieldKey, type DealFieldValues, type DealOutputKey, type FieldSpec, MEDDIC_ELEMENTS, MEDDIC_INPUT_KEY, MEDDIC_LEVELS, type MeddicElement, type MeddicLevel, quoted } from './contract/index.ts';

const LEVELS: ReadonlySet<string> = new Set(MEDDIC_LEVELS);

/** A deal's name and stage label for people (spaces collapsed, cut at 200 characters); undefined when the CRM shows neither. */
export function dealDisplayFrom(parts: { name?: string | null; stage?: string | null }): DealDisplay | undefined {
  const out: DealDisplay = {};
  for (const key of ['name', 'stage'] as const) {
    const v = parts[key]?.replace(/\s+/g, ' ').trim();
    if (v) out[key] = v.length > 200 ? `${v.slice(0, 199)}…` : v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Each element's level from its input field: null when the field is empty or was not read; a value that
 * is not a level (a mapped field with options of its own) is reported and read as null.
 */
export function meddicFrom(
  raw: (key: DealFieldKey) => string | null | undefined,
  fields: readonly DealFieldKey[],
  problem: (reason: string) => void,
  nameOf: (key: DealFieldKey) => string,
): Record<MeddicElement, MeddicLevel | null> {
  const out = {} as Record<MeddicElement, MeddicLevel | null>;
  for (const e of MEDDIC_ELEMENTS) {
    const key = MEDDIC_INPUT_KEY[e];
    const v = fields.includes(key) ? raw(key) : null;
    if (v === null || v === undefined || v.trim() === '') out[e] = null;
    else if (LEVELS.has(v.trim())) out[e] = v.trim() as MeddicLevel;
    else {
      problem(`${nameOf(key)} holds ${quoted(v)}, which is not one of ${MEDDIC_LEVELS.join(', ')}`);
      out[e] = null;
    }
  }
  return out;
}

/** The plugin's deal outputs among `fields`, canonical; a value that does not fit its type is reported and read as null. */
export function dealOutputsFrom(
  raw: (key: DealOutputKey) => string | null | undefined,
  fields: readonly DealFieldKey[],
  specs: ReadonlyMap<DealFieldKey, FieldSpec<DealFieldKey>>,
  problem: (reason: string) => void,
  nameOf: (key: DealFieldKey) => string,
): DealFieldValues {
  const keys = DEAL_OUTPUT_KEYS.filter((k) => fields.includes(k));
  const { values, invalid } = canonicalValuesOf<DealOutputKey>(keys, raw, specs as ReadonlyMap<DealOutputKey, FieldSpec<DealOutputKey>>);
  for (const key of invalid) problem(`${nameOf(key)} holds ${quoted(String(raw(key)))}, which is not a valid ${specs.get(key)?.type}; it will be rewritten`);
  return values;
}

/** Epoch ms of a CRM date or datetime text (ISO-8601, or epoch milliseconds), or null. */
export function timeFromText(text: string | null | undefined): number | null {
  if (text === null || text === undefined || text.trim() === '') return null;
  const t = text.trim();
  const ms = /^\d{10,}$/.test(t) ? Number(t) : Date.parse(t);
  return Number.isFinite(ms) ? ms : null;
}

/** A non-negative count from CRM text, or null. */
export function countFromText(text: string | null | undefined): number | null {
  if (text === null || text === undefined || text.trim() === '') return null;
  const n = Number(text);
  return Number.isInteger(n) && n >= 0 ? n : null;
}
