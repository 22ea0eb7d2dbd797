/** Webhooks' remembered keys and pending work, and forgetting a deleted person, on Postgres. */
import { scorePageWithout } from '../scorePages.ts';
import { stagePageWithout } from '../stagePages.ts';
import type { WebhookStore, WebhookWork } from '../types.ts';
import { bool, bytes, num, text } from './rows.ts';
import type { PgSession } from './session.ts';

export class PostgresWebhooks implements WebhookStore {
  private readonly db: PgSession;
  constructor(db: PgSession) {
    this.db = db;
  }

  readonly claimWebhookKeys = async (keys: string[], at: number, expiresAt: number): Promise<string[]> => {
    if (keys.length === 0) return [];
    // One statement: of two processes claiming a key at once, one inserts it and the other finds it live.
    const rows = (await this.db.query(
      `INSERT INTO webhook_seen (key, at, expires_at) SELECT DISTINCT k, $2::bigint, $3::bigint FROM unnest($1::text[]) AS k
       ON CONFLICT (key) DO UPDATE SET at = excluded.at, expires_at = excluded.expires_at WHERE webhook_seen.expires_at <= $2
       RETURNING key`,
      [keys, at, expiresAt],
    )).rows;
    return rows.map((r) => text(r, 'key'));
  };

  readonly webhookKeysAt = async (keys: string[], now: number): Promise<Map<string, number>> => {
    if (keys.length === 0) return new Map();
    const rows = (await this.db.query('SELECT key, at FROM webhook_seen WHERE key = ANY($1::text[]) AND expires_at > $2', [keys, now])).rows;
    return new Map(rows.map((r) => [text(r, 'key'), num(r, 'at')]));
  };

  readonly setWebhookKeys = async (entries: { key: string; at: number }[], expiresAt: number): Promise<void> => {
    if (entries.length === 0) return;
    const latest = new Map<string, number>();
    for (const e of entries) latest.set(e.key, Math.max(e.at, latest.get(e.key) ?? -Infinity));
    await this.db.query(
      `INSERT INTO webhook_seen (key, at, expires_at) SELECT k, a, $3::bigint FROM unnest($1::text[], $2::bigint[]) AS t(k, a)
       ON CONFLICT (key) DO UPDATE SET at = GREATEST(webhook_seen.at, excluded.at), expires_at = GREATEST(webhook_seen.expires_at, excluded.expires_at)`,
      [[...latest.keys()], [...latest.values()], expiresAt],
    );
  };

  readonly pruneWebhookKeys = async (now: number): Promise<number> => (await this.db.query('DELETE FROM webhook_seen WHERE expires_at <= $1', [now])).rowCount ?? 0;

  readonly addWebhookWork = async (installationId: string, work: Omit<WebhookWork, 'version'>[], now: number): Promise<void> => {
    if (work.length === 0) return;
    // One row per object in the statement (ON CONFLICT cannot touch a row twice): the latest event of each.
    const latest = new Map<string, Omit<WebhookWork, 'version'>>();
    for (const w of work) {
      const key = `${w.object}\0${w.recordId}`;
      const had = latest.get(key);
      if (!had || w.occurredAt >= had.occurredAt) latest.set(key, w);
    }
    const rows = [...latest.values()];
    await this.db.query(
      `INSERT INTO webhook_work (installation_id, object, record_id, action, occurred_at, version, updated_at)
       SELECT $1, o, r, a, t, 1, $6::bigint FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[]) AS w(o, r, a, t)
       ON CONFLICT (installation_id, object, record_id) DO UPDATE SET
         action = CASE WHEN excluded.occurred_at >= webhook_work.occurred_at THEN excluded.action ELSE webhook_work.action END,
         occurred_at = GREATEST(webhook_work.occurred_at, excluded.occurred_at),
         version = webhook_work.version + 1, updated_at = excluded.updated_at`,
      [installationId, rows.map((w) => w.object), rows.map((w) => w.recordId), rows.map((w) => w.action), rows.map((w) => w.occurredAt), now],
    );
  };

  readonly pendingWebhookWork = async (installationId: string, limit: number): Promise<WebhookWork[]> =>
    (await this.db.query('SELECT object, record_id, action, occurred_at, version FROM webhook_work WHERE installation_id = $1 ORDER BY updated_at, object, record_id LIMIT $2', [installationId, limit])).rows.map(
      (r) => ({
        object: text(r, 'object') === 'deal' ? 'deal' : 'contact',
        recordId: text(r, 'record_id'),
        action: text(r, 'action') === 'forget' ? 'forget' : 'rescore',
        occurredAt: num(r, 'occurred_at'),
        version: num(r, 'version'),
      }),
    );

