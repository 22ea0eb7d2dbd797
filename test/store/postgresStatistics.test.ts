/**
 * The Postgres store's large reads keep the planner's statistics fresh: a keyset page walks the key's
 * index and stops after its rows only when the planner knows how many rows an installation has; with
 * none (tables filled by the pull or the plan moments before, sooner than autovacuum looks) every page
 * reads and sorts the rest of the table. The first page of a read analyzes the tables it reads when they
 * changed by more than a tenth since their last statistics; later pages, and fresh tables, do not.
 * After a run, where autovacuum is off, the store vacuums the tables the run left with many dead rows.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres.ts';
import { emptyRunStats, type Store } from '../../src/store/types.ts';
import { freshDatabase, type FreshDatabase } from '../postgres.ts';

let database: FreshDatabase;
let store: Store;
let client: pg.Client;

beforeAll(async () => {
  database = await freshDatabase();
  store = await openPostgresStore(database.url);
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  // Only the store analyzes these tables in this test.
  for (const table of ['customers', 'deals', 'deal_customers', 'audit', 'planned_changes']) await client.query(`ALTER TABLE ${table} SET (autovacuum_enabled = false)`);
  await store.createRun({ id: 'r', installationId: 'i', kind: 'sync', mode: 'full', status: 'running', asOf: '2026-01-01', startedAt: 1, stats: emptyRunStats(), rollbackOf: null, scoredAt: 1 });
});
afterAll(async () => {
  await client.end();
  await store.close();
  await database.drop();
});

/** Rows written as a pull or a plan would (many at once), their counts published to the statistics views. */
async function fill(table: string, from: number, to: number): Promise<void> {
  const rows: Record<string, string> = {
    customers: `INSERT INTO customers (installation_id, record_id, modified_at, signals, crm_values) SELECT 'i', 'c' || lpad(n::text, 7, '0'), 1, '{}', '{}' FROM generate_series($1::int, $2::int) n`,
    deals: `INSERT INTO deals (installation_id, record_id, status, amount, close_day, modified_at, customer_ids) SELECT 'i', 'd' || lpad(n::text, 7, '0'), 'won', 1, 1, 1, '[]' FROM generate_series($1::int, $2::int) n`,
    deal_customers: `INSERT INTO deal_customers (installation_id, deal_id, customer_id, status, amount, close_day) SELECT 'i', 'd' || lpad(n::text, 7, '0'), 'c' || lpad(n::text, 7, '0'), 'won', 1, 1 FROM generate_series($1::int, $2::int) n`,
    audit: `INSERT INTO audit (run_id, installation_id, record_id, field, state, at) SELECT 'r', 'i', 'c' || lpad(n::text, 7, '0'), 'ltv', 'pending', 1 FROM generate_series($1::int, $2::int) n`,
    planned_changes: `INSERT INTO planned_changes (installation_id, run_id, priority, record_seq, record_id, field) SELECT 'i', 'r', 2, n, 'c' || lpad(n::text, 7, '0'), 'ltv' FROM generate_series($1::int, $2::int) n`,
  };
  await client.query(rows[table], [from, to]);
  await client.query('SELECT pg_stat_force_next_flush()');
  await client.query('SELECT 1');
}

async function analyzed(table: string): Promise<number> {
  const r = await client.query<{ n: string }>('SELECT analyze_count AS n FROM pg_stat_user_tables WHERE relname = $1', [table]);
  return Number(r.rows[0]?.n ?? NaN);
}

const reads: { name: string; tables: string[]; first: () => Promise<unknown>; later: () => Promise<unknown> }[] = [
  { name: 'customers', tables: ['customers'], first: () => store.customerPage('i', null, 10), later: () => store.customerPage('i', 'c0000005', 10) },
  {
    name: 'deal links',
    tables: ['deal_customers'],
    first: () => store.dealLinkPage('i', null, 10),
    later: () => store.dealLinkPage('i', { customerId: 'c0000005', dealId: 'd0000005' }, 10),
  },
  { name: 'a run\u2019s audit', tables: ['audit'], first: () => store.auditPage('r', null, 10), later: () => store.auditPage('r', { recordId: 'c0000005', id: 5 }, 10) },
  { name: 'a run\u2019s plan', tables: ['planned_changes'], first: () => store.plannedAfter('r', null, 10), later: () => store.plannedAfter('r', { priority: 2, seq: 5 }, 10) },
];

