/**
 * A recursive-descent parser for the SOQL the REST query resource accepts (the subset listed in the
 * README). Logical operators follow the documented rule: AND and OR cannot be mixed without
 * parentheses, and NOT applies to a single (parenthesised or plain) expression (S66 and the logical
 * operators page) — so there is no precedence to guess.
 */
import { parseDateTime } from '../values.ts';
import type { AggregateFunction, ComparisonOperator, Condition, FieldPath, Literal, OrderItem, Query, SelectItem } from './ast.ts';
import { malformed } from './errors.ts';
import { tokenize, type Token } from './lexer.ts';

const AGGREGATES = new Set<AggregateFunction>(['COUNT', 'COUNT_DISTINCT', 'MIN', 'MAX', 'SUM', 'AVG']);
/** Words that end a field list or expression; they cannot be aliases. */
const CLAUSE_WORDS = new Set(['FROM', 'WHERE', 'GROUP', 'ORDER', 'LIMIT', 'OFFSET', 'AND', 'OR', 'NOT', 'ASC', 'DESC', 'NULLS', 'HAVING', 'WITH', 'FOR', 'USING']);
const CURRENCY_LITERAL = /^([A-Z]{3})(\d+(?:\.\d+)?)$/;

class Parser {
  private readonly tokens: Token[];
  private i = 0;
  private readonly text: string;

  constructor(text: string) {
    this.text = text;
    this.tokens = tokenize(text);
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    const t = this.peek();
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }

  private isWord(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'ident' && t.text.toUpperCase() === word;
  }

  private isOp(op: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.text === op;
  }

  private unexpected(t: Token = this.peek()): Error {
    const shown = t.kind === 'eof' ? '<EOF>' : t.kind === 'string' ? `'${t.raw}'` : `'${t.text}'`;
    return malformed(this.text, t.pos, `unexpected token: ${shown}`);
  }

  private expectWord(word: string): Token {
    if (!this.isWord(word)) throw this.unexpected();
    return this.next();
  }

  private expectOp(op: string): Token {
    if (!this.isOp(op)) throw this.unexpected();
    return this.next();
  }

  parse(): Query {
    const q = this.query(false);
    if (this.peek().kind !== 'eof') throw this.unexpected();
    return q;
  }

  private query(nested: boolean): Query {
    this.expectWord('SELECT');
    const select: SelectItem[] = [this.selectItem(nested)];
    while (this.isOp(',')) {
      this.next();
      select.push(this.selectItem(nested));
    }
    this.expectWord('FROM');
    const fromToken = this.next();
    if (fromToken.kind !== 'ident') throw this.unexpected(fromToken);
    const q: Query = { select, from: { name: fromToken.text, pos: fromToken.pos }, groupBy: [], orderBy: [], text: this.text };
    if (this.isWord('WHERE')) {
      this.next();
      q.where = this.condition();
    }
    if (this.isWord('GROUP')) {
      this.next();
      this.expectWord('BY');
      q.groupBy.push(this.fieldPath());
      while (this.isOp(',')) {
        this.next();
        q.groupBy.push(this.fieldPath());
      }
    }
    if (this.isWord('ORDER')) {
      this.next();
      this.expectWord('BY');
      q.orderBy.push(this.orderItem());
      while (this.isOp(',')) {
        this.next();
        q.orderBy.push(this.orderItem());
      }
    }
    if (this.isWord('LIMIT')) {
      this.next();
      q.limit = this.nonNegativeInteger();
    }
    if (this.isWord('OFFSET')) {
      this.next();
      q.offset = this.nonNegativeInteger();
    }
    return q;
  }

  private nonNegativeInteger(): number {
    const t = this.next();
    if (t.kind !== 'number' || !/^\d+$/.test(t.text)) throw this.unexpected(t);
    return t.value;
  }

  private fieldPath(): FieldPath {
    const first = this.next();
    if (first.kind !== 'ident') throw this.unexpected(first);
    const parts = [first.text];
    while (this.isOp('.')) {
      this.next();
      const t = this.next();
      if (t.kind !== 'ident') throw this.unexpected(t);
      parts.push(t.text);
    }
    return { parts, pos: first.pos };
  }

  private alias(): string | undefined {
    const t = this.peek();
    if (t.kind === 'ident' && !CLAUSE_WORDS.has(t.text.toUpperCase())) {
      this.next();
      return t.text;
    }
    return undefined;
  }

  private selectItem(nested: boolean): SelectItem {
    const t = this.peek();
    if (this.isOp('(')) {
      if (nested) throw this.unexpected();
      this.next();
      const query = this.query(true);
      this.expectOp(')');
      return { kind: 'subquery', query, pos: t.pos };
    }
    const after = this.peek(1);
    if (t.kind === 'ident' && after.kind === 'op' && after.text === '(') {
      const name = t.text.toUpperCase();
      this.next();
      this.next();
      if (AGGREGATES.has(name as AggregateFunction)) {
        const fn = name as AggregateFunction;
        if (fn === 'COUNT' && this.isOp(')')) {
          this.next();
          return { kind: 'aggregate', fn, pos: t.pos };
        }
        const arg = this.fieldPath();
        this.expectOp(')');
        return { kind: 'aggregate', fn, arg, alias: this.alias(), pos: t.pos };
      }
      if (name === 'CONVERTCURRENCY') {
        const arg = this.fieldPath();
        this.expectOp(')');
        return { kind: 'convertCurrency', arg, alias: this.alias(), pos: t.pos };
      }
      throw malformed(this.text, t.pos, `Unknown function: ${t.text}`);
    }
    return { kind: 'field', path: this.fieldPath() };
  }

