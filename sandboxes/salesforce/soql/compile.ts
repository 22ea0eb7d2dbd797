/**
 * A parsed query resolved against the schema, the running user's field access and the clock: what to
 * select, how to filter and order, and the hints the executor uses to avoid full scans.
 */
import { SalesforceError } from '../errors.ts';
import type { ObjectSchema } from '../registry.ts';
import type { AggregateFunction, Query } from './ast.ts';
import { compileCondition, type ConditionContext, type Hints, type Predicate } from './conditions.ts';
import type { CurrencyConverter } from './currency.ts';
import { invalidField, invalidType, malformed } from './errors.ts';
import { selectRecords } from './execute.ts';
import { resolvePath, type ResolvedPath, type Resolver } from './paths.ts';
import { isNumberType } from '../values.ts';

export interface QueryEnv extends Resolver {
  now: number;
  currency: CurrencyConverter | undefined;
  /** queryAll: deleted records are included. */
  scanAll: boolean;
}

export interface OrderKey {
  path: ResolvedPath;
  descending: boolean;
  nullsFirst: boolean;
}

export type SelectPlan =
  | { kind: 'field'; path: ResolvedPath }
  | { kind: 'convert'; path: ResolvedPath; key: string }
  | { kind: 'subquery'; key: string; referenceField: string; query: CompiledQuery };

export interface AggregatePlan {
  key: string;
  fn: AggregateFunction;
  path?: ResolvedPath;
}

export interface CompiledQuery {
  object: ObjectSchema;
  mode: 'records' | 'count' | 'aggregate';
  predicate: Predicate;
  hints: Hints;
  order: OrderKey[];
  limit?: number;
  offset: number;
  select: SelectPlan[];
  aggregates: AggregatePlan[];
  groupBy: ResolvedPath[];
  scanAll: boolean;
  hasSubqueries: boolean;
  /** Paths of the selected fields, in order, for the Bulk CSV header. */
  columns: ResolvedPath[];
}

const MAX_OFFSET = 2000;

function unsortable(path: ResolvedPath): boolean {
  const t = path.field.type;
  return t === 'multipicklist' || (t === 'textarea' && path.field.length > 255);
}

function conditionContext(env: QueryEnv): ConditionContext {
  return {
    ...env,
    semiJoin(cond, outer) {
      const sub = cond.query;
      const object = env.registry.object(sub.from.name);
      if (object === undefined) throw invalidType(env.text, sub.from.pos, sub.from.name);
      const compiled = compileQuery({ ...env, scanAll: false }, sub, { object });
      const only = compiled.select.length === 1 && sub.select.length === 1 ? compiled.select[0] : undefined;
      if (only === undefined || only.kind !== 'field' || (only.path.field.type !== 'id' && only.path.field.type !== 'reference')) {
        const name = sub.select[0].kind === 'field' ? sub.select[0].path.parts.join('.') : 'expression';
        throw malformed(env.text, cond.pos, `semi join sub selects can only query id fields, cannot use: '${name}'`);
      }
      const innerTarget = only.path.field.type === 'id' ? only.path.object.def.name : only.path.field.referenceTo[0];
      const outerTarget = outer.field.type === 'id' ? outer.object.def.name : outer.field.referenceTo[0];
      if (innerTarget !== outerTarget) {
        throw malformed(env.text, cond.pos, `The selected field '${only.path.field.name}' in the subquery and the left operand field in the where expression in the outer query '${outer.field.name}' should point to the same object type`);
      }
      const ids = new Set<string>();
      for (const rec of selectRecords(env.store, compiled)) {
        const v = only.path.get(rec);
        if (typeof v === 'string') ids.add(v);
      }
      return ids;
    },
  };
}

