/**
 * SOQL tokens. Keywords are ordinary identifiers (matched case-insensitively by the parser); date and
 * datetime literals are unquoted; strings take the documented escapes and nothing else (S63).
 */
import { malformed } from './errors.ts';

export type Token =
  | { kind: 'ident'; text: string; pos: number }
  | { kind: 'number'; text: string; value: number; pos: number }
  /** `value` is decoded; `raw` is the text between the quotes, for LIKE. */
  | { kind: 'string'; value: string; raw: string; pos: number }
  | { kind: 'date'; text: string; pos: number }
  | { kind: 'datetime'; text: string; pos: number }
  | { kind: 'op'; text: string; pos: number }
  | { kind: 'eof'; text: ''; pos: number };

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', N: '\n', r: '\r', R: '\r', t: '\t', T: '\t', b: '\b', B: '\b', f: '\f', F: '\f', '"': '"', "'": "'", '\\': '\\' };
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})/;
const DATE = /^\d{4}-\d{2}-\d{2}(?![\w:])/;
const NUMBER = /^\d+(\.\d+)?|^\.\d+/;

/** Reads a quoted string starting at `start` (the opening quote); LIKE-only escapes are kept for later. */
function readString(text: string, start: number): { token: Token; end: number } {
  let value = '';
  let i = start + 1;
  for (;;) {
    if (i >= text.length) throw malformed(text, start, 'unexpected token: <EOF>');
    const c = text[i];
    if (c === "'") break;
    if (c !== '\\') {
      value += c;
      i++;
      continue;
    }
    const e = text[i + 1] as string | undefined;
    if (e !== undefined && e in SIMPLE_ESCAPES) {
      value += SIMPLE_ESCAPES[e];
      i += 2;
    } else if (e === '%' || e === '_') {
      // Only LIKE accepts these; the parser rejects them anywhere else.
      value += `\\${e}`;
      i += 2;
    } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
      value += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
      i += 6;
    } else {
      throw malformed(text, i, `Invalid string literal '${text.slice(start + 1, Math.min(text.length, i + 2))}'. Illegal character sequence '\\${e ?? ''}' in string literal.`);
    }
  }
  return { token: { kind: 'string', value, raw: text.slice(start + 1, i), pos: start }, end: i + 1 };
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const valueBefore = (): boolean => {
    const prev = tokens[tokens.length - 1] as Token | undefined;
    return prev !== undefined && (prev.kind === 'ident' || prev.kind === 'number' || prev.kind === 'string' || prev.kind === 'date' || prev.kind === 'datetime' || (prev.kind === 'op' && prev.text === ')'));
  };
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const rest = text.slice(i, i + 40);
    if (c === "'") {
      const { token, end } = readString(text, i);
      tokens.push(token);
      i = end;
      continue;
    }
    const dt = DATETIME.exec(rest);
    if (dt !== null) {
      tokens.push({ kind: 'datetime', text: dt[0], pos: i });
      i += dt[0].length;
      continue;
    }
    const d = DATE.exec(rest);
    if (d !== null) {
      tokens.push({ kind: 'date', text: d[0], pos: i });
      i += d[0].length;
      continue;
    }
    const signed = (c === '-' || c === '+') && !valueBefore() ? NUMBER.exec(text.slice(i + 1, i + 41)) : null;
    const n = signed !== null ? signed : NUMBER.exec(rest);
    if (n !== null && (signed !== null || /[\d.]/.test(c))) {
      const literal = signed !== null ? c + n[0] : n[0];
      if (/^[A-Za-z_]/.test(text.slice(i + literal.length, i + literal.length + 1))) {
        throw malformed(text, i, `unexpected token: '${text.slice(i).split(/[\s,()]/)[0]}'`);
      }
      tokens.push({ kind: 'number', text: literal, value: Number(literal), pos: i });
      i += literal.length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'ident', text: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === '!=' || two === '<=' || two === '>=' || two === '<>') {
      tokens.push({ kind: 'op', text: two === '<>' ? '!=' : two, pos: i });
      i += 2;
      continue;
    }
    if ('=<>(),.:'.includes(c)) {
      tokens.push({ kind: 'op', text: c, pos: i });
      i++;
      continue;
    }
    throw malformed(text, i, `unexpected token: '${c}'`);
  }
  tokens.push({ kind: 'eof', text: '', pos: text.length });
  return tokens;
}
