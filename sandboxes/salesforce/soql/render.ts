/**
 * Query results as the REST API writes them: `attributes {type, url}` on every record, parent fields
 * nested under the relationship name (null when the lookup is empty), child subqueries as nested query
 * results (null when there are none), and the Bulk API's flat CSV rows.
 */
import type { Value } from '../schema.ts';
import type { Rec, Store } from '../store.ts';
import { toCsv, toJson } from '../values.ts';
import type { CompiledQuery } from './compile.ts';
import type { CurrencyConverter } from './currency.ts';
import { selectRecords } from './execute.ts';

export interface RenderEnv {
  store: Store;
  version: string;
  currency: CurrencyConverter | undefined;
  userId: string | null;
}

type Json = Record<string, unknown>;

export function attributes(type: string, id: Value, version: string): { type: string; url: string } {
  return { type, url: `/services/data/v${version}/sobjects/${type}/${String(id)}` };
}

export interface Rendered {
  record: Json;
  /** Child rows included, which count towards the batch size (S19). */
  childRows: number;
}

export function renderRecord(env: RenderEnv, q: CompiledQuery, rec: Rec): Rendered {
  const out: Json = { attributes: attributes(q.object.def.name, rec.Id, env.version) };
  let childRows = 0;
  for (const s of q.select) {
    switch (s.kind) {
      case 'field': {
        const { path } = s;
        let container = out;
        let at: Rec = rec;
        let empty = false;
        for (const step of path.steps) {
          const rel = step.relationshipName ?? step.name;
          if (container[rel] === null) {
            empty = true;
            break;
          }
          const parentId: Value | undefined = at[step.name];
          const parent: Rec | undefined = typeof parentId === 'string' ? env.store.table(step.referenceTo[0]).get(parentId) : undefined;
          if (parent === undefined) {
            container[rel] = null;
            empty = true;
            break;
          }
          if (container[rel] === undefined) container[rel] = { attributes: attributes(step.referenceTo[0], parent.Id, env.version) };
          container = container[rel] as Json;
          at = parent;
        }
        if (!empty) container[path.field.name] = toJson(path.field, at[path.field.name]);
        break;
      }
      case 'convert': {
        const owner = s.path.owner(rec);
        const v = owner?.[s.path.field.name];
        out[s.key] = typeof v !== 'number' || env.currency === undefined || owner === undefined
          ? null
          : env.currency.convert(v, String(owner.CurrencyIsoCode ?? env.currency.corporate), env.currency.userCurrency(env.userId));
        break;
      }
      case 'subquery': {
        const parentId = rec.Id;
        const reference = s.query.object.field(s.referenceField);
        if (reference === undefined) throw new Error(`no field ${s.referenceField}`);
        const inner = s.query.predicate;
        const childQuery: CompiledQuery = {
          ...s.query,
          // The parent restriction is part of the predicate too: the hints only choose what to read.
          predicate: (c) => c[reference.name] === parentId && inner(c),
          hints: { ...s.query.hints, parents: { field: reference, ids: new Set([String(parentId)]) } },
        };
        const children = selectRecords(env.store, childQuery);
        childRows += children.length;
        out[s.key] = children.length === 0 ? null : {
          totalSize: children.length,
          done: true,
          records: children.map((c) => renderRecord(env, s.query, c).record),
        };
        break;
      }
    }
  }
  return { record: out, childRows };
}

export function csvHeader(q: CompiledQuery): string[] {
  return q.select.map((s) => (s.kind === 'subquery' ? s.key : s.kind === 'convert' ? s.key : s.path.text));
}

export function csvRow(env: RenderEnv, q: CompiledQuery, rec: Rec): string[] {
  return q.select.map((s) => {
    if (s.kind === 'subquery') return '';
    if (s.kind === 'convert') {
      const v = renderRecord(env, { ...q, select: [s] }, rec).record[s.key];
      return typeof v === 'number' ? String(v) : '';
    }
    return toCsv(s.path.field, s.path.get(rec));
  });
}
