/**
 * Alerts over the real protocols: a local HTTP receiver as the incoming webhook and a local SMTP server
 * (smtp-server) as the mail relay, with the Alerter on a real SQLite store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Alerter } from '../../src/alerts/alerter.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createLogger, type Logger } from '../../src/log.ts';
import { rememberSecrets } from '../../src/secrets.ts';
import type { FinishedRun } from '../../src/service/runner.ts';
import { openStore, type SqliteStore } from '../../src/store/sqlite.ts';
import { emptyRunStats } from '../../src/store/types.ts';
import { summarize } from '../../src/sync/engine.ts';
import { mailReceiver, webhookReceiver, type MailReceiver, type WebhookReceiver } from './receivers.ts';

const SMTP_PASSWORD = 'smtp-password-do-not-leak-42';
const CRM_TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';
const HOUR = 3_600_000;
const noWait = () => Promise.resolve();

let dir: string;
let store: SqliteStore;
let webhook: WebhookReceiver | null = null;
let smtp: MailReceiver;
let logs = '';
let log: Logger;
let now = Date.UTC(2026, 5, 1);

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lcs-alerts-'));
  store = openStore(join(dir, 'state.db'), { clock: () => now });
  await store.upsertInstallation({ id: 'inst_acme', crm: 'hubspot', name: 'Acme GmbH' });
  smtp = await mailReceiver({ user: 'alerts@acme.test', password: SMTP_PASSWORD });
  logs = '';
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  log = createLogger({ level: 'debug', pretty: false, stream, secrets: [] });
  // As the service does with its environment's secrets: the CRM token is known, so it is masked everywhere.
  rememberSecrets(CRM_TOKEN);
});

afterEach(async () => {
  await store.close();
  await webhook?.close();
  webhook = null;
  await smtp.close();
  rmSync(dir, { recursive: true, force: true });
});

function alerter(alerts: Record<string, unknown>, on = store): Alerter {
  const config = loadConfig({
    env: {},
    overrides: {
      alerts: {
        enabled: true,
        webhooks: webhook ? [webhook.url] : [],
        email: { to: ['ops@acme.test'], from: 'lifecycle-sync@acme.test', smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: 'alerts@acme.test' } },
        retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 20, timeoutMs: 5000 },
        ...alerts,
      },
    },
  });
  return new Alerter({ config, env: { SMTP_PASSWORD }, store: on, log, clock: () => now, sleep: noWait });
}

function failedRun(message: string): FinishedRun {
  return { installationId: 'inst_acme', crm: 'hubspot', trigger: 'schedule', durationMs: 1000, summary: summarize('run_20260601_abc', 'sync', 'failed', 'incremental', '2026-06-01', message, emptyRunStats(), { fields: null, model: null }) };
}

const webhookText = (body: unknown) => (body as { text: string }).text;

describe('alerts over an incoming webhook and SMTP', () => {
  it('sends "run failed" naming the installation to both channels, retrying a webhook that answered 500, without any secret', async () => {
    webhook = await webhookReceiver([500]);
    const a = alerter({});
    a.runEnded(failedRun(`HubSpot refused the access token ${CRM_TOKEN} (401)`));
    await a.idle();

    // Tried twice: the 500, then the 200.
    expect(webhook.bodies).toHaveLength(2);
    const text = webhookText(webhook.bodies[1]);
    expect(text).toContain('Acme GmbH');
    expect(text).toContain('inst_acme');
    expect(text).toContain('run failed');
    expect(text).toContain('run_20260601_abc');
    expect(webhook.bodies[1]).toMatchObject({ blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] });

    expect(smtp.mails).toHaveLength(1);
    const [mail] = smtp.mails;
    expect(mail?.to).toEqual(['ops@acme.test']);
    expect(mail?.from).toBe('lifecycle-sync@acme.test');
    expect(mail?.subject).toBe('Lifecycle Sync: Acme GmbH (hubspot, installation inst_acme): run failed');
    expect(mail?.body).toContain('HubSpot refused the access token');
    // The mail was sent with the password from SMTP_PASSWORD.
    expect(smtp.logins).toEqual([{ user: 'alerts@acme.test', password: SMTP_PASSWORD }]);

    expect(logs).toMatch(/"error":"answered HTTP 500".*"message":"an alert could not be sent; trying again"/);
    expect(logs).toContain('alert sent');
    for (const secret of [SMTP_PASSWORD, CRM_TOKEN, 'hooksecret0123456789']) {
      expect(JSON.stringify(webhook.bodies), secret).not.toContain(secret);
      expect(mail?.raw, secret).not.toContain(secret);
      expect(logs, secret).not.toContain(secret);
    }
  });

  it('gives a channel up after its attempts and logs it, while the other channel still gets the alert', async () => {
    webhook = await webhookReceiver([500, 500, 500, 500]);
    const a = alerter({});
    expect(() => a.runEnded(failedRun('the CRM is down'))).not.toThrow();
    await a.idle();
    expect(webhook.bodies).toHaveLength(3);
    expect(logs).toMatch(/an alert could not be sent; it is given up/);
    expect(smtp.mails).toHaveLength(1);
  });

  it("sends to an installation's own recipients when it overrides them", async () => {
    await store.updateInstallation('inst_acme', { settings: { alerts: { email: { to: ['acme-admin@acme.test'] } } } });
    const a = alerter({});
    a.runEnded(failedRun('boom'));
    await a.idle();
    expect(smtp.mails.map((m) => m.to)).toEqual([['acme-admin@acme.test']]);
  });

  it('sends "no successful run" once per stretch, whichever of two processes looks first', async () => {
    webhook = await webhookReceiver();
    const createdAt = now;
    // A second process on the same state file: its own connection, its own Alerter.
    const other = openStore(join(dir, 'state.db'), { clock: () => now });
    try {
      const first = alerter({ thresholds: { noSuccessHours: 24 } });
      const second = alerter({ thresholds: { noSuccessHours: 24 } }, other);
      now = createdAt + 23 * HOUR;
      await Promise.all([first.checkNoSuccess(), second.checkNoSuccess()]);
      expect(webhook.bodies).toHaveLength(0);

      now = createdAt + 25 * HOUR;
      await Promise.all([first.checkNoSuccess(), second.checkNoSuccess()]);
      await first.checkNoSuccess();
      expect(webhook.bodies.map(webhookText)).toEqual([
        'Lifecycle Sync: Acme GmbH (hubspot, installation inst_acme): no successful run for 25 hours\nNo run has succeeded since the installation was added 25 hours ago: check its credentials and its runs on the admin page.',
      ]);
      expect(smtp.mails.map((m) => m.subject)).toEqual(['Lifecycle Sync: Acme GmbH (hubspot, installation inst_acme): no successful run for 25 hours']);

      // A success ends the stretch; the next silence is alerted again, once.
      await store.createRun({ id: 'run_ok', installationId: 'inst_acme', kind: 'sync', mode: 'full', status: 'running', asOf: '2026-06-02', startedAt: now, stats: emptyRunStats(), rollbackOf: null, scoredAt: null });
      await store.updateRun('run_ok', { status: 'succeeded', finishedAt: now });
      now += 30 * HOUR;
      await Promise.all([first.checkNoSuccess(), second.checkNoSuccess()]);
      await second.checkNoSuccess();
      expect(webhook.bodies).toHaveLength(2);
      expect(webhookText(webhook.bodies[1])).toContain('The last successful run (run_ok) finished 30 hours ago');
    } finally {
      await other.close();
    }
  });

  it('sends nothing for a paused installation, nor with alerts off', async () => {
    webhook = await webhookReceiver();
    now += 100 * HOUR;
    await alerter({ enabled: false }).checkNoSuccess();
    await store.updateInstallation('inst_acme', { status: 'paused' });
    await alerter({}).checkNoSuccess();
    expect(webhook.bodies).toEqual([]);
    expect(smtp.mails).toEqual([]);
  });
});
