/** The rest of what runs leave for the next: model fits, cursors, and requests counted per day. */
import type { PullCursor } from '../../../connectors/contract/index.ts';
import type { SqliteDb } from '../sqliteDb.ts';
import type { StateStore } from '../types.ts';
import type { Synchronous } from './promised.ts';
import { cursorSchema } from '../rowSchemas.ts';
import { json, num, text } from './rows.ts';

export class SqliteState implements Synchronous<StateStore> {
  private readonly db: SqliteDb;
  private readonly now: () => number;
  constructor(db: SqliteDb, now: () => number) {
    this.db = db;
    this.now = now;
  }

  readonly saveModelFit = (installationId: string, runId: string, fit: unknown): void => {
    this.db.run('INSERT INTO model_fits (installation_id, run_id, at, fit) VALUES (?, ?, ?, ?)', installationId, runId, this.now(), JSON.stringify(fit));
  };

  readonly latestModelFit = (installationId: string): { runId: string; at: number; fit: unknown } | null => {
    const row = this.db.get('SELECT * FROM model_fits WHERE installation_id = ? ORDER BY id DESC LIMIT 1', installationId);
    return row ? { runId: text(row, 'run_id'), at: num(row, 'at'), fit: JSON.parse(text(row, 'fit')) as unknown } : null;
  };

  readonly modelFits = (installationId: string, limit: number): { runId: string; at: number; fit: unknown }[] => {
    return this.db
      .all('SELECT run_id, at, fit FROM model_fits WHERE installation_id = ? ORDER BY id DESC LIMIT ?', installationId, limit)
      .map((row) => ({ runId: text(row, 'run_id'), at: num(row, 'at'), fit: JSON.parse(text(row, 'fit')) as unknown }));
  };

  readonly getCursor = (installationId: string, name: string): PullCursor | null => {
    const row = this.db.get('SELECT value FROM cursors WHERE installation_id = ? AND name = ?', installationId, name);
    return row ? json(row, 'value', cursorSchema) : null;
  };

  readonly setCursor = (installationId: string, name: string, value: PullCursor | null): void => {
    if (value === null) {
      this.db.run('DELETE FROM cursors WHERE installation_id = ? AND name = ?', installationId, name);
      return;
    }
    this.db.run(
      `INSERT INTO cursors (installation_id, name, value, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (installation_id, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      installationId, name, JSON.stringify(value), this.now(),
    );
  };

  readonly addRequestUsage = (installationId: string, day: string, requests: number): void => {
    if (requests === 0) return;
    this.db.run(
      `INSERT INTO request_usage (installation_id, day, requests) VALUES (?, ?, ?)
       ON CONFLICT (installation_id, day) DO UPDATE SET requests = request_usage.requests + excluded.requests`,
      installationId, day, requests,
    );
  };

  readonly claimAlert = (installationId: string, key: string): boolean => {
    return this.db.run('INSERT INTO alerts_sent (installation_id, key, sent_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', installationId, key, this.now()).changes === 1;
  };

  readonly requestUsage = (installationId: string, day: string): number => {
    const row = this.db.get('SELECT requests FROM request_usage WHERE installation_id = ? AND day = ?', installationId, day);
    return row ? num(row, 'requests') : 0;
  };
}
