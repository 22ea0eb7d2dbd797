/** The customers' engagement readings over syncs (the conversion model's), on SQLite. */
import type { SqliteDb } from '../sqliteDb.ts';
import type { EngagementReadingRow, ProspectStore } from '../types.ts';
import type { Synchronous } from './promised.ts';
import { num, numOrNull, text } from './rows.ts';

export class SqliteProspects implements Synchronous<ProspectStore> {
  private readonly db: SqliteDb;
  constructor(db: SqliteDb) {
    this.db = db;
  }

  readonly addEngagementReadings = (installationId: string, readings: EngagementReadingRow[]): void => {
    if (readings.length === 0) return;
    this.db.transaction(() => {
      for (const r of readings) {
        this.db.run(
          `INSERT INTO engagement_readings (installation_id, record_id, seen_day, last_engagement_day) VALUES (?, ?, ?, ?)
           ON CONFLICT (installation_id, record_id, seen_day) DO UPDATE SET last_engagement_day = excluded.last_engagement_day`,
          installationId, r.recordId, r.seenDay, r.lastEngagementDay,
        );
      }
    });
  };

  readonly engagementReadingsPage = (installationId: string, after: { recordId: string; seenDay: number } | null, limit: number): EngagementReadingRow[] => {
    const rows = after === null
      ? this.db.all('SELECT record_id, seen_day, last_engagement_day FROM engagement_readings WHERE installation_id = ? ORDER BY record_id, seen_day LIMIT ?', installationId, limit)
      : this.db.all(
          'SELECT record_id, seen_day, last_engagement_day FROM engagement_readings WHERE installation_id = ? AND (record_id > ? OR (record_id = ? AND seen_day > ?)) ORDER BY record_id, seen_day LIMIT ?',
          installationId, after.recordId, after.recordId, after.seenDay, limit,
        );
    return rows.map((r) => ({ recordId: text(r, 'record_id'), seenDay: num(r, 'seen_day'), lastEngagementDay: numOrNull(r, 'last_engagement_day') }));
  };
}
