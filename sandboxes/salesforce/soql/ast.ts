/** The syntax tree of a SOQL query, as parsed (names unresolved; `pos` is an offset into the text). */

export interface FieldPath {
  parts: string[];
  pos: number;
}

export type AggregateFunction = 'COUNT' | 'COUNT_DISTINCT' | 'MIN' | 'MAX' | 'SUM' | 'AVG';

export type SelectItem =
  | { kind: 'field'; path: FieldPath }
  /** COUNT() has no argument. */
  | { kind: 'aggregate'; fn: AggregateFunction; arg?: FieldPath; alias?: string; pos: number }
  | { kind: 'convertCurrency'; arg: FieldPath; alias?: string; pos: number }
  | { kind: 'subquery'; query: Query; pos: number };

export type Literal =
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'number'; value: number; pos: number }
  | { kind: 'boolean'; value: boolean; pos: number }
  | { kind: 'null'; pos: number }
  | { kind: 'date'; value: string; pos: number }
  | { kind: 'datetime'; value: number; pos: number }
  | { kind: 'dateLiteral'; name: string; n?: number; pos: number }
  | { kind: 'currency'; iso: string; value: number; pos: number };

export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Condition =
  | { kind: 'and' | 'or'; items: Condition[] }
  | { kind: 'not'; item: Condition }
  | { kind: 'compare'; path: FieldPath; op: ComparisonOperator; value: Literal }
  /** `pattern` keeps the LIKE escapes (\% and \_) that only LIKE understands. */
  | { kind: 'like'; path: FieldPath; pattern: string; pos: number }
  | { kind: 'in'; path: FieldPath; negated: boolean; values: Literal[] }
  | { kind: 'semijoin'; path: FieldPath; negated: boolean; query: Query; pos: number }
  | { kind: 'includes'; path: FieldPath; excludes: boolean; values: { value: string; pos: number }[] };

export interface OrderItem {
  path: FieldPath;
  descending: boolean;
  nulls?: 'first' | 'last';
}

export interface Query {
  select: SelectItem[];
  from: { name: string; pos: number };
  where?: Condition;
  groupBy: FieldPath[];
  orderBy: OrderItem[];
  limit?: number;
  offset?: number;
  /** The whole query text, for error messages. */
  text: string;
}
