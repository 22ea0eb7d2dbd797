/**
 * A webhook request from a CRM, received: the signature checked (by the CRM's connector), a replay of the
 * same signed request refused, the body read into changes, each account's installation found, and the
 * work recorded durably — all before answering, none of it a call to the CRM. Nothing is recorded unless
 * the whole request is accepted.
 *
 * Order of events: the work is "rescore this contact from the CRM's current state", so the order of
 * rescores cannot matter. Deletion is the exception: a contact deleted stays deleted (its stored data go,
 * and a tombstone is kept for KEY_TTL_MS) unless an event about it that happened later than the deletion
 * arrives (a restore or re-creation); an older event arriving after the deletion is dropped. Per object,
 * the latest event by `occurredAt` decides whether the pending work is a rescore or a forget.
 */
import { createHash } from 'node:crypto';
import type { CrmName, Environment, WebhookChange, WebhookEvent, WebhookReceiver } from '../../connectors/contract/index.ts';
import type { Logger } from '../log.ts';
import type { Store, WebhookWork } from '../store/types.ts';

/** How long event ids and deletions are remembered: longer than HubSpot retries a delivery (a day). */
export const KEY_TTL_MS = 3 * 24 * 3600_000;
/** How long a request's signature is remembered: longer than the five minutes it is accepted for. */
export const SIGNATURE_TTL_MS = 10 * 60_000;

export interface IncomingWebhook {
  method: string;
  /** The full address the CRM called (public URL + path and query). */
  uri: string;
  body: string;
  headers: Readonly<Record<string, string | undefined>>;
}

export type IntakeResult =
  | { ok: true; installations: string[]; events: number; duplicates: number; ignored: number; work: number }
  | { ok: false; status: 400 | 401 | 404 | 409 | 503; code: string; message: string };

export interface IntakeOptions {
  crm: CrmName;
  receiver: WebhookReceiver;
  store: Store;
  env: Environment;
  log: Logger;
  /**
   * The installation of a CRM account (service/accountInstallation.ts: the one recorded with it, or an
   * unrecorded one whose credentials belong to it), or null.
   */
  installationOf: (crm: CrmName, accountId: string) => Promise<string | null>;
  /**
   * The account installation's companions (its other kinds of customers, src/customerScopes.ts): each
   * gets the batch too, kept to its own kind by `customerRecordOf`. None when absent.
   */
  companionsOf?: (installationId: string) => string[];
  /** The CRM names of the plugin's own fields (their changes are our writes). */
  ownFields: readonly string[];
  /**
   * What an installation's customers are in the CRM ("contact", "company"; the definition's
   * `customerRecord`), or null where the CRM has one kind: changes about another kind are ignored.
   * By installation: with several kinds (`both`), the account's installation and each companion its own.
   */
  customerRecordOf?: (installationId: string) => Promise<string | null>;
  clock?: () => number;
  /** Told of each installation that has new work (the drainer). */
  onWork?: (installationId: string) => void;
}

/** The event's changes that matter to an installation whose customers are `record`s (the others dropped, and said so). */
function forCustomers(e: WebhookEvent, record: string): WebhookEvent {
  const changes = e.changes.filter((c) => c.record === undefined || c.record === record);
  if (changes.length === e.changes.length) return e;
  return { ...e, changes, ...(changes.length === 0 ? { ignored: `about a ${e.changes[0]?.record ?? 'other'} record; the customers here are ${record} records` } : {}) };
}

/** Keys are stored hashed: a tombstone must not keep a deleted person's id. */
export const seenKey = (...parts: string[]): string => createHash('sha256').update(parts.join('\0')).digest('base64url');

