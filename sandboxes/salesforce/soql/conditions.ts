/**
 * WHERE clauses compiled to predicates over records, with the literal/field type rules SOQL enforces
 * (dates only against date fields, unquoted numbers, valid ids...), plus the facts the planner uses to
 * avoid scanning: id lookups, lookups through a reference field, and ranges on one field.
 */
import { canonicalId } from '../ids.ts';
import type { ObjectSchema } from '../registry.ts';
import type { FieldDef, FieldType, Value } from '../schema.ts';
import type { Rec } from '../store.ts';
import { dayOf, isNumberType, isTextType, sortKey } from '../values.ts';
import type { IndexKey } from '../orderedIndex.ts';
import type { ComparisonOperator, Condition, FieldPath, Literal } from './ast.ts';
import type { CurrencyConverter } from './currency.ts';
import { dateLiteralRange } from './dateLiterals.ts';
import { invalidField, invalidFilter, malformed } from './errors.ts';
import { resolvePath, type ResolvedPath, type Resolver } from './paths.ts';

export type Predicate = (rec: Rec) => boolean;

export interface Bound {
  key: IndexKey;
  inclusive: boolean;
}

/** What the planner may use: facts implied by top-level AND terms. */
export interface Hints {
  /** The record ids the result must be among. */
  ids?: Set<string>;
  /** A reference field of the queried object and the parent ids it must hold. */
  parents?: { field: FieldDef; ids: Set<string> };
  /** Key ranges on fields of the queried object. */
  ranges: Map<FieldDef, { lower?: Bound; upper?: Bound }>;
}

export interface ConditionContext extends Resolver {
  now: number;
  currency: CurrencyConverter | undefined;
  /** Runs a semi-join subquery and returns the values of its one selected field. */
  semiJoin(query: Extract<Condition, { kind: 'semijoin' }>, outer: ResolvedPath): Set<string>;
}

const TYPE_NAME: Partial<Record<FieldType, string>> = {
  id: 'id', reference: 'id', boolean: 'boolean', int: 'int', double: 'double', currency: 'double', percent: 'double', date: 'date', datetime: 'dateTime',
};

function typeError(ctx: ConditionContext, path: ResolvedPath, pos: number): Error {
  const t = path.field.type;
  const quoted = isTextType(t) || t === 'id' || t === 'reference';
  return invalidField(ctx.text, pos, `value of filter criterion for field '${path.field.name}' must be of type ${TYPE_NAME[t] ?? 'string'} and should ${quoted ? '' : 'not '}be enclosed in quotes`);
}

/** A literal turned into the stored representation of the field's type; null for the null literal. */
type Operand = { kind: 'value'; value: Value } | { kind: 'range'; start: Value; end: Value } | { kind: 'currency'; iso: string; amount: number };

function operand(ctx: ConditionContext, path: ResolvedPath, lit: Literal): Operand {
  const t = path.field.type;
  if (lit.kind === 'null') return { kind: 'value', value: null };
  if (t === 'id' || t === 'reference') {
    if (lit.kind !== 'string') throw typeError(ctx, path, lit.pos);
    const id = canonicalId(lit.value);
    if (id === undefined) throw invalidFilter(ctx.text, lit.pos, `invalid ID field: ${lit.value}`);
    return { kind: 'value', value: id };
  }
  if (isTextType(t)) {
    if (lit.kind !== 'string') throw typeError(ctx, path, lit.pos);
    return { kind: 'value', value: lit.value };
  }
  if (t === 'boolean') {
    if (lit.kind !== 'boolean') throw typeError(ctx, path, lit.pos);
    return { kind: 'value', value: lit.value };
  }
  if (isNumberType(t)) {
    if (lit.kind === 'number') return { kind: 'value', value: lit.value };
    if (lit.kind === 'currency') {
      if (t !== 'currency' || ctx.currency === undefined) throw malformed(ctx.text, lit.pos, `unexpected token: '${lit.iso}${lit.value}'`);
      if (ctx.currency.rate(lit.iso) === undefined) throw invalidField(ctx.text, lit.pos, `invalid currency code: ${lit.iso}`);
      return { kind: 'currency', iso: lit.iso, amount: lit.value };
    }
    throw typeError(ctx, path, lit.pos);
  }
  if (lit.kind === 'dateLiteral') {
    const range = dateLiteralRange(lit.name, lit.n, ctx.now);
    if (range === undefined) throw malformed(ctx.text, lit.pos, `unexpected token: '${lit.name}'`);
    return t === 'date' ? { kind: 'range', start: dayOf(range.start), end: dayOf(range.end) } : { kind: 'range', start: range.start, end: range.end };
  }
  if (t === 'date' && lit.kind === 'date') return { kind: 'value', value: lit.value };
  if (t === 'datetime' && lit.kind === 'datetime') return { kind: 'value', value: lit.value };
  throw typeError(ctx, path, lit.pos);
}

