/** The engine calls a test harness makes for its installation (each with a fresh connector, as a new process would). */
import type { Connector } from '../connectors/contract/index.ts';
import type { Config } from '../src/config/schema.ts';
import type { Logger } from '../src/log.ts';
import type { Store } from '../src/store/types.ts';
import { runSync, type SyncRunOptions, type SyncSummary } from '../src/sync/engine.ts';
import { runRollback } from '../src/sync/rollback.ts';

export type SyncOptions = Partial<Pick<SyncRunOptions, 'dryRun' | 'full' | 'asOfDay' | 'onProgress' | 'clock'>>;

export interface EngineCalls {
  sync(options?: SyncOptions): Promise<SyncSummary>;
  rollback(runId: string): Promise<SyncSummary>;
}

export function engineCalls(o: { store: Store; config: Config; log: Logger; connector: () => Promise<{ installationId: string; connector: Connector }> }): EngineCalls {
  return {
    async sync(options = {}) {
      const { installationId, connector } = await o.connector();
      return runSync({ store: o.store, connector, installationId, classifier: o.config.classifier, sync: o.config.sync, log: o.log, ...options });
    },
    async rollback(runId) {
      const { installationId, connector } = await o.connector();
      return runRollback({ store: o.store, connector, installationId, runId, sync: o.config.sync, log: o.log });
    },
  };
}
