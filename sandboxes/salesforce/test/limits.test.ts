// The daily API request allocation (Sforce-Limit-Info, /limits, REQUEST_LIMIT_EXCEEDED) and the API
// versions the sandbox serves.
import { describe, expect, it } from 'vitest';
import { call, connection, firstError, rejection, start } from './helpers.ts';

const HOUR = 3_600_000;

describe('daily API requests', () => {
  it('reports usage in Sforce-Limit-Info and /limits, and refuses calls past the allocation', async () => {
    let now = Date.parse('2026-06-10T08:00:00Z');
    const s = await start({ clock: () => now, limits: { dailyApiRequests: 5 } });
    try {
      const first = await call(s.url, 'GET', '/limits');
      expect(first.headers.get('sforce-limit-info')).toBe('api-usage=1/5');
      expect((first.body as { DailyApiRequests: unknown }).DailyApiRequests).toEqual({ Max: 5, Remaining: 4 });
      // OAuth and the versions list are not API calls.
      await call(s.url, 'GET', '/services/data', { token: null });
      await fetch(`${s.url}/services/oauth2/token`, { method: 'POST' });
      const conn = connection(s.url);
      await conn.query('SELECT Id FROM Contact');
      expect(conn.limitInfo.apiUsage).toEqual({ used: 2, limit: 5 });
      for (let i = 0; i < 3; i++) expect((await call(s.url, 'GET', '/limits')).status).toBe(200);
      const refused = await call(s.url, 'GET', '/limits');
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual([{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
      const e = await rejection(conn.query('SELECT Id FROM Contact'));
      expect(e.name).toBe('REQUEST_LIMIT_EXCEEDED');
      expect(s.sandbox.stats.rejected.requestLimit).toBe(2);
      expect(s.sandbox.stats.apiRequests).toBe(5);
      // The window is the last 24 hours: calls come back as the old ones age out.
      now += 23 * HOUR;
      expect((await call(s.url, 'GET', '/limits')).status).toBe(403);
      now += HOUR + 60_000;
      const again = await call(s.url, 'GET', '/limits');
      expect(again.status).toBe(200);
      expect(again.headers.get('sforce-limit-info')).toBe('api-usage=1/5');
    } finally {
      await s.close();
    }
  });

  it('can reset at midnight UTC instead', async () => {
    let now = Date.parse('2026-06-10T23:00:00Z');
    const s = await start({ clock: () => now, limits: { dailyApiRequests: 1, window: 'utcDay' } });
    try {
      expect((await call(s.url, 'GET', '/limits')).status).toBe(200);
      expect((await call(s.url, 'GET', '/limits')).status).toBe(403);
      now += HOUR;
      expect((await call(s.url, 'GET', '/limits')).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});

describe('API versions', () => {
  it('lists the versions with their release labels, without a session', async () => {
    const s = await start();
    try {
      const r = await call(s.url, 'GET', '/services/data/', { token: null });
      expect(r.status).toBe(200);
      const versions = r.body as { label: string; url: string; version: string }[];
      expect(versions.map((v) => v.version)).toEqual(expect.arrayContaining(['58.0', '59.0', '60.0', '61.0', '62.0', '63.0', '64.0', '65.0']));
      expect(versions.find((v) => v.version === '65.0')).toEqual({ label: "Winter '26", url: '/services/data/v65.0', version: '65.0' });
      expect(versions.find((v) => v.version === '60.0')?.label).toBe("Spring '24");
      expect(r.headers.get('sforce-limit-info')).toBeNull();
    } finally {
      await s.close();
    }
  });

  it('answers NOT_FOUND for a version it does not serve, or one older than the resource', async () => {
    const s = await start({ apiVersions: ['58.0', '59.0', '60.0', '61.0', '62.0', '63.0', '64.0', '65.0'] });
    try {
      for (const path of ['/services/data/v57.0/limits', '/services/data/v66.0/query?q=SELECT+Id+FROM+Contact', '/services/data/latest/limits']) {
        const r = await call(s.url, 'GET', path);
        expect(r.status, path).toBe(404);
        expect(firstError(r), path).toEqual({ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' });
      }
      const old = await start({ apiVersions: ['41.0', '62.0'] });
      try {
        expect((await call(old.url, 'PATCH', '/services/data/v41.0/composite/sobjects', { body: { records: [] } })).status).toBe(404);
      } finally {
        await old.close();
      }
      const root = await call(s.url, 'GET', '/services/data/v65.0');
      expect(root.body).toMatchObject({ sobjects: '/services/data/v65.0/sobjects', query: '/services/data/v65.0/query', limits: '/services/data/v65.0/limits' });
    } finally {
      await s.close();
    }
  });
});
