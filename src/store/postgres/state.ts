/** Model fits, cursors and requests counted per day, on Postgres. */
import type { PullCursor } from '../../../connectors/contract/index.ts';
import { cursorSchema } from '../rowSchemas.ts';
import type { StateStore } from '../types.ts';
import { json, jsonText, num, text } from './rows.ts';
import type { PgSession } from './session.ts';

export class PostgresState implements StateStore {
  private readonly db: PgSession;
  private readonly now: () => number;
  constructor(db: PgSession, now: () => number) {
    this.db = db;
    this.now = now;
  }

  readonly saveModelFit = async (installationId: string, runId: string, fit: unknown): Promise<void> => {
    await this.db.query('INSERT INTO model_fits (installation_id, run_id, at, fit) VALUES ($1, $2, $3, $4::jsonb)', [installationId, runId, this.now(), jsonText(fit)]);
  };

  readonly latestModelFit = async (installationId: string): Promise<{ runId: string; at: number; fit: unknown } | null> => {
    const row = (await this.db.query('SELECT run_id, at, fit FROM model_fits WHERE installation_id = $1 ORDER BY id DESC LIMIT 1', [installationId])).rows[0];
    return row ? { runId: text(row, 'run_id'), at: num(row, 'at'), fit: row.fit } : null;
  };

  readonly modelFits = async (installationId: string, limit: number): Promise<{ runId: string; at: number; fit: unknown }[]> => {
    const rows = (await this.db.query('SELECT run_id, at, fit FROM model_fits WHERE installation_id = $1 ORDER BY id DESC LIMIT $2', [installationId, limit])).rows;
    return rows.map((row) => ({ runId: text(row, 'run_id'), at: num(row, 'at'), fit: row.fit }));
  };

  readonly getCursor = async (installationId: string, name: string): Promise<PullCursor | null> => {
    const row = (await this.db.query('SELECT value FROM cursors WHERE installation_id = $1 AND name = $2', [installationId, name])).rows[0];
    return row ? json(row, 'value', cursorSchema) : null;
  };

  readonly setCursor = async (installationId: string, name: string, value: PullCursor | null): Promise<void> => {
    if (value === null) {
      await this.db.query('DELETE FROM cursors WHERE installation_id = $1 AND name = $2', [installationId, name]);
      return;
    }
    await this.db.query(
      `INSERT INTO cursors (installation_id, name, value, updated_at) VALUES ($1, $2, $3::jsonb, $4)
       ON CONFLICT (installation_id, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [installationId, name, jsonText(value), this.now()],
    );
  };

  readonly addRequestUsage = async (installationId: string, day: string, requests: number): Promise<void> => {
    if (requests === 0) return;
    await this.db.query(
      `INSERT INTO request_usage (installation_id, day, requests) VALUES ($1, $2, $3)
       ON CONFLICT (installation_id, day) DO UPDATE SET requests = request_usage.requests + excluded.requests`,
      [installationId, day, requests],
    );
  };

  readonly claimAlert = async (installationId: string, key: string): Promise<boolean> => {
    const r = await this.db.query('INSERT INTO alerts_sent (installation_id, key, sent_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [installationId, key, this.now()]);
    return r.rowCount === 1;
  };

  readonly requestUsage = async (installationId: string, day: string): Promise<number> => {
    const row = (await this.db.query('SELECT requests FROM request_usage WHERE installation_id = $1 AND day = $2', [installationId, day])).rows[0];
    return row ? num(row, 'requests') : 0;
  };
}