  private orderItem(): OrderItem {
    const path = this.fieldPath();
    let descending = false;
    if (this.isWord('ASC')) this.next();
    else if (this.isWord('DESC')) {
      this.next();
      descending = true;
    }
    let nulls: 'first' | 'last' | undefined;
    if (this.isWord('NULLS')) {
      this.next();
      if (this.isWord('FIRST')) nulls = 'first';
      else if (this.isWord('LAST')) nulls = 'last';
      else throw this.unexpected();
      this.next();
    }
    return { path, descending, ...(nulls === undefined ? {} : { nulls }) };
  }

  /** condition := NOT unit | unit ((AND unit)* | (OR unit)*) */
  private condition(): Condition {
    if (this.isWord('NOT')) {
      this.next();
      const item = this.unit();
      if (this.isWord('AND') || this.isWord('OR')) throw this.unexpected();
      return { kind: 'not', item };
    }
    const first = this.unit();
    if (!this.isWord('AND') && !this.isWord('OR')) return first;
    const joiner = (this.peek() as { text: string }).text.toUpperCase() as 'AND' | 'OR';
    const items = [first];
    while (this.isWord(joiner)) {
      this.next();
      items.push(this.unit());
    }
    // Mixing AND and OR (or a NOT) without parentheses is a syntax error in SOQL.
    if (this.isWord('AND') || this.isWord('OR') || this.isWord('NOT')) throw this.unexpected();
    return { kind: joiner === 'AND' ? 'and' : 'or', items };
  }

  private unit(): Condition {
    if (this.isOp('(')) {
      this.next();
      const c = this.condition();
      this.expectOp(')');
      return c;
    }
    if (this.isWord('NOT')) throw this.unexpected();
    return this.fieldExpression();
  }

  private fieldExpression(): Condition {
    const path = this.fieldPath();
    const t = this.peek();
    if (t.kind === 'op' && ['=', '!=', '<', '<=', '>', '>='].includes(t.text)) {
      this.next();
      return { kind: 'compare', path, op: t.text as ComparisonOperator, value: this.literal() };
    }
    if (this.isWord('LIKE')) {
      this.next();
      const s = this.next();
      if (s.kind !== 'string') throw this.unexpected(s);
      return { kind: 'like', path, pattern: s.value, pos: s.pos };
    }
    if (this.isWord('INCLUDES') || this.isWord('EXCLUDES')) {
      const excludes = this.isWord('EXCLUDES');
      this.next();
      this.expectOp('(');
      const values: { value: string; pos: number }[] = [];
      do {
        if (values.length > 0) this.next();
        const s = this.next();
        if (s.kind !== 'string') throw this.unexpected(s);
        values.push({ value: this.plainString(s), pos: s.pos });
      } while (this.isOp(','));
      this.expectOp(')');
      return { kind: 'includes', path, excludes, values };
    }
    let negated = false;
    if (this.isWord('NOT') && this.isWord('IN', 1)) {
      this.next();
      negated = true;
    }
    if (this.isWord('IN')) {
      this.next();
      const open = this.expectOp('(');
      if (this.isWord('SELECT')) {
        const query = this.query(true);
        this.expectOp(')');
        return { kind: 'semijoin', path, negated, query, pos: open.pos + 1 };
      }
      const values = [this.literal()];
      while (this.isOp(',')) {
        this.next();
        values.push(this.literal());
      }
      this.expectOp(')');
      return { kind: 'in', path, negated, values };
    }
    throw this.unexpected();
  }

  /** A string outside LIKE: the LIKE-only escapes are errors here. */
  private plainString(t: Extract<Token, { kind: 'string' }>): string {
    const at = t.raw.search(/\\[%_]/);
    if (at >= 0) {
      throw malformed(this.text, t.pos + 1 + at, `Invalid string literal '${t.raw}'. Illegal character sequence '${t.raw.slice(at, at + 2)}' in string literal.`);
    }
    return t.value;
  }

  private literal(): Literal {
    const t = this.next();
    switch (t.kind) {
      case 'string':
        return { kind: 'string', value: this.plainString(t), pos: t.pos };
      case 'number':
        return { kind: 'number', value: t.value, pos: t.pos };
      case 'date':
        return { kind: 'date', value: t.text, pos: t.pos };
      case 'datetime': {
        const ms = parseDateTime(t.text);
        if (ms === undefined) throw malformed(this.text, t.pos, `line 1:${t.pos} no viable alternative at character '${t.text}'`);
        return { kind: 'datetime', value: ms, pos: t.pos };
      }
      case 'ident': {
        const upper = t.text.toUpperCase();
        if (upper === 'NULL') return { kind: 'null', pos: t.pos };
        if (upper === 'TRUE' || upper === 'FALSE') return { kind: 'boolean', value: upper === 'TRUE', pos: t.pos };
        const currency = CURRENCY_LITERAL.exec(t.text);
        if (currency !== null) return { kind: 'currency', iso: currency[1], value: Number(currency[2]), pos: t.pos };
        if (this.isOp(':')) {
          this.next();
          const n = this.next();
          if (n.kind !== 'number' || !/^\d+$/.test(n.text)) throw this.unexpected(n);
          return { kind: 'dateLiteral', name: upper, n: n.value, pos: t.pos };
        }
        return { kind: 'dateLiteral', name: upper, pos: t.pos };
      }
      case 'op':
      case 'eof':
        throw this.unexpected(t);
    }
  }
}

export function parseSoql(text: string): Query {
  return new Parser(text).parse();
}
