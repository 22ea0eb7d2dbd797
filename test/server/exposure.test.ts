/**
 * What the service shows to whom: it listens on this machine only unless HOST says otherwise (readiness
 * and metrics carry business figures), and /metrics can require its own bearer token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService } from '../../src/service/start.ts';
import { promtoolCheck, promtoolMissing } from '../promtool.ts';
import { accepts, outsideAddress } from './reach.ts';
import { createServiceHarness, type ServiceHarness } from './serviceHarness.ts';

const METRICS_TOKEN = 'metrics-scraper-token-0123456789';

let s: ServiceHarness;
beforeAll(async () => {
  // No HOST: the default applies.
  s = await createServiceHarness({ dataset: { contacts: 10 }, serviceEnv: { HOST: undefined, METRICS_TOKEN } });
});
afterAll(async () => {
  await s.close();
});

describe('where the service listens', () => {
  const outside = outsideAddress();
  it.skipIf(outside === undefined)('listens on 127.0.0.1 unless HOST says otherwise', async () => {
    expect(await accepts('127.0.0.1', s.service.port)).toBe(true);
    expect(await accepts(outside ?? '', s.service.port)).toBe(false);
    const everywhere = await createServiceHarness({ dataset: { contacts: 10 }, serviceEnv: { HOST: '0.0.0.0' } });
    try {
      expect(await accepts(outside ?? '', everywhere.service.port)).toBe(true);
    } finally {
      await everywhere.close();
    }
  });
});

describe('/metrics with METRICS_TOKEN', () => {
  it('answers 401 without the token or with a wrong one (the admin token included), the metrics with it', async () => {
    for (const token of [null, 'not-the-metrics-token-0123456789', s.service.adminToken]) {
      const r = await s.api('/metrics', { token });
      expect(r.status, `token ${token}`).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(JSON.stringify(r.body)).not.toMatch(/lifecycle_sync_/);
    }
    const ok = await s.api('/metrics', { token: METRICS_TOKEN });
    expect(ok.status).toBe(200);
    expect(String(ok.body)).toMatch(/^# HELP lifecycle_sync_/m);
  });

  if (promtoolMissing) console.warn(`skipped: ${promtoolMissing}`);
  it.skipIf(promtoolMissing !== null)('passes promtool check metrics (no gauge named like a counter)', async () => {
    const ok = await s.api('/metrics', { token: METRICS_TOKEN });
    expect(promtoolCheck(String(ok.body))).toEqual({ code: 0, problems: '' });
  });

  it('refuses to start with a METRICS_TOKEN shorter than 16 characters, naming it', async () => {
    const env = { ...s.h.env, PORT: '0', HOST: '127.0.0.1', ADMIN_TOKEN: 'test-admin-token-0123456789abcdef', LIFECYCLE_SYNC_CONFIG: s.h.configPath, METRICS_TOKEN: 'short' };
    await expect(startService({ env }).then((started) => started.close())).rejects.toThrow(
      /METRICS_TOKEN.*at least 16 characters/,
    );
  });
});