describe('the Postgres store\u2019s large reads', () => {
  it.each(reads)('$name: the first page analyzes tables that changed by more than a tenth, later pages and fresh tables do not', async (read) => {
    for (const table of read.tables) await fill(table, 1, 20_000);
    const before = await Promise.all(read.tables.map(analyzed));
    await read.later();
    expect(await Promise.all(read.tables.map(analyzed))).toEqual(before);
    await read.first();
    expect(await Promise.all(read.tables.map(analyzed))).toEqual(before.map((n) => n + 1));
    // A little more (under a tenth) leaves the statistics as they are; so does the next read.
    for (const table of read.tables) await fill(table, 20_001, 21_000);
    await read.first();
    expect(await Promise.all(read.tables.map(analyzed))).toEqual(before.map((n) => n + 1));
  });

  it('a page of deals analyzes the links first when they changed by more than a tenth (it finds old links by deal id)', async () => {
    await fill('deal_customers', 100_001, 120_000);
    const before = await analyzed('deal_customers');
    const deal = { recordId: 'd0100005', customerIds: ['c0100005'], status: 'won' as const, amount: 3, closeDay: 9, modifiedAt: 2 };
    await store.upsertDeals('i', [deal]);
    expect(await analyzed('deal_customers')).toBe(before + 1);
    await store.upsertDeals('i', [{ ...deal, amount: 4 }]);
    expect(await analyzed('deal_customers')).toBe(before + 1);
    expect((await store.dealsOf('i', 'c0100005')).map((d) => d.amount)).toEqual([4]);
  });

  it('after a run, vacuums the tables with more than a fifth of their rows dead where autovacuum is off (the server\u2019s, or the table\u2019s)', async () => {
    const stats = async (table: string) =>
      (await client.query<{ dead: string; vacuumed: string }>('SELECT n_dead_tup AS dead, vacuum_count AS vacuumed FROM pg_stat_user_tables WHERE relname = $1', [table])).rows.map((r) => ({ dead: Number(r.dead), vacuumed: Number(r.vacuumed) }))[0];
    const flush = async () => {
      await client.query('SELECT pg_stat_force_next_flush()');
      await client.query('SELECT 1');
    };
    const serverOff = (await client.query<{ setting: string }>("SELECT current_setting('autovacuum') AS setting")).rows[0].setting === 'off';
    // customers (autovacuum off for the table): every row rewritten; deals: a few of many; score_pages: autovacuum as the server has it.
    await fill('customers', 200_001, 210_000);
    await client.query("UPDATE customers SET modified_at = 2 WHERE record_id >= 'c0200001'");
    await fill('deals', 200_001, 220_000);
    await client.query("UPDATE deals SET modified_at = 2 WHERE record_id BETWEEN 'd0200001' AND 'd0201500'");
    await client.query("INSERT INTO score_pages (installation_id, first_record_id, last_record_id, scores) SELECT 'i', 'p' || lpad(n::text, 7, '0'), 'p' || lpad(n::text, 7, '0'), '{}' FROM generate_series(1, 3000) n");
    await client.query('DELETE FROM score_pages');
    await flush();
    expect((await stats('customers')).dead).toBeGreaterThanOrEqual(10_000);
    const before = { customers: await stats('customers'), deals: await stats('deals'), pages: await stats('score_pages') };
    const tidied = await store.reclaimSpace();
    expect(tidied).toEqual(serverOff ? ['customers', 'score_pages'] : ['customers']);
    await flush();
    expect(await stats('customers')).toEqual({ dead: 0, vacuumed: before.customers.vacuumed + 1 });
    expect((await stats('deals')).vacuumed).toBe(before.deals.vacuumed);
    expect((await stats('score_pages')).vacuumed).toBe(before.pages.vacuumed + (serverOff ? 1 : 0));
    // Nothing left to do: a second call vacuums nothing; inside a transaction it never does.
    expect(await store.reclaimSpace()).toEqual([]);
    await client.query("UPDATE customers SET modified_at = 3 WHERE record_id >= 'c0200001'");
    await flush();
    expect(await store.transaction((tx) => tx.reclaimSpace())).toEqual([]);
  });
});
