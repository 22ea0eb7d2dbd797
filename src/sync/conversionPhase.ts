/**
 * Conversion likelihood within a sync (issue #14, docs/model.md §11): after the deals are scored and
 * before the customers' values are planned, every customer the store holds becomes a ProspectRecord —
 * first purchase day from the stored won deals (the plan phase's plausibility rules), created day and
 * lead source from the signals where the connector maps them, engagement readings from the store plus
 * today's, and the deals linked to them (the stored links; when deal scoring ran, with their win
 * probabilities: prospectDeals.ts) — the model is fitted
 * as of the as-of day on the installation's own past cut-offs, and every prospect is scored.
 *
 * Engagement readings: the CRM keeps only the latest engagement day, which is unknown at a past cut-off
 * (the leakage rule). So each run records the reading it sees, dated with the run's UTC day, when it
 * differs from the customer's latest; over syncs the factor becomes known at later cut-offs.
 *
 * The model needs every person at once (its cut-offs and folds): one small object per customer.
 */
import type { CustomerSignals } from '../../connectors/contract/index.ts';
import {
  firstPurchaseDays,
  fitConversionModel,
  scoreProspects,
  type ConversionModelReport,
  type EngagementReading,
  type ProspectDeal,
  type ProspectRecord,
  type ProspectScore,
} from '../classifier/conversion/index.ts';
import type { ConversionSettings } from '../classifier/conversion/settings.ts';
import type { PurchaseRules } from '../classifier/inputLimits.ts';
import type { Logger } from '../log.ts';
import type { DealLink, EngagementReadingRow, Store } from '../store/types.ts';
import { dealLinkPages, readStoredPurchases } from './storedPurchases.ts';

const PAGE = 5000;
/** Readings saved per call: a bounded statement. */
const SAVE_BATCH = 2000;

export interface ConversionPlan {
  /** The model and its card (stored with the run's fit). */
  report: ConversionModelReport;
  /** Each prospect's score by customer id; a customer absent here is not a prospect (their field is cleared). */
  scores: Map<string, ProspectScore>;
  /** Readings recorded by this run (changed since the last). */
  readingsAdded: number;
}

export interface ConversionPhaseOptions {
  store: Store;
  installationId: string;
  settings: ConversionSettings;
  rules: PurchaseRules;
  asOfDay: number;
  /** The run's UTC day: the day today's engagement readings are dated with. */
  today: number;
  /** The deals as the deal pull saw them (with win probabilities), when deal scoring ran this run; else the stored links alone. */
  prospectDeals: ReadonlyMap<string, ProspectDeal> | null;
  log: Logger;
}

/** Every reading the store keeps of the installation, by customer, oldest first. */
async function storedReadings(store: Store, installationId: string): Promise<Map<string, EngagementReading[]>> {
  const out = new Map<string, EngagementReading[]>();
  let after: { recordId: string; seenDay: number } | null = null;
  for (;;) {
    const page = await store.engagementReadingsPage(installationId, after, PAGE);
    for (const r of page) {
      const list = out.get(r.recordId) ?? [];
      list.push({ seenDay: r.seenDay, lastEngagementDay: r.lastEngagementDay });
      out.set(r.recordId, list);
    }
    const last = page.at(-1);
    if (page.length < PAGE || !last) return out;
    after = { recordId: last.recordId, seenDay: last.seenDay };
  }
}

/**
 * Each customer's deals as the model sees them, from the store's links (every pull keeps them, with their
 * created and close days); where deal scoring ran this run, the deal pull's view of the deal instead, which
 * adds its win probabilities. A deal that cannot be placed in time (no created day, or closed without a
 * close day) is left out.
 */
async function dealsByCustomer(store: Store, installationId: string, scored: ReadonlyMap<string, ProspectDeal> | null): Promise<Map<string, ProspectDeal[]>> {
  const out = new Map<string, ProspectDeal[]>();
  for await (const page of dealLinkPages(store, installationId)) {
    for (const link of page) {
      const deal = scored?.get(link.dealId) ?? linkedDeal(link);
      if (!deal) continue;
      const deals = out.get(link.customerId);
      if (deals) deals.push(deal);
      else out.set(link.customerId, [deal]);
    }
  }
  return out;
}

