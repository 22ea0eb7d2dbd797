/** The log of every change of an installation's settings (the page's settings view). */
import type { SqliteDb } from '../sqliteDb.ts';
import type { SettingChange, SettingsLogStore } from '../types.ts';
import type { Synchronous } from './promised.ts';
import { num, text } from './rows.ts';

export class SqliteSettingsLog implements Synchronous<SettingsLogStore> {
  private readonly db: SqliteDb;
  constructor(db: SqliteDb) {
    this.db = db;
  }

  readonly addSettingChanges = (changes: SettingChange[]): void => {
    this.db.transaction(() => {
      for (const c of changes) {
        this.db.run(
          'INSERT INTO settings_changes (installation_id, at, actor, key, before_value, after_value) VALUES (?, ?, ?, ?, ?, ?)',
          c.installationId, c.at, c.actor, c.key, JSON.stringify(c.before ?? null), JSON.stringify(c.after ?? null),
        );
      }
    });
  };

  readonly settingChanges = (installationId: string, page: { offset: number; limit: number }): { total: number; changes: (SettingChange & { id: number })[] } => {
    const total = num(this.db.get('SELECT COUNT(*) AS n FROM settings_changes WHERE installation_id = ?', installationId) ?? { n: 0 }, 'n');
    const rows = this.db.all('SELECT * FROM settings_changes WHERE installation_id = ? ORDER BY id DESC LIMIT ? OFFSET ?', installationId, page.limit, page.offset);
    return {
      total,
      changes: rows.map((row) => ({
        id: num(row, 'id'),
        installationId: text(row, 'installation_id'),
        at: num(row, 'at'),
        actor: text(row, 'actor'),
        key: text(row, 'key'),
        before: JSON.parse(text(row, 'before_value')) as unknown,
        after: JSON.parse(text(row, 'after_value')) as unknown,
      })),
    };
  };
}
