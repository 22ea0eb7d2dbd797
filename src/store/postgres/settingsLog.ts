/** The log of every change of an installation's settings (the page's settings view), on Postgres. */
import type { SettingChange, SettingsLogStore } from '../types.ts';
import { jsonText, num, text } from './rows.ts';
import type { PgSession } from './session.ts';

export class PostgresSettingsLog implements SettingsLogStore {
  private readonly db: PgSession;
  constructor(db: PgSession) {
    this.db = db;
  }

  readonly addSettingChanges = async (changes: SettingChange[]): Promise<void> => {
    if (changes.length === 0) return;
    await this.db.atomic(async (q) => {
      for (const c of changes) {
        await q.query(
          'INSERT INTO settings_changes (installation_id, at, actor, key, before_value, after_value) VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb)',
          [c.installationId, c.at, c.actor, c.key, jsonText(c.before ?? null), jsonText(c.after ?? null)],
        );
      }
    });
  };

  readonly settingChanges = async (installationId: string, page: { offset: number; limit: number }): Promise<{ total: number; changes: (SettingChange & { id: number })[] }> => {
    const count = (await this.db.query('SELECT COUNT(*)::bigint AS n FROM settings_changes WHERE installation_id = $1', [installationId])).rows[0];
    const rows = (await this.db.query('SELECT * FROM settings_changes WHERE installation_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3', [installationId, page.limit, page.offset])).rows;
    return {
      total: count ? num(count, 'n') : 0,
      changes: rows.map((row) => ({
        id: num(row, 'id'),
        installationId: text(row, 'installation_id'),
        at: num(row, 'at'),
        actor: text(row, 'actor'),
        key: text(row, 'key'),
        before: row.before_value,
        after: row.after_value,
      })),
    };
  };
}
