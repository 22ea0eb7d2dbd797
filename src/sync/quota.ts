/**
 * The daily-share policy: the CRM's daily API allowance is shared with the customer's other
 * integrations, so this plugin uses at most its configured share of it per day (counted in the store
 * across runs). Checked before every request; when spent, the run stops cleanly with its checkpoint.
 */
import { type Connector, ConnectorError, type QuotaState, type RequestGuard } from '../../connectors/contract/index.ts';
import { accountInstallationOf } from '../companionIds.ts';
import type { Store } from '../store/types.ts';

export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** What a run used: the connector's counters since the run started (a connector outlives runs in the server). */
export function runUsage(connector: Connector, start: QuotaState): Pick<QuotaState, 'requests' | 'rateLimited' | 'retries'> {
  const q = connector.quota();
  return { requests: q.requests - start.requests, rateLimited: q.rateLimited - start.rateLimited, retries: q.retries - start.retries };
}

export async function dailyShareGuard(store: Store, installationId: string, connector: Connector, share: number, clock: () => number): Promise<RequestGuard> {
  const day = utcDay(clock());
  // The allowance is the account's: its installations (the companions of `both`, src/companionIds.ts) count together.
  const usedEarlierToday = await store.requestUsage(accountInstallationOf(installationId), day);
  const start = connector.quota();
  return () => {
    const q = connector.quota();
    if (!q.daily) return; // the CRM does not say (OAuth apps on HubSpot have no daily limit)
    const budget = Math.floor(q.daily.limit * share);
    const used = usedEarlierToday + q.requests - start.requests;
    if (q.daily.remaining <= 0 && used < budget) {
      // Not our share: the account's whole allowance, spent with other integrations' calls.
      throw new ConnectorError('QUOTA_SHARE_SPENT', `the CRM's daily API allowance is spent (${q.daily.limit} requests, ${used} of them this plugin's today); the next run continues`);
    }
    if (used >= budget) {
      throw new ConnectorError(
        'QUOTA_SHARE_SPENT',
        `the plugin's share of the daily API allowance is spent (${used} of ${budget} requests today: ${Math.round(share * 100)} % of ${q.daily.limit}); the next run continues`,
      );
    }
  };
}