function key(field: FieldDef, v: Value): IndexKey {
  return sortKey(field, v);
}

function compareOp(op: ComparisonOperator, c: number): boolean {
  switch (op) {
    case '=':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
  }
}

function cmp(a: IndexKey, b: IndexKey): number {
  return a === b ? 0 : (a as string | number) < (b as string | number) ? -1 : 1;
}

function comparison(path: ResolvedPath, op: ComparisonOperator, value: Operand, currency: CurrencyConverter | undefined): Predicate {
  const f = path.field;
  if (value.kind === 'range') {
    const start = key(f, value.start);
    const end = key(f, value.end);
    return (rec) => {
      const v = key(f, path.get(rec));
      if (v === null) return op === '!=';
      switch (op) {
        case '=':
          return cmp(v, start) >= 0 && cmp(v, end) < 0;
        case '!=':
          return cmp(v, start) < 0 || cmp(v, end) >= 0;
        case '<':
          return cmp(v, start) < 0;
        case '<=':
          return cmp(v, end) < 0;
        case '>':
          return cmp(v, end) >= 0;
        case '>=':
          return cmp(v, start) >= 0;
      }
    };
  }
  if (value.kind === 'currency') {
    return (rec) => {
      const owner = path.owner(rec);
      const v = owner?.[f.name];
      if (typeof v !== 'number' || owner === undefined || currency === undefined) return op === '!=';
      const target = currency.convert(value.amount, value.iso, String(owner.CurrencyIsoCode ?? currency.corporate));
      return compareOp(op, cmp(v, target));
    };
  }
  const expected = key(f, value.value);
  if (expected === null) {
    if (op === '=') return (rec) => path.get(rec) === null;
    if (op === '!=') return (rec) => path.get(rec) !== null;
    return () => false;
  }
  return (rec) => {
    const v = key(f, path.get(rec));
    // SOQL's != matches records without a value; ordering operators never do.
    if (v === null) return op === '!=';
    return compareOp(op, cmp(v, expected));
  };
}

/** LIKE pattern to a case-insensitive regular expression; \% and \_ are literal characters. */
function likeRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && (pattern[i + 1] === '%' || pattern[i + 1] === '_')) {
      source += pattern[i + 1];
      i++;
    } else if (c === '%') source += '.*';
    else if (c === '_') source += '.';
    else source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'is');
}

function filterable(ctx: ConditionContext, path: ResolvedPath, pos: number): void {
  if (path.field.type === 'textarea' && path.field.length > 255) {
    throw invalidField(ctx.text, pos, `field '${path.field.name}' can not be filtered in a query call`);
  }
}

function addRange(hints: Hints, field: FieldDef, side: 'lower' | 'upper', bound: Bound): void {
  const r = hints.ranges.get(field) ?? {};
  const prev = r[side];
  if (prev === undefined || (side === 'lower' ? cmp(bound.key, prev.key) > 0 : cmp(bound.key, prev.key) < 0)) r[side] = bound;
  hints.ranges.set(field, r);
}

function intersect(a: Set<string> | undefined, b: Set<string>): Set<string> {
  return a === undefined ? b : new Set([...a].filter((x) => b.has(x)));
}

/** Records the planner facts implied by one top-level AND term. */
function hint(hints: Hints, root: ObjectSchema, path: ResolvedPath, op: ComparisonOperator | 'in', values: Operand[]): void {
  if (path.steps.length > 0 || path.object !== root) return;
  const f = path.field;
  const plain = values.every((v) => v.kind === 'value' && v.value !== null);
  if ((op === '=' || op === 'in') && plain && (f.type === 'id' || f.type === 'reference')) {
    const ids = new Set(values.map((v) => String((v as { value: Value }).value)));
    if (f.type === 'id') hints.ids = intersect(hints.ids, ids);
    else if (hints.parents === undefined) hints.parents = { field: f, ids };
    return;
  }
  if (op === 'in' || op === '!=' || values.length !== 1) return;
  const v = values[0];
  if (v.kind === 'currency') return;
  if (v.kind === 'range') {
    const start = key(f, v.start);
    const end = key(f, v.end);
    if (op === '=' || op === '>=') addRange(hints, f, 'lower', { key: start, inclusive: true });
    if (op === '>') addRange(hints, f, 'lower', { key: end, inclusive: true });
    if (op === '=' || op === '<=') addRange(hints, f, 'upper', { key: end, inclusive: false });
    if (op === '<') addRange(hints, f, 'upper', { key: start, inclusive: false });
    return;
  }
  const k = key(f, v.value);
  if (k === null) return;
  if (op === '=' || op === '>=' || op === '>') addRange(hints, f, 'lower', { key: k, inclusive: op !== '>' });
  if (op === '=' || op === '<=' || op === '<') addRange(hints, f, 'upper', { key: k, inclusive: op !== '<' });
}

