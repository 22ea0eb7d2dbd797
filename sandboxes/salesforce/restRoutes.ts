/** The version root (available resources) and the limits resource (S22). */
import type { ApiRoute } from './api.ts';
import type { Core } from './core.ts';

export function restRoutes(core: Core): ApiRoute[] {
  return [
    {
      method: 'get',
      path: '/services/data/:version',
      kind: 'resources',
      handle: (ctx) => {
        const base = `/services/data/v${ctx.version}`;
        const names = ['sobjects', 'query', 'queryAll', 'composite', 'limits', 'jobs'];
        return { status: 200, body: { ...Object.fromEntries(names.map((n) => [n, `${base}/${n}`])), identity: `${ctx.baseUrl}/id/${core.orgId}/${ctx.userId}` } };
      },
    },
    {
      method: 'get',
      path: '/services/data/:version/limits',
      kind: 'limits',
      minVersion: 29,
      handle: (ctx) => {
        const used = core.usage.used(ctx.now);
        const fixed = (max: number) => ({ Max: max, Remaining: max });
        return {
          status: 200,
          body: {
            DailyApiRequests: { Max: core.usage.max, Remaining: Math.max(0, core.usage.max - used) },
            DailyAsyncApexExecutions: fixed(250_000),
            DailyBulkApiBatches: fixed(15_000),
            DailyBulkV2QueryFileStorageMB: fixed(976_562),
            DailyBulkV2QueryJobs: fixed(10_000),
            DataStorageMB: fixed(1024),
            FileStorageMB: fixed(2048),
            SingleEmail: fixed(5000),
          },
        };
      },
    },
  ];
}
