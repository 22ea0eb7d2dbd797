/** Webhooks' remembered keys and pending work, and forgetting a deleted person, on SQLite. */
import { scorePageWithout } from '../scorePages.ts';
import type { SqliteDb } from '../sqliteDb.ts';
import { stagePageWithout } from '../stagePages.ts';
import type { WebhookStore, WebhookWork } from '../types.ts';
import type { Synchronous } from './promised.ts';
import { num, text } from './rows.ts';

const bytesOf = (value: unknown): Uint8Array => {
  if (value instanceof Uint8Array) return value;
  throw new Error('stage page: ids or codes are not bytes');
};

export class SqliteWebhooks implements Synchronous<WebhookStore> {
  private readonly db: SqliteDb;
  constructor(db: SqliteDb) {
    this.db = db;
  }

  readonly claimWebhookKeys = (keys: string[], at: number, expiresAt: number): string[] =>
    this.db.transaction(() => {
      const claimed: string[] = [];
      // An expired key is claimed afresh; a live one is not.
      const claim = this.db.prepared(
        `INSERT INTO webhook_seen (key, at, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET at = excluded.at, expires_at = excluded.expires_at WHERE webhook_seen.expires_at <= ?2
         RETURNING key`,
      );
      for (const key of new Set(keys)) if (claim.get(key, at, expiresAt)) claimed.push(key);
      return claimed;
    });

  readonly webhookKeysAt = (keys: string[], now: number): Map<string, number> => {
    const rows = this.db.all('SELECT key, at FROM webhook_seen WHERE key IN (SELECT value FROM json_each(?)) AND expires_at > ?', JSON.stringify(keys), now);
    return new Map(rows.map((r) => [text(r, 'key'), num(r, 'at')]));
  };

  readonly setWebhookKeys = (entries: { key: string; at: number }[], expiresAt: number): void => {
    this.db.transaction(() => {
      const put = this.db.prepared(
        `INSERT INTO webhook_seen (key, at, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET at = MAX(webhook_seen.at, excluded.at), expires_at = MAX(webhook_seen.expires_at, excluded.expires_at)`,
      );
      for (const e of entries) put.run(e.key, e.at, expiresAt);
    });
  };

  readonly pruneWebhookKeys = (now: number): number => this.db.run('DELETE FROM webhook_seen WHERE expires_at <= ?', now).changes;

  readonly addWebhookWork = (installationId: string, work: Omit<WebhookWork, 'version'>[], now: number): void => {
    this.db.transaction(() => {
      const put = this.db.prepared(
        `INSERT INTO webhook_work (installation_id, object, record_id, action, occurred_at, version, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?)
         ON CONFLICT (installation_id, object, record_id) DO UPDATE SET
           action = CASE WHEN excluded.occurred_at >= webhook_work.occurred_at THEN excluded.action ELSE webhook_work.action END,
           occurred_at = MAX(webhook_work.occurred_at, excluded.occurred_at),
           version = webhook_work.version + 1, updated_at = excluded.updated_at`,
      );
      for (const w of work) put.run(installationId, w.object, w.recordId, w.action, w.occurredAt, now);
    });
  };

  readonly pendingWebhookWork = (installationId: string, limit: number): WebhookWork[] =>
    this.db
      .all('SELECT object, record_id, action, occurred_at, version FROM webhook_work WHERE installation_id = ? ORDER BY updated_at, object, record_id LIMIT ?', installationId, limit)
      .map((r) => ({
        object: text(r, 'object') === 'deal' ? 'deal' : 'contact',
        recordId: text(r, 'record_id'),
        action: text(r, 'action') === 'forget' ? 'forget' : 'rescore',
        occurredAt: num(r, 'occurred_at'),
        version: num(r, 'version'),
      }));

  readonly finishWebhookWork = (installationId: string, done: Pick<WebhookWork, 'object' | 'recordId' | 'version'>[]): void => {
    this.db.transaction(() => {
      const remove = this.db.prepared('DELETE FROM webhook_work WHERE installation_id = ? AND object = ? AND record_id = ? AND version = ?');
      for (const d of done) remove.run(installationId, d.object, d.recordId, d.version);
    });
  };

  readonly installationsWithWebhookWork = (): string[] => this.db.all('SELECT DISTINCT installation_id FROM webhook_work').map((r) => text(r, 'installation_id'));

