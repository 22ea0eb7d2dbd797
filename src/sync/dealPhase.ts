/**
 * Deal scoring within a sync (issue #14; `sync.deals.enabled`, off by default): the deal fields set up by
 * the same field policy as the customer fields, every deal pulled (deal pulls are full), the win model
 * fitted on the deals closed by the as-of day — their figures as of their close day, so training and
 * scoring see deals in the same position (docs/model.md §10) — every open deal scored, and only the open
 * deals whose outputs changed enough written, with `skipClosed` (a deal closed since the pull keeps its
 * last values). Every value written is audited under the record id `deal:<CRM id>` (DEAL_RECORD_PREFIX):
 * on HubSpot a contact and a deal can share an id, and the audit is read by record.
 */
import { ConnectorError, DEAL_CLOSED, type DealConnector, type DealFeatures, type DealFieldKey, type DealFieldValues, type DealOutputKey, type PulledDealRecord } from '../../connectors/contract/index.ts';
import { fitWinModel, scoreOpenDeal, type ClosedDeal, type DealInput, type DealModelSettings, type MeddicLevels, type WinModelReport } from '../classifier/deals/index.ts';
import type { Logger } from '../log.ts';
import type { OpenDealScore } from '../store/openDeals.ts';
import { DEAL_RECORD_PREFIX, type DealRunStats, type PlannedRecord, type Store } from '../store/types.ts';
import { dealFieldSpecs } from './dealFields.ts';
import { desiredDealValues, diffDealValues } from './dealValues.ts';
import { ensureFields, type FieldsOutcome } from './fieldPolicy.ts';
import { prospectDeal } from './prospectDeals.ts';
import type { ProspectDeal } from '../classifier/conversion/index.ts';

const DAY_MS = 86_400_000;

export function emptyDealStats(): DealRunStats {
  return { pulled: 0, open: 0, closed: 0, changed: 0, written: 0, failed: 0, closedSincePull: 0, skipped: 0 };
}

/**
 * A deal step the CRM refused for want of access (a 403: a scope or permission the installation was not
 * granted, e.g. HubSpot's optional deal scopes an admin declined): the run fails saying that deal scoring
 * is what needs it, with the connector's message (which names the scope), instead of a bare refusal.
 */
export async function asDealScoring<T>(step: Promise<T>): Promise<T> {
  try {
    return await step;
  } catch (error) {
    if (error instanceof ConnectorError && error.code === 'AUTH_FAILED' && error.status === 403) {
      throw new ConnectorError('AUTH_FAILED', `deal scoring (sync.deals.enabled) needs access the CRM refused: ${error.message}. Grant it, or set sync.deals.enabled: false to sync the customers without deal scoring`, { status: 403, cause: error });
    }
    throw error;
  }
}

/** The deal fields step (before any pull): planned by the one field policy; a dry run changes nothing. */
export function ensureDealFields(deals: DealConnector, dryRun: boolean): Promise<FieldsOutcome<DealFieldKey>> {
  return ensureFields(deals, dealFieldSpecs(), { dryRun });
}

export interface DealChange {
  /** The CRM's id (not prefixed). */
  recordId: string;
  values: DealFieldValues;
  previous: DealFieldValues;
}

export interface DealPlan {
  report: WinModelReport;
  changes: DealChange[];
  /** Every open deal's scores as written (whole points), changed or not: the open-deal pipeline's rows. */
  scores: OpenDealScore[];
  /** Every pulled deal of known creation as the conversion model sees it, by CRM id (prospectDeals.ts). */
  prospectDeals: Map<string, ProspectDeal>;
}

const days = (later: number, earlier: number | null): number | null => (earlier === null ? null : (later - earlier) / DAY_MS);

function levelsOf(deal: PulledDealRecord): MeddicLevels {
  const levels: Partial<Record<keyof MeddicLevels, NonNullable<PulledDealRecord['meddic'][keyof PulledDealRecord['meddic']]>>> = {};
  for (const [element, level] of Object.entries(deal.meddic) as [keyof MeddicLevels, PulledDealRecord['meddic'][keyof MeddicLevels]][]) {
    if (level !== null) levels[element] = level;
  }
  return levels;
}

/**
 * A deal's figures as of `at` (epoch ms). A time after `at` is not known then (a closed deal's activity
 * after its close would leak the outcome), so it is missing. Days in stage is left out: a closed deal's
 * current stage is its closing stage, so how long it sat in a stage while open is not in the pull, and
 * an open deal measured on it would be compared with nothing. Owner changes are not pulled.
 */
