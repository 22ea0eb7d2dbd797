/**
 * The webhook drainer's hand-off (webhooks/drainer.ts RescoreHandler) to rescoring (sync/rescore.ts): the
 * contacts named by the events and the contacts of the deals named (as the store links them, deleted deals
 * included: their former contacts lose a purchase) are read again from the CRM by id and rescored under the
 * run policy. A rescore that cannot happen now (a run holds the lease, no scored run yet) is a rejection, so
 * the drainer keeps the work and tries again with backoff; a paused installation's work is dropped (a paused
 * installation writes nothing, and its next run after resuming scores everyone).
 */
import { connect, type Env } from '../crm.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/types.ts';
import { rescoreCustomers } from '../sync/rescore.ts';
import type { RescoreHandler } from '../webhooks/drainer.ts';
import type { Installations } from './installation.ts';

export function webhookRescoreHandler(o: { store: Store; installations: Installations; env: Env; log: Logger }): RescoreHandler {
  return async (installationId, work) => {
    const scope = await o.installations.scope(installationId);
    const log = o.log.child({ installation: installationId, webhooks: true });
    if (scope.installation?.status === 'paused') {
      log.info('webhook changes not rescored: the installation is paused', { customers: work.customerIds.length, deals: work.dealIds.length });
      return;
    }
    const ofDeals = await o.store.customersOfDeals(installationId, work.dealIds);
    const customerIds = [...new Set([...work.customerIds, ...ofDeals])];
    if (customerIds.length === 0) return;
    // Its own connector: the rescore sets its quota guard on it, which must not bound the page's calls.
    const { connector } = await connect({ config: scope.config, env: o.env, store: o.store, crm: scope.crm, installationId, log });
    const outcome = await rescoreCustomers({ store: o.store, connector, installationId, customerIds, classifier: scope.config.classifier, sync: scope.config.sync, log, refresh: true });
    if (outcome.status === 'deferred') throw new Error(`rescore deferred: ${outcome.reason}`);
    if (outcome.status !== 'done') return;
    log.info('rescored after webhooks', { runId: outcome.summary.runId, customers: customerIds.length, written: outcome.summary.written, status: outcome.summary.status });
    // A run that ended otherwise (the quota share spent, the CRM down) keeps the work for the next try.
    if (outcome.summary.status !== 'succeeded') throw new Error(`rescore run ${outcome.summary.runId} ${outcome.summary.status}`);
  };
}