  readonly forgetCustomers = (installationId: string, recordIds: string[]): void => {
    if (recordIds.length === 0) return;
    const ids = JSON.stringify(recordIds);
    const remove = new Set(recordIds);
    const inIds = 'IN (SELECT value FROM json_each(?))';
    const runs = 'run_id IN (SELECT id FROM runs WHERE installation_id = ?)';
    // Deleted rows' bytes are overwritten, not left in the file's free pages (a person's data must go).
    this.db.exec('PRAGMA secure_delete = ON');
    try {
      this.forget(installationId, ids, remove, inIds, runs);
    } finally {
      this.db.exec('PRAGMA secure_delete = OFF');
    }
  };

  private forget(installationId: string, ids: string, remove: ReadonlySet<string>, inIds: string, runs: string): void {
    this.db.transaction(() => {
      this.db.run(`DELETE FROM customers WHERE installation_id = ? AND record_id ${inIds}`, installationId, ids);
      this.db.run(`DELETE FROM deal_customers WHERE installation_id = ? AND customer_id ${inIds}`, installationId, ids);
      this.db.run(`DELETE FROM customer_list WHERE installation_id = ? AND record_id ${inIds}`, installationId, ids);
      this.db.run(`DELETE FROM audit WHERE installation_id = ? AND record_id ${inIds}`, installationId, ids);
      this.db.run(`DELETE FROM retry_queue WHERE installation_id = ? AND record_id ${inIds}`, installationId, ids);
      this.db.run(`DELETE FROM planned_changes WHERE ${runs} AND record_id ${inIds}`, installationId, ids);
      this.db.run(`DELETE FROM run_errors WHERE ${runs} AND record_id ${inIds}`, installationId, ids);
      this.db.run(`DELETE FROM webhook_work WHERE installation_id = ? AND object = 'contact' AND record_id ${inIds}`, installationId, ids);
      this.db.run(`DELETE FROM engagement_readings WHERE installation_id = ? AND record_id ${inIds}`, installationId, ids);
      // The deals' own list of their customers.
      const deals = this.db.all(`SELECT record_id, customer_ids FROM deals WHERE installation_id = ? AND EXISTS (SELECT 1 FROM json_each(deals.customer_ids) WHERE value ${inIds})`, installationId, ids);
      for (const d of deals) {
        const kept = (JSON.parse(text(d, 'customer_ids')) as unknown[]).filter((c) => !(typeof c === 'string' && remove.has(c)));
        this.db.run('UPDATE deals SET customer_ids = ? WHERE installation_id = ? AND record_id = ?', JSON.stringify(kept), installationId, text(d, 'record_id'));
      }
      // Pages whose span holds one of them: rewritten without them.
      for (const id of remove) {
        const scorePages = this.db.all('SELECT first_record_id, scores FROM score_pages WHERE installation_id = ? AND first_record_id <= ? AND last_record_id >= ?', installationId, id, id);
        for (const p of scorePages) {
          const page = scorePageWithout(JSON.parse(text(p, 'scores')), remove);
          this.db.run('DELETE FROM score_pages WHERE installation_id = ? AND first_record_id = ?', installationId, text(p, 'first_record_id'));
          if (page) this.db.run('INSERT INTO score_pages (installation_id, first_record_id, last_record_id, scores) VALUES (?, ?, ?, ?)', installationId, page.firstRecordId, page.lastRecordId, page.json);
        }
        const stagePages = this.db.all('SELECT run_id, first_record_id, ids, stages, codes, last FROM stage_pages WHERE installation_id = ? AND first_record_id <= ? AND last_record_id >= ?', installationId, id, id);
        for (const p of stagePages) {
          const page = stagePageWithout({ ids: bytesOf(p.ids), stages: text(p, 'stages'), codes: bytesOf(p.codes) }, remove);
          const last = num(p, 'last');
          this.db.run('DELETE FROM stage_pages WHERE run_id = ? AND first_record_id = ?', text(p, 'run_id'), text(p, 'first_record_id'));
          // An emptied page goes, unless it marked the end of its run's record.
          if (page.customers > 0 || last === 1) {
            this.db.run(
              `INSERT INTO stage_pages (run_id, installation_id, first_record_id, last_record_id, customers, ids, stages, codes, last) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
              text(p, 'run_id'), installationId, page.firstRecordId, page.lastRecordId, page.customers, page.ids, page.stages, page.codes, last,
            );
          }
        }
      }
    });
  }
}
