/** The customers' engagement readings over syncs (the conversion model's), on Postgres. */
import type { EngagementReadingRow, ProspectStore } from '../types.ts';
import { lastByKey, num, numOrNull, text } from './rows.ts';
import type { PgSession } from './session.ts';

export class PostgresProspects implements ProspectStore {
  private readonly db: PgSession;
  constructor(db: PgSession) {
    this.db = db;
  }

  readonly addEngagementReadings = async (installationId: string, readings: EngagementReadingRow[]): Promise<void> => {
    // One row per key in the statement (ON CONFLICT cannot touch a row twice): the last given stands.
    const rows = lastByKey(readings, (r) => `${r.recordId}\0${r.seenDay}`);
    if (rows.length === 0) return;
    await this.db.query(
      `INSERT INTO engagement_readings (installation_id, record_id, seen_day, last_engagement_day)
       SELECT $1, r, s, l FROM unnest($2::text[], $3::integer[], $4::integer[]) AS t(r, s, l)
       ON CONFLICT (installation_id, record_id, seen_day) DO UPDATE SET last_engagement_day = excluded.last_engagement_day`,
      [installationId, rows.map((r) => r.recordId), rows.map((r) => r.seenDay), rows.map((r) => r.lastEngagementDay)],
    );
  };

  readonly engagementReadingsPage = async (installationId: string, after: { recordId: string; seenDay: number } | null, limit: number): Promise<EngagementReadingRow[]> => {
    const rows = after === null
      ? (await this.db.query('SELECT record_id, seen_day, last_engagement_day FROM engagement_readings WHERE installation_id = $1 ORDER BY record_id, seen_day LIMIT $2', [installationId, limit])).rows
      : (await this.db.query(
          'SELECT record_id, seen_day, last_engagement_day FROM engagement_readings WHERE installation_id = $1 AND (record_id, seen_day) > ($2, $3) ORDER BY record_id, seen_day LIMIT $4',
          [installationId, after.recordId, after.seenDay, limit],
        )).rows;
    return rows.map((r) => ({ recordId: text(r, 'record_id'), seenDay: num(r, 'seen_day'), lastEngagementDay: numOrNull(r, 'last_engagement_day') }));
  };
}