export function figuresAt(f: DealFeatures, at: number): Omit<DealInput, 'meddic'> {
  const known = (t: number | null) => (t !== null && t <= at ? t : null);
  return {
    ageDays: days(at, known(f.createdAt)),
    amount: f.amount,
    daysInStage: null,
    daysSinceActivity: days(at, known(f.lastActivityAt)),
    contacts: f.contactCount,
    ownerChanges: null,
  };
}

/** How long after the scoring time a deal created while the run was starting still counts as new (age 0). */
const CREATED_DURING_RUN_MS = 3_600_000;

/**
 * An open deal's figures at the scoring time. That time is the run's start in whole seconds and the pull
 * comes after it, so a deal created since is new, not of unknown age: a missing age in this run and a known
 * one in the next would make the next run rewrite it. Later than an hour (an as-of day in the past), the
 * deal did not exist then and its age stays unknown.
 */
export function openFiguresAt(f: DealFeatures, at: number): Omit<DealInput, 'meddic'> {
  const figures = figuresAt(f, at);
  const created = f.createdAt;
  if (figures.ageDays === null && created !== null && created > at && created - at <= CREATED_DURING_RUN_MS) return { ...figures, ageDays: 0 };
  return figures;
}

/**
 * Pulls every deal, fits the win model on the deals closed by the as-of day and scores every open deal:
 * the changes to write (a dry run's plan) and the model report (the model card's).
 */
export async function planDeals(o: {
  deals: DealConnector;
  fields: DealFieldKey[];
  settings: DealModelSettings;
  minChange: number;
  asOfDay: number;
  scoredAt: number;
  stats: DealRunStats;
  store: Store;
  runId: string;
  log: Logger;
}): Promise<DealPlan> {
  const open: PulledDealRecord[] = [];
  const closed: ClosedDeal[] = [];
  const prospectDeals = new Map<string, ProspectDeal>();
  for await (const page of o.deals.pull({ fields: o.fields, resume: null })) {
    o.stats.pulled += page.deals.length;
    // A value that is not a level is reported; the deal is kept with that element empty.
    if (page.problems.length > 0) {
      o.stats.skipped += page.problems.length;
      await o.store.addRunErrors(page.problems.map((p) => ({ runId: o.runId, recordId: p.recordId === undefined ? null : `${DEAL_RECORD_PREFIX}${p.recordId}`, phase: 'pull' as const, code: 'BAD_RECORD', message: `${p.where}: ${p.reason}`, at: Date.now() })));
    }
    for (const d of page.deals) {
      if (d.status === 'open') {
        open.push(d);
        continue;
      }
      const asProspect = prospectDeal(d, null, o.asOfDay);
      if (asProspect) prospectDeals.set(d.recordId, asProspect);
      const closeDay = d.features.closeDay;
      // Training data is what was known by the as-of day: a deal closed later (a backtest) is not used.
      if (closeDay === null || closeDay > o.asOfDay) continue;
      // As of the end of its close day: the figures an open deal would have shown then.
      closed.push({ won: d.status === 'won', meddic: levelsOf(d), ...figuresAt(d.features, (closeDay + 1) * DAY_MS - 1) });
    }
  }
  o.stats.open = open.length;
  o.stats.closed = closed.length;
  const report = fitWinModel(closed, o.settings);
  const changes: DealChange[] = [];
  const scores: OpenDealScore[] = [];
  const changedFields: Partial<Record<DealOutputKey, number>> = {};
  for (const d of open) {
    const score = scoreOpenDeal(report.model, { meddic: levelsOf(d), ...openFiguresAt(d.features, o.scoredAt) }, o.settings);
    const asProspect = prospectDeal(d, score.winProbability, o.asOfDay);
    if (asProspect) prospectDeals.set(d.recordId, asProspect);
    const desired = desiredDealValues(d.recordId, score, o.scoredAt);
    scores.push({
      dealId: d.recordId,
      name: d.display?.name ?? null,
      stage: d.display?.stage ?? null,
      amount: d.features.amount,
      // As written: the CRM's whole points, so the page and the CRM agree.
      meddicScore: Number(desired.meddicScore),
      winProbability: Number(desired.winProbability),
      biggestGap: score.biggestGap,
      nextAction: score.nextAction,
      basis: score.basis,
      scoredAt: o.scoredAt,
    });
    const values = diffDealValues(desired, d.fieldValues, o.minChange);
    if (Object.keys(values).length === 0) continue;
    const previous: DealFieldValues = {};
    for (const key of Object.keys(values) as DealOutputKey[]) {
      previous[key] = d.fieldValues[key] ?? null;
      changedFields[key] = (changedFields[key] ?? 0) + 1;
    }
    changes.push({ recordId: d.recordId, values, previous });
  }
  o.stats.changed = changes.length;
  o.stats.changedFields = changedFields;
  const m = report.model;
  o.log.info('deals scored', { open: open.length, closed: closed.length, model: m.basis, changed: changes.length, ...(m.basis === 'meddic_fallback' ? { reason: m.reason } : {}) });
  return { report, changes, scores, prospectDeals };
}