function linkedDeal(link: DealLink): ProspectDeal | null {
  const createdDay = finiteOrNull(link.createdDay);
  if (createdDay === null) return null;
  if (link.status === 'open') return { createdDay, closedDay: null };
  const closedDay = finiteOrNull(link.closeDay);
  return closedDay === null ? null : { createdDay, closedDay };
}

function finiteOrNull(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * Today's reading of the customer's last engagement day, when the connector reads it and it differs
 * from the latest kept (the CRM may also lose it: a null after a day is a change too).
 */
export function newReading(signals: CustomerSignals, kept: readonly EngagementReading[], today: number): EngagementReading | null {
  if (signals.lastEngagementDay === undefined) return null;
  const value = finiteOrNull(signals.lastEngagementDay);
  const latest = kept.at(-1);
  if (latest && latest.lastEngagementDay === value) return null;
  return { seenDay: today, lastEngagementDay: value };
}

/**
 * Every customer the store holds as the conversion model sees them, with today's engagement readings
 * that changed (not yet saved: the caller decides).
 */
const createdBy = (day: number | null | undefined, today: number): number | null => {
  const known = finiteOrNull(day);
  return known !== null && known <= today ? known : null;
};

export async function prospectRecords(o: Pick<ConversionPhaseOptions, 'store' | 'installationId' | 'rules' | 'today' | 'prospectDeals'>): Promise<{ people: ProspectRecord[]; added: EngagementReadingRow[] }> {
  const firstPurchase = firstPurchaseDays(await readStoredPurchases(o.store, o.installationId, o.rules));
  const readings = await storedReadings(o.store, o.installationId);
  const dealsOf = await dealsByCustomer(o.store, o.installationId, o.prospectDeals);
  const people: ProspectRecord[] = [];
  const added: EngagementReadingRow[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await o.store.customerSignalsPage(o.installationId, after, PAGE);
    for (const c of page) {
      const kept = readings.get(c.recordId) ?? [];
      const reading = newReading(c.signals, kept, o.today);
      // A reading of the same day replaces the one kept (the store keeps one per day).
      const all = reading ? [...kept.filter((r) => r.seenDay !== reading.seenDay), reading] : kept;
      if (reading) added.push({ recordId: c.recordId, ...reading });
      const source = c.signals.leadSource?.trim();
      people.push({
        id: c.recordId,
        firstPurchaseDay: firstPurchase.get(c.recordId) ?? null,
        // Created after today is impossible (a clock or an import gone wrong): unknown, so they stay a prospect.
        createdDay: createdBy(c.signals.createdDay, o.today),
        leadSource: source ? source : null,
        engagementReadings: all,
        deals: dealsOf.get(c.recordId) ?? [],
      });
    }
    const last = page.at(-1);
    if (page.length < PAGE || !last) break;
    after = last.recordId;
  }
  return { people, added };
}

export async function conversionPhase(o: ConversionPhaseOptions): Promise<ConversionPlan> {
  const { people, added } = await prospectRecords(o);
  // A dry run records them too: they are what the CRM said, not a write to it.
  for (let i = 0; i < added.length; i += SAVE_BATCH) await o.store.addEngagementReadings(o.installationId, added.slice(i, i + SAVE_BATCH));
  const report = fitConversionModel(people, o.settings, o.asOfDay);
  const scores = new Map(scoreProspects(report.model, people, o.asOfDay).map((s) => [s.id, s]));
  o.log.info('prospects scored', { prospects: scores.size, model: report.model.basis, readingsAdded: added.length, ...(report.model.basis === 'fitted' ? {} : { reason: report.model.reason }) });
  return { report, scores, readingsAdded: added.length };
}

/** The model card's list: the prospects most likely to convert, with their strongest factor. */
export function topProspects(scores: ReadonlyMap<string, ProspectScore>, limit: number): { recordId: string; likelihood: number; strongestFactor: string | null }[] {
  return [...scores.values()]
    .sort((a, b) => b.likelihood - a.likelihood || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, limit)
    .map((s) => ({ recordId: s.id, likelihood: Math.round(s.likelihood), strongestFactor: s.strongestFactor?.description ?? null }));
}
