import { describe, expect, it } from 'vitest';
import { isTimeZone } from '../../src/scheduler/timeZone.ts';

describe('isTimeZone', () => {
  it('accepts canonical names, UTC and the aliases and spellings ICU accepts', () => {
    for (const zone of ['UTC', 'Europe/Berlin', 'America/Argentina/Buenos_Aires', 'Asia/Calcutta', 'europe/berlin', 'Etc/GMT+5']) expect(isTimeZone(zone), zone).toBe(true);
  });

  it('refuses what is not a time zone', () => {
    for (const zone of ['Mars/Olympus', '', 'Europe/', 'CEST+1', '0 2 * * *']) expect(isTimeZone(zone), zone).toBe(false);
  });
});