/** Where a dry run's deal changes go in its plan: after every customer's (planPhase's priorities are 0–2). */
export const DEAL_PLAN_PRIORITY = 3;

/** A dry run's deal changes as plan records (`deal:<id>`), so the admin reads them with the customers'. */
export function dealPlanRecords(changes: readonly DealChange[]): PlannedRecord[] {
  return changes.map((c, seq) => {
    const recordId = `${DEAL_RECORD_PREFIX}${c.recordId}`;
    return {
      key: { priority: DEAL_PLAN_PRIORITY, seq },
      recordId,
      changes: (Object.entries(c.values) as [DealOutputKey, string | null][]).map(([field, next]) => ({ recordId, field, previous: c.previous[field] ?? null, next })),
    };
  });
}

/**
 * Writes the changes in the connector's batches, each value audited as an intent before the request and
 * marked applied or failed after it (as writePhase does for customers). A deal closed since the pull
 * (DEAL_CLOSED) is left alone and not an error; other failures are the run's errors and not queued:
 * deal pulls are full, so the next run diffs and writes them again.
 */
export async function writeDeals(o: { deals: DealConnector; store: Store; runId: string; stats: DealRunStats; log: Logger; onBatch?: () => Promise<void> }, changes: DealChange[]): Promise<void> {
  const size = Math.max(1, o.deals.maxBatchSize);
  for (let i = 0; i < changes.length; i += size) {
    const batch = changes.slice(i, i + size);
    const now = Date.now();
    const entries = batch.flatMap((c) =>
      (Object.entries(c.values) as [DealOutputKey, string | null][]).map(([field, value]) => ({
        runId: o.runId,
        recordId: `${DEAL_RECORD_PREFIX}${c.recordId}`,
        field,
        previous: c.previous[field] ?? null,
        next: value,
        state: 'pending' as const,
        at: now,
      })),
    );
    const ids = await o.store.addAudit(entries);
    const idsOf = new Map<string, number[]>();
    entries.forEach((e, k) => idsOf.set(e.recordId, [...(idsOf.get(e.recordId) ?? []), ids[k]]));
    const results = await o.deals.write(
      batch.map((c) => ({ recordId: c.recordId, values: c.values })),
      { skipClosed: true },
    );
    const applied: number[] = [];
    const failed: number[] = [];
    const errors: { recordId: string; message: string }[] = [];
    for (const r of results) {
      const audit = idsOf.get(`${DEAL_RECORD_PREFIX}${r.recordId}`) ?? [];
      if (r.ok) {
        applied.push(...audit);
        o.stats.written++;
        continue;
      }
      failed.push(...audit);
      if (r.code === DEAL_CLOSED) o.stats.closedSincePull++;
      else {
        o.stats.failed++;
        errors.push({ recordId: `${DEAL_RECORD_PREFIX}${r.recordId}`, message: `${r.code}: ${r.message}` });
      }
    }
    await o.store.transaction(async (tx) => {
      await tx.setAuditState(applied, 'applied');
      await tx.setAuditState(failed, 'failed');
      if (errors.length > 0) await tx.addRunErrors(errors.map((e) => ({ runId: o.runId, recordId: e.recordId, phase: 'write' as const, code: 'WRITE_FAILED', message: e.message, at: Date.now() })));
    });
    if (errors.length > 0) o.log.warn('deals not written; the next run writes them again', { count: errors.length, first: errors[0] });
    await o.onBatch?.();
  }
}
