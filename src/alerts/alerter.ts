/**
 * Where alerts meet the running program: told of every run's end (the service's RunManager, each
 * worker's jobs) and, on a timer, looking for installations without a recent success. Each installation's
 * own `alerts` settings apply (installationSettings.ts). Delivery runs in the background and never
 * throws: a run's end is not held up by a slow channel, and `close` waits for what is still being sent.
 */
import { effectiveConfig, readOverrides } from '../config/installationSettings.ts';
import type { Config } from '../config/schema.ts';
import type { Env } from '../crm.ts';
import type { Logger } from '../log.ts';
import type { FinishedRun } from '../service/runner.ts';
import type { Installation, Store } from '../store/types.ts';
import { deliver, type AlertChannel } from './deliver.ts';
import { emailChannel } from './email.ts';
import { noSuccessAlert, runAlerts, type AlertEvent, type AlertInstallation } from './events.ts';
import { alertMessage } from './message.ts';
import type { AlertSettings } from './settings.ts';
import { webhookChannel } from './webhook.ts';

export interface AlerterOptions {
  config: Config;
  env: Env;
  store: Store;
  log: Logger;
  clock?: () => number;
  /** Tests pass their own to skip the retry waits. */
  sleep?: (ms: number) => Promise<void>;
}

export class Alerter {
  private readonly o: AlerterOptions;
  private readonly pending = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;

  constructor(options: AlerterOptions) {
    this.o = options;
  }

  /** A run ended: its alerts go out in the background. Never throws. */
  runEnded(run: FinishedRun): void {
    this.track(this.alertRun(run));
  }

  /** One look for installations without a recent success (each stretch alerted once, across processes). */
  async checkNoSuccess(): Promise<void> {
    const now = (this.o.clock ?? Date.now)();
    const installations = await this.o.store.listInstallations();
    const successes = new Map((await this.o.store.latestRuns({ kind: 'sync', status: 'succeeded' })).map((r) => [r.installationId, r]));
    for (const installation of installations) {
      if (installation.status !== 'active') continue;
      try {
        const settings = this.settingsOf(installation);
        const last = successes.get(installation.id);
        const due = noSuccessAlert(
          { installation: describe(installation), lastSuccess: last ? { runId: last.id, finishedAt: last.finishedAt ?? last.startedAt } : null, createdAt: installation.createdAt },
          settings,
          now,
        );
        // The claim is the store's unique key: whichever process (service or worker) claims first sends.
        if (due && (await this.o.store.claimAlert(installation.id, due.key))) await this.send([due.event], settings);
      } catch (error) {
        this.o.log.warn('an installation could not be checked for a recent successful run', { installation: installation.id, error: message(error) });
      }
    }
  }

  /** Checks now (a restart finds a long silence at once), then every `checkEveryMinutes` (the file's) until `close`. */
  start(): void {
    if (this.timer) return;
    const tick = () => {
      // A check still running (a slow channel) is not doubled by the next tick.
      this.checking ??= this.checkNoSuccess()
        .catch((error: unknown) => {
          this.o.log.warn('the check for installations without a recent success failed', { error: message(error) });
        })
        .finally(() => (this.checking = null));
    };
    this.timer = setInterval(tick, this.o.config.alerts.checkEveryMinutes * 60_000);
    this.timer.unref();
    tick();
  }

  /** Stops the checks and waits for the alerts still being sent (at most `graceMs`). */
  async close(graceMs = 15_000): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const all = Promise.all([...this.pending, ...(this.checking ? [this.checking] : [])]);
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((resolve) => (timeout = setTimeout(resolve, graceMs)))]);
    clearTimeout(timeout);
  }

  /** Resolves when every alert under way has been sent or given up (tests). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private track(work: Promise<void>): void {
    const settled = work.catch((error: unknown) => {
      this.o.log.warn('alerts for a run could not be prepared', { error: message(error) });
    });
    this.pending.add(settled);
    void settled.finally(() => this.pending.delete(settled));
  }

  private async alertRun(run: FinishedRun): Promise<void> {
    const installation = await this.o.store.getInstallation(run.installationId);
    const settings = installation ? this.settingsOf(installation) : this.o.config.alerts;
    const who: AlertInstallation = installation ? describe(installation) : { id: run.installationId, name: run.installationId, crm: run.crm };
    const labels = Object.fromEntries(Object.entries(this.o.config.classifier.stages).map(([stage, s]) => [stage, s.label]));
    await this.send(runAlerts({ installation: who, summary: run.summary }, settings, labels), settings);
  }

  private async send(events: readonly AlertEvent[], settings: AlertSettings): Promise<void> {
    if (events.length === 0) return;
    const channels = this.channels(settings);
    if (channels.length === 0) {
      this.o.log.warn('an alert has no channel to go to: set alerts.webhooks or alerts.email', { alerts: events.map((e) => e.kind) });
      return;
    }
    for (const event of events) {
      const text = alertMessage(event);
      const sent = await deliver(channels, text, { retry: settings.retry, log: this.o.log, sleep: this.o.sleep });
      this.o.log.info('alert sent', { alert: event.kind, installation: event.installation.id, runId: event.runId, channels: sent });
    }
  }

  private channels(settings: AlertSettings): AlertChannel[] {
    const { timeoutMs } = settings.retry;
    const email = emailChannel(settings.email, this.o.env.SMTP_PASSWORD, timeoutMs);
    return [...settings.webhooks.map((url) => webhookChannel(url, timeoutMs)), ...(email ? [email] : [])];
  }

  private settingsOf(installation: Installation): AlertSettings {
    return effectiveConfig(this.o.config, readOverrides(installation.settings, installation.id), installation.id).alerts;
  }
}

function describe(installation: Installation): AlertInstallation {
  return { id: installation.id, name: installation.name, crm: installation.crm };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