export async function receiveWebhook(o: IntakeOptions, request: IncomingWebhook): Promise<IntakeResult> {
  const now = (o.clock ?? Date.now)();
  const missing = o.receiver.missing(o.env);
  if (missing) return { ok: false, status: 503, code: 'NOT_CONFIGURED', message: missing };
  const check = o.receiver.verify(request, o.env, now);
  if (!check.ok) return { ok: false, status: 401, code: 'BAD_SIGNATURE', message: check.reason };
  const parsed = o.receiver.parse(request.body, o.env, o.ownFields);
  if (!parsed.ok) return { ok: false, status: 400, code: 'INVALID_BODY', message: parsed.reason };

  const batches: { installationId: string; events: (typeof parsed.batches)[number]['events'] }[] = [];
  for (const batch of parsed.batches) {
    const accountInstallation = await o.installationOf(o.crm, batch.accountId);
    if (!accountInstallation) return { ok: false, status: 404, code: 'UNKNOWN_ACCOUNT', message: `no installation for the account ${batch.accountId}` };
    for (const installationId of [accountInstallation, ...(o.companionsOf?.(accountInstallation) ?? [])]) {
      const record = (await o.customerRecordOf?.(installationId)) ?? null;
      batches.push({ installationId, events: record === null ? batch.events : batch.events.map((e) => forCustomers(e, record)) });
    }
  }

  let duplicates = 0;
  let ignored = 0;
  let work = 0;
  const replay = await o.store.transaction(async (tx) => {
    // The same signed request again (within the window its timestamp allows): refused, nothing done.
    const signature = seenKey(o.crm, 'signature', check.signature);
    if ((await tx.claimWebhookKeys([signature], now, now + SIGNATURE_TTL_MS)).length === 0) return true;
    for (const { installationId, events } of batches) {
      const keyOf = new Map(events.map((e) => [e.eventId, seenKey(installationId, 'event', e.eventId)]));
      const fresh = new Set(await tx.claimWebhookKeys([...keyOf.values()], now, now + KEY_TTL_MS));
      const todo: { change: WebhookChange; at: number }[] = [];
      for (const e of events) {
        const key = keyOf.get(e.eventId);
        if (key === undefined || !fresh.has(key)) {
          duplicates++;
          continue;
        }
        if (e.changes.length === 0) ignored++;
        for (const change of e.changes) todo.push({ change, at: e.occurredAt });
      }
      const rows = await withTombstones(tx, installationId, todo, now);
      await tx.addWebhookWork(installationId, rows, now);
      work += rows.length;
    }
    return false;
  });
  if (replay) return { ok: false, status: 409, code: 'REPLAY', message: 'this signed request was already received' };
  for (const { installationId } of batches) o.onWork?.(installationId);
  const events = batches.reduce((n, b) => n + b.events.length, 0);
  return { ok: true, installations: batches.map((b) => b.installationId), events, duplicates, ignored, work };
}

/**
 * The changes as work rows, deletions remembered as tombstones, and rescores of contacts deleted later
 * than the rescore's event dropped.
 */
async function withTombstones(tx: Store, installationId: string, todo: { change: WebhookChange; at: number }[], now: number): Promise<Omit<WebhookWork, 'version'>[]> {
  const tomb = (customerId: string) => seenKey(installationId, 'deleted', customerId);
  const forgets = todo.flatMap(({ change, at }) => (change.kind === 'forget' ? [{ key: tomb(change.customerId), at }] : []));
  await tx.setWebhookKeys(forgets, now + KEY_TTL_MS);
  const rescored = todo.flatMap(({ change }) => (change.kind === 'rescore' ? [tomb(change.customerId)] : []));
  const deletedAt = await tx.webhookKeysAt(rescored, now);
  const rows: Omit<WebhookWork, 'version'>[] = [];
  for (const { change, at } of todo) {
    if (change.kind === 'deal') rows.push({ object: 'deal', recordId: change.dealId, action: 'rescore', occurredAt: at });
    else if (change.kind === 'forget') rows.push({ object: 'contact', recordId: change.customerId, action: 'forget', occurredAt: at });
    else {
      const deleted = deletedAt.get(tomb(change.customerId));
      if (deleted !== undefined && deleted >= at) continue;
      rows.push({ object: 'contact', recordId: change.customerId, action: 'rescore', occurredAt: at });
    }
  }
  return rows;
}
