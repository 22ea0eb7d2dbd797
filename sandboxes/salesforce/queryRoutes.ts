/**
 * The query resources (S15, S18–S20): `query` and `queryAll` return the first batch and a
 * `nextRecordsUrl` (`/services/data/vXX.X/query/{locator}-{offset}`, also for queryAll) while more
 * remain. Batches are 2,000 records unless `Sforce-Query-Options: batchSize=N` asks for 200–2,000, and
 * child rows of subqueries count towards the batch. A cursor holds the records the query matched, so
 * later pages are served in O(page) as of the query.
 */
import type { ApiRoute, RouteContext } from './api.ts';
import type { Core } from './core.ts';
import { badRequest } from './errors.ts';
import { queryValue, type Reply } from './http.ts';
import { compileSoql, runQuery } from './query.ts';
import type { CompiledQuery } from './soql/compile.ts';
import { renderRecord, type RenderEnv } from './soql/render.ts';
import type { Rec } from './store.ts';

const DEFAULT_BATCH = 2000;
const MIN_BATCH = 200;
/** Salesforce keeps a cursor for two days; the sandbox also caps how many it holds, to bound memory. */
const CURSOR_TTL_MS = 2 * 86_400_000;
const MAX_CURSORS = 200;

interface Cursor {
  locator: string;
  query: CompiledQuery;
  records: readonly Rec[];
  userId: string;
  batchSize: number;
  createdAt: number;
}

function batchSizeOf(header: string | undefined): number {
  const m = /batchSize\s*=\s*(\d+)/i.exec(header ?? '');
  if (m === null) return DEFAULT_BATCH;
  return Math.min(DEFAULT_BATCH, Math.max(MIN_BATCH, Number(m[1])));
}

export class QueryCursors {
  private readonly cursors = new Map<string, Cursor>();
  private readonly core: Core;

  constructor(core: Core) {
    this.core = core;
  }

  open(query: CompiledQuery, records: readonly Rec[], userId: string, batchSize: number): Cursor {
    const now = this.core.clock();
    for (const [k, c] of this.cursors) if (now - c.createdAt > CURSOR_TTL_MS) this.cursors.delete(k);
    while (this.cursors.size >= MAX_CURSORS) this.cursors.delete(this.cursors.keys().next().value as string);
    const cursor = { locator: this.core.store.ids.allocate('0r8'), query, records, userId, batchSize, createdAt: now };
    this.cursors.set(cursor.locator, cursor);
    return cursor;
  }

  get(locator: string): Cursor | undefined {
    const c = this.cursors.get(locator);
    if (c !== undefined && this.core.clock() - c.createdAt > CURSOR_TTL_MS) {
      this.cursors.delete(locator);
      return undefined;
    }
    return c;
  }
}

function page(core: Core, cursor: Cursor, offset: number, version: string): Reply {
  const env: RenderEnv = { store: core.store, version, currency: core.currency, userId: cursor.userId };
  const records: Record<string, unknown>[] = [];
  let rows = 0;
  let i = offset;
  for (; i < cursor.records.length; i++) {
    const r = renderRecord(env, cursor.query, cursor.records[i]);
    if (records.length > 0 && rows + 1 + r.childRows > cursor.batchSize) break;
    records.push(r.record);
    rows += 1 + r.childRows;
  }
  const done = i >= cursor.records.length;
  return {
    status: 200,
    body: {
      totalSize: cursor.records.length,
      done,
      ...(done ? {} : { nextRecordsUrl: `/services/data/v${version}/query/${cursor.locator}-${i}` }),
      records,
    },
  };
}

function runRest(core: Core, cursors: QueryCursors, ctx: RouteContext, scanAll: boolean): Reply {
  const soql = queryValue(ctx.req.query.q);
  if (soql === undefined || soql.trim() === '') throw badRequest('MALFORMED_QUERY', 'A query string has to be specified');
  const { compiled } = compileSoql(core, soql, ctx.userId, scanAll);
  const result = runQuery(core, compiled);
  switch (result.kind) {
    case 'count':
      return { status: 200, body: { totalSize: result.count, done: true, records: [] } };
    case 'aggregate':
      return { status: 200, body: { totalSize: result.rows.length, done: true, records: result.rows } };
    case 'records': {
      const cursor = cursors.open(compiled, result.records, ctx.userId, batchSizeOf(ctx.req.get('sforce-query-options')));
      return page(core, cursor, 0, ctx.version);
    }
  }
}

export function queryRoutes(core: Core): ApiRoute[] {
  const cursors = new QueryCursors(core);
  return [
    { method: 'get', path: '/services/data/:version/query', kind: 'query', handle: (ctx) => runRest(core, cursors, ctx, false) },
    { method: 'get', path: '/services/data/:version/queryAll', kind: 'queryAll', handle: (ctx) => runRest(core, cursors, ctx, true) },
    {
      method: 'get',
      // jsforce always continues through /query/, whatever the first call was.
      path: '/services/data/:version/query/:locator',
      kind: 'queryMore',
      handle: (ctx) => {
        const m = /^(\w{15,18})-(\d+)$/.exec(ctx.params.locator);
        const cursor = m === null ? undefined : cursors.get(m[1]);
        if (m === null || cursor === undefined || Number(m[2]) > cursor.records.length) throw badRequest('INVALID_QUERY_LOCATOR', 'invalid query locator');
        return page(core, cursor, Number(m[2]), ctx.version);
      },
    },
  ];
}