  readonly finishWebhookWork = async (installationId: string, done: Pick<WebhookWork, 'object' | 'recordId' | 'version'>[]): Promise<void> => {
    if (done.length === 0) return;
    await this.db.query(
      `DELETE FROM webhook_work w USING unnest($2::text[], $3::text[], $4::int[]) AS d(o, r, v)
       WHERE w.installation_id = $1 AND w.object = d.o AND w.record_id = d.r AND w.version = d.v`,
      [installationId, done.map((d) => d.object), done.map((d) => d.recordId), done.map((d) => d.version)],
    );
  };

  readonly installationsWithWebhookWork = async (): Promise<string[]> => (await this.db.query('SELECT DISTINCT installation_id FROM webhook_work')).rows.map((r) => text(r, 'installation_id'));

  readonly forgetCustomers = async (installationId: string, recordIds: string[]): Promise<void> => {
    if (recordIds.length === 0) return;
    const remove = new Set(recordIds);
    const ids = [...remove];
    await this.db.atomic(async (q) => {
      for (const [table, column] of [['customers', 'record_id'], ['deal_customers', 'customer_id'], ['customer_list', 'record_id'], ['audit', 'record_id'], ['retry_queue', 'record_id'], ['planned_changes', 'record_id'], ['run_errors', 'record_id']] as const) {
        await q.query(`DELETE FROM ${table} WHERE installation_id = $1 AND ${column} = ANY($2::text[])`, [installationId, ids]);
      }
      await q.query(`DELETE FROM webhook_work WHERE installation_id = $1 AND object = 'contact' AND record_id = ANY($2::text[])`, [installationId, ids]);
      await q.query('DELETE FROM engagement_readings WHERE installation_id = $1 AND record_id = ANY($2::text[])', [installationId, ids]);
      // The deals' own list of their customers.
      await q.query(
        `UPDATE deals SET customer_ids = COALESCE((SELECT jsonb_agg(c) FROM jsonb_array_elements(deals.customer_ids) AS c WHERE NOT (c #>> '{}' = ANY($2::text[]))), '[]'::jsonb)
         WHERE installation_id = $1 AND customer_ids ?| $2::text[]`,
        [installationId, ids],
      );
      // Pages whose span holds one of them: rewritten without them.
      for (const id of ids) {
        const scorePages = (await q.query('SELECT first_record_id, scores FROM score_pages WHERE installation_id = $1 AND first_record_id <= $2 AND last_record_id >= $2', [installationId, id])).rows;
        for (const p of scorePages) {
          const page = scorePageWithout(p.scores, remove);
          await q.query('DELETE FROM score_pages WHERE installation_id = $1 AND first_record_id = $2', [installationId, text(p, 'first_record_id')]);
          if (page) await q.query('INSERT INTO score_pages (installation_id, first_record_id, last_record_id, scores) VALUES ($1, $2, $3, $4::json)', [installationId, page.firstRecordId, page.lastRecordId, page.json]);
        }
        const stagePages = (await q.query('SELECT run_id, first_record_id, ids, stages, codes, last FROM stage_pages WHERE installation_id = $1 AND first_record_id <= $2 AND last_record_id >= $2', [installationId, id])).rows;
        for (const p of stagePages) {
          const page = stagePageWithout({ ids: bytes(p, 'ids'), stages: text(p, 'stages'), codes: bytes(p, 'codes') }, remove);
          const last = bool(p, 'last');
          await q.query('DELETE FROM stage_pages WHERE run_id = $1 AND first_record_id = $2', [text(p, 'run_id'), text(p, 'first_record_id')]);
          // An emptied page goes, unless it marked the end of its run's record.
          if (page.customers > 0 || last) {
            await q.query(
              'INSERT INTO stage_pages (run_id, installation_id, first_record_id, last_record_id, customers, ids, stages, codes, last) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
              [text(p, 'run_id'), installationId, page.firstRecordId, page.lastRecordId, page.customers, Buffer.from(page.ids), page.stages, Buffer.from(page.codes), last],
            );
          }
        }
      }
    });
  };
}
