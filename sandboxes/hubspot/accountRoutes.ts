/**
 * GET /account-info/v3/details: the account behind the token (portal id, time zone, currencies). Its
 * documented scope is `oauth`, which every OAuth grant carries; static tokens (private apps, service
 * keys) need none.
 */
import type { ApiRoute } from './api.ts';
import { requireScope } from './auth.ts';
import type { Core } from './core.ts';

export function accountRoutes(core: Core): ApiRoute[] {
  return [
    {
      method: 'get',
      path: '/account-info/v3/details',
      scopes: () => [],
      handle: ({ principal }) => {
        if (principal.kind === 'oauth') requireScope(principal, ['oauth']);
        return {
          status: 200,
          body: {
            portalId: core.portalId,
            accountType: 'STANDARD',
            timeZone: 'UTC',
            companyCurrency: 'USD',
            additionalCurrencies: [],
            utcOffset: '+00:00',
            utcOffsetMilliseconds: 0,
            uiDomain: 'app.hubspot.com',
            dataHostingLocation: 'na1',
          },
        };
      },
    },
  ];
}