/** Compiles a query against `object` (the FROM object, already resolved by the caller). */
export function compileQuery(env: QueryEnv, q: Query, options: { object: ObjectSchema; child?: boolean }): CompiledQuery {
  const root = options.object;
  if (q.offset !== undefined && q.offset > MAX_OFFSET) {
    throw new SalesforceError(400, 'NUMBER_OUTSIDE_VALID_RANGE', `Maximum SOQL offset allowed is ${MAX_OFFSET}`);
  }
  const hints: Hints = { ranges: new Map() };
  const predicate: Predicate = q.where === undefined ? () => true : compileCondition(conditionContext(env), root, q.where, hints);
  const select: SelectPlan[] = [];
  const aggregates: AggregatePlan[] = [];
  const columns: ResolvedPath[] = [];
  const seen = new Set<string>();
  let countAll = false;
  let unaliased = 0;
  for (const item of q.select) {
    switch (item.kind) {
      case 'field': {
        const path = resolvePath(env, root, item.path);
        const name = path.text.toLowerCase();
        if (seen.has(name)) throw malformed(env.text, item.path.pos, `duplicate field selected: ${path.text}`);
        seen.add(name);
        select.push({ kind: 'field', path });
        columns.push(path);
        break;
      }
      case 'convertCurrency': {
        const path = resolvePath(env, root, item.arg);
        if (env.currency === undefined) throw invalidField(env.text, item.pos, 'convertCurrency() is only available when multiple currencies are enabled');
        if (path.field.type !== 'currency') throw invalidField(env.text, item.arg.pos, `convertCurrency() can only be used with currency fields: ${path.field.name}`);
        const key = item.alias ?? path.field.name;
        if (seen.has(key.toLowerCase())) throw malformed(env.text, item.pos, `duplicate field selected: ${key}`);
        seen.add(key.toLowerCase());
        select.push({ kind: 'convert', path, key });
        columns.push(path);
        break;
      }
      case 'aggregate': {
        if (item.arg === undefined) {
          countAll = true;
          break;
        }
        const path = resolvePath(env, root, item.arg);
        if ((item.fn === 'SUM' || item.fn === 'AVG') && !isNumberType(path.field.type)) {
          throw malformed(env.text, item.arg.pos, `field ${path.field.name} does not support aggregate operator ${item.fn}`);
        }
        aggregates.push({ key: item.alias ?? `expr${unaliased++}`, fn: item.fn, path });
        break;
      }
      case 'subquery': {
        if (options.child === true) throw malformed(env.text, item.pos, 'unexpected token: (');
        const rel = root.childRelationship(item.query.from.name);
        const child = rel === undefined ? undefined : env.registry.object(rel.childSObject);
        if (rel === undefined || child === undefined) {
          throw new SalesforceError(400, 'INVALID_TYPE', `\n${env.text}\nERROR\nDidn't understand relationship '${item.query.from.name}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`);
        }
        select.push({ kind: 'subquery', key: rel.relationshipName, referenceField: rel.field, query: compileQuery(env, item.query, { object: child, child: true }) });
        break;
      }
    }
  }
  if (countAll && q.select.length > 1) throw malformed(env.text, q.select[0].kind === 'field' ? q.select[0].path.pos : 0, 'COUNT() must be the only element in the SELECT list');
  const groupBy = q.groupBy.map((p) => resolvePath(env, root, p));
  const mode = countAll ? 'count' : aggregates.length > 0 || groupBy.length > 0 ? 'aggregate' : 'records';
  if (mode === 'aggregate') {
    const grouped = new Set(groupBy.map((g) => g.text.toLowerCase()));
    for (const s of select) {
      if (s.kind === 'subquery') throw malformed(env.text, 0, 'Aggregate queries do not support subqueries');
      if (!grouped.has(s.path.text.toLowerCase())) throw malformed(env.text, 0, `Field must be grouped or aggregated: ${s.path.field.name}`);
    }
  }
  const order = q.orderBy.map((o) => {
    const path = resolvePath(env, root, o.path);
    if (unsortable(path)) throw invalidField(env.text, o.path.pos, `field '${path.field.name}' can not be sorted in a query call`);
    return { path, descending: o.descending, nullsFirst: (o.nulls ?? 'first') === 'first' };
  });
  return {
    object: root,
    mode,
    predicate,
    hints,
    order,
    ...(q.limit === undefined ? {} : { limit: q.limit }),
    offset: q.offset ?? 0,
    select,
    aggregates,
    groupBy,
    scanAll: env.scanAll,
    hasSubqueries: select.some((s) => s.kind === 'subquery'),
    columns,
  };
}