export function compileCondition(ctx: ConditionContext, root: ObjectSchema, cond: Condition, hints: Hints, topLevel = true): Predicate {
  const resolve = (p: FieldPath): ResolvedPath => resolvePath(ctx, root, p);
  switch (cond.kind) {
    case 'and': {
      const parts = cond.items.map((c) => compileCondition(ctx, root, c, hints, topLevel));
      return (rec) => parts.every((p) => p(rec));
    }
    case 'or': {
      const none: Hints = { ranges: new Map() };
      const parts = cond.items.map((c) => compileCondition(ctx, root, c, none, false));
      return (rec) => parts.some((p) => p(rec));
    }
    case 'not': {
      const inner = compileCondition(ctx, root, cond.item, { ranges: new Map() }, false);
      return (rec) => !inner(rec);
    }
    case 'compare': {
      const path = resolve(cond.path);
      filterable(ctx, path, cond.path.pos);
      const value = operand(ctx, path, cond.value);
      if (path.field.type === 'boolean' && cond.op !== '=' && cond.op !== '!=') throw invalidFilter(ctx.text, cond.value.pos, `invalid operator on boolean field: ${cond.op}`);
      if (topLevel) hint(hints, root, path, cond.op, [value]);
      return comparison(path, cond.op, value, ctx.currency);
    }
    case 'like': {
      const path = resolve(cond.path);
      filterable(ctx, path, cond.path.pos);
      if (!isTextType(path.field.type)) throw invalidField(ctx.text, cond.pos, `invalid operator on ${TYPE_NAME[path.field.type] ?? path.field.type} field: LIKE`);
      const re = likeRegExp(cond.pattern);
      return (rec) => {
        const v = path.get(rec);
        return typeof v === 'string' && re.test(v);
      };
    }
    case 'in': {
      const path = resolve(cond.path);
      filterable(ctx, path, cond.path.pos);
      const values = cond.values.map((l) => operand(ctx, path, l));
      if (values.some((v) => v.kind !== 'value')) throw malformed(ctx.text, cond.path.pos, 'IN takes a list of plain values');
      const keys = new Set(values.map((v) => key(path.field, (v as { value: Value }).value)));
      if (topLevel && !cond.negated) hint(hints, root, path, 'in', values);
      const f = path.field;
      return cond.negated ? (rec) => !keys.has(key(f, path.get(rec))) : (rec) => keys.has(key(f, path.get(rec)));
    }
    case 'includes': {
      const path = resolve(cond.path);
      if (path.field.type !== 'multipicklist') throw invalidField(ctx.text, cond.path.pos, `${cond.excludes ? 'excludes' : 'includes'} operator is only valid on multi-select picklist fields`);
      const wanted = cond.values.map((v) => v.value.split(';').map((s) => s.trim().toUpperCase()));
      const test = (rec: Rec): boolean => {
        const v = path.get(rec);
        if (typeof v !== 'string') return false;
        const have = new Set(v.split(';').map((s) => s.toUpperCase()));
        return wanted.some((all) => all.every((w) => have.has(w)));
      };
      return cond.excludes ? (rec) => !test(rec) : test;
    }
    case 'semijoin': {
      if (!topLevel) throw malformed(ctx.text, cond.pos, 'Semi join sub-selects are only allowed at the top level WHERE expressions and not in nested WHERE expressions.');
      const path = resolve(cond.path);
      if (path.field.type !== 'id' && path.field.type !== 'reference') {
        throw malformed(ctx.text, cond.path.pos, `Semi join sub-selects can only be used with Id or reference fields, cannot use: '${path.field.name}'`);
      }
      const ids = ctx.semiJoin(cond, path);
      if (!cond.negated) hint(hints, root, path, 'in', [...ids].map((id) => ({ kind: 'value', value: id })));
      return cond.negated ? (rec) => {
        const v = path.get(rec);
        return v === null || !ids.has(String(v));
      } : (rec) => ids.has(String(path.get(rec)));
    }
  }
}
