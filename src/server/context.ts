/** Everything the admin server's routes use, built once by the service (src/service/start.ts). */
import type { ClassifierSettings } from '../classifier/settings.ts';
import type { Config } from '../config/schema.ts';
import type { Env } from '../crm.ts';
import type { StagePreview } from '../service/settingsPreview.ts';
import type { Logger } from '../log.ts';
import type { Insights } from '../service/insights.ts';
import type { RunQueue } from '../jobs/runQueue.ts';
import type { InstallationScope, Installations } from '../service/installation.ts';
import type { RunManager } from '../service/runner.ts';
import type { Store } from '../store/types.ts';
import type { Metrics } from './metrics.ts';
import type { OAuthStates } from './oauth/state.ts';
import type { OAuthProvider } from '../../connectors/contract/index.ts';
import type { WebhookService } from '../webhooks/service.ts';

export interface ScheduleStatus {
  enabled: boolean;
  cron: string;
  timezone: string;
  /** ISO time of the next scheduled run, or null when none will run. */
  nextRunAt: string | null;
  /** Why scheduled runs are not happening yet (e.g. waiting for a first run by hand). */
  note: string | null;
}

export interface DemoInfo {
  /** Shown on the page: what the demo is and what to try. */
  description: string;
}

export interface AdminContext {
  config: Config;
  store: Store;
  log: Logger;
  installations: Installations;
  runs: RunManager;
  /** With Postgres: the job queue runs are put on for the workers (null: runs start in this process). */
  queue: RunQueue | null;
  insights: Insights;
  metrics: Metrics;
  adminToken: string;
  /** When set, /metrics requires it as a bearer token. */
  metricsToken: string | null;
  /** Where browsers reach this server (OAuth redirect URIs), and the address CRMs sign their requests to. */
  publicUrl: () => string;
  /** The service's environment: what connectors check CRM-signed requests with (HubSpot's app card). */
  env: Env;
  oauth: { states: OAuthStates; providers: OAuthProvider[]; canStoreTokens: boolean };
  /** The installation's schedule as the page shows it (null in the demo). */
  schedule: (scope: InstallationScope) => Promise<ScheduleStatus | null>;
  demo: DemoInfo | null;
  /**
   * An installation's settings or status were changed here: its schedule follows at once (this process's
   * schedules with SQLite, pg-boss's with Postgres) rather than at the next periodic reconcile.
   */
  settingsChanged: (installationId: string) => Promise<void>;
  /** The stage moves proposed classifier settings would make among the installation's stored customers (off this thread). */
  previewStages: (scope: InstallationScope, proposed: ClassifierSettings) => Promise<StagePreview>;
  /** CRMs' change notifications (POST /webhooks/:crm); null where none are received (the demo without a sandbox's). */
  webhooks: WebhookService | null;
}
