/**
 * Running SOQL for a user: parse, compile against the schema and field-level security, execute. Shared
 * by the REST query resource and Bulk API 2.0 query jobs.
 */
import type { Core } from './core.ts';
import type { Query } from './soql/ast.ts';
import { compileQuery, type CompiledQuery } from './soql/compile.ts';
import { invalidType } from './soql/errors.ts';
import { aggregateRows, countRecords, selectRecords } from './soql/execute.ts';
import { parseSoql } from './soql/parser.ts';
import type { Rec } from './store.ts';

export type QueryResult =
  | { kind: 'records'; query: CompiledQuery; records: readonly Rec[] }
  | { kind: 'count'; query: CompiledQuery; count: number }
  | { kind: 'aggregate'; query: CompiledQuery; rows: Record<string, unknown>[] };

export function compileSoql(core: Core, soql: string, userId: string | null, scanAll: boolean): { parsed: Query; compiled: CompiledQuery } {
  const parsed = parseSoql(soql);
  const object = core.registry.object(parsed.from.name);
  if (object === undefined) throw invalidType(soql, parsed.from.pos, parsed.from.name);
  const compiled = compileQuery({ registry: core.registry, store: core.store, fls: core.fls, userId, text: soql, now: core.clock(), currency: core.currency, scanAll }, parsed, { object });
  return { parsed, compiled };
}

export function runQuery(core: Core, compiled: CompiledQuery): QueryResult {
  switch (compiled.mode) {
    case 'records':
      return { kind: 'records', query: compiled, records: selectRecords(core.store, compiled) };
    case 'count':
      return { kind: 'count', query: compiled, count: countRecords(core.store, compiled) };
    case 'aggregate':
      return { kind: 'aggregate', query: compiled, rows: aggregateRows(core.store, compiled) };
  }
}
