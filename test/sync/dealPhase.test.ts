/**
 * The deal phase's policy without a CRM: the win model is fitted on deals closed by the as-of day with
 * their figures as of their close (nothing recorded after a close is used), a better-qualified open deal
 * gets the higher probability from the fitted model, and the diff writes only real changes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DealConnector, DealFeatures, MeddicElement, MeddicLevel, PulledDealRecord } from '../../connectors/contract/index.ts';
import { MEDDIC_ELEMENTS } from '../../connectors/contract/index.ts';
import { seededRandom } from '../../sandboxes/shared/seededRandom.ts';
import { loadConfig } from '../../src/config/load.ts';
import { silentLogger } from '../../src/log.ts';
import type { Store } from '../../src/store/types.ts';
import { emptyDealStats, figuresAt, openFiguresAt, planDeals } from '../../src/sync/dealPhase.ts';
import { diffDealValues } from '../../src/sync/dealValues.ts';
import { temporarySqlitePlace } from '../stores.ts';

const DAY = 86_400_000;
const TODAY = Math.floor(Date.UTC(2026, 10, 1) / DAY);
const settings = loadConfig({}).classifier.deals;

const place = temporarySqlitePlace();
let store: Store | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
});

function features(o: Partial<DealFeatures> = {}): DealFeatures {
  return { createdAt: null, amount: null, stageEnteredAt: null, lastActivityAt: null, contactCount: null, ownerId: null, closeDay: null, ...o };
}

function meddic(level: (e: MeddicElement) => MeddicLevel | null): Record<MeddicElement, MeddicLevel | null> {
  return Object.fromEntries(MEDDIC_ELEMENTS.map((e) => [e, level(e)])) as Record<MeddicElement, MeddicLevel | null>;
}

function deal(id: string, status: PulledDealRecord['status'], levels: Record<MeddicElement, MeddicLevel | null>, f: Partial<DealFeatures> = {}): PulledDealRecord {
  return { recordId: id, status, modifiedAt: 0, meddic: levels, features: features(f), fieldValues: {} };
}

function connector(deals: PulledDealRecord[]): DealConnector {
  return {
    label: 'test',
    maxBatchSize: 10,
    readFields: () => Promise.reject(new Error('not used')),
    applyFields: () => Promise.reject(new Error('not used')),
    async *pull() {
      await Promise.resolve();
      yield { deals, problems: [], cursor: {} };
    },
    write: () => Promise.reject(new Error('not used')),
    readFieldValues: () => Promise.reject(new Error('not used')),
  };
}

describe('figures as of a day', () => {
  it('uses nothing recorded after the day: a closed deal’s later activity is missing, not a negative gap', () => {
    const close = (TODAY - 10) * DAY;
    const f = features({ createdAt: close - 30 * DAY, lastActivityAt: close + 5 * DAY, amount: 100, contactCount: 2 });
    expect(figuresAt(f, close)).toMatchObject({ ageDays: 30, daysSinceActivity: null, amount: 100, contacts: 2 });
    expect(figuresAt(features({ lastActivityAt: close - 4 * DAY }), close).daysSinceActivity).toBe(4);
  });

  it('takes an open deal created while the run started (after its whole-second scoring time) as new, not of unknown age', () => {
    const at = TODAY * DAY;
    expect(openFiguresAt(features({ createdAt: at + 400 }), at).ageDays).toBe(0);
    expect(openFiguresAt(features({ createdAt: at - 2 * DAY }), at).ageDays).toBe(2);
    // Days after an as-of day in the past: it did not exist then.
    expect(openFiguresAt(features({ createdAt: at + 2 * DAY }), at).ageDays).toBeNull();
  });
});

describe('planDeals', () => {
  it('fits on the deals closed by the as-of day and ranks a qualified open deal above an unqualified one', async () => {
    store = await place.open();
    const random = seededRandom(3);
    const closed: PulledDealRecord[] = [];
    for (let i = 0; i < 120; i++) {
      // Confirmed elements make a win likelier (the generating story the model should find).
      const levels = meddic(() => (random() < 0.5 ? 'confirmed' : 'unknown'));
      const confirmed = Object.values(levels).filter((l) => l === 'confirmed').length;
      const won = random() < 0.1 + 0.13 * confirmed;
      const closeDay = TODAY - 5 - (i % 200);
      closed.push(deal(`c${i}`, won ? 'won' : 'lost', levels, { closeDay, createdAt: (closeDay - 40) * DAY }));
    }
    // Closed after the as-of day: not known then, so not training data.
    const later = deal('later', 'won', meddic(() => 'unknown'), { closeDay: TODAY + 3 });
    const good = deal('good', 'open', meddic(() => 'confirmed'), { createdAt: (TODAY - 40) * DAY });
    const poor = deal('poor', 'open', meddic(() => null), { createdAt: (TODAY - 40) * DAY });
    const stats = emptyDealStats();
    const plan = await planDeals({ deals: connector([...closed, later, good, poor]), fields: [], settings, minChange: 1, asOfDay: TODAY, scoredAt: TODAY * DAY, stats, store, runId: 'r', log: silentLogger() });
    expect(plan.report.model.basis).toBe('fitted');
    expect(stats).toMatchObject({ pulled: 123, open: 2, closed: 120, changed: 2 });
    const win = (id: string) => Number(plan.changes.find((c) => c.recordId === id)?.values.winProbability);
    expect(win('good')).toBeGreaterThan(win('poor'));
    // Every element confirmed: no gap, and an empty gap where the CRM has none is not a change.
    expect(plan.changes.find((c) => c.recordId === 'good')?.values.biggestGap ?? null).toBeNull();
    expect(MEDDIC_ELEMENTS as readonly string[]).toContain(plan.changes.find((c) => c.recordId === 'poor')?.values.biggestGap);
    expect(plan.report.validation?.method).toBe('cross_validation');
    expect(plan.report.validation?.auc).toBeGreaterThan(0.6);
  });
});

describe('diffDealValues', () => {
  const desired = { meddicScore: '50', winProbability: '40', biggestGap: 'champion', dealNextAction: 'Find a champion', dealScoredAt: '2026-11-02T00:00:00.000Z' };
  const held = { ...desired, dealScoredAt: '2026-11-01T00:00:00.000Z' };

  it('writes nothing when only the scoring time moved, or a number moved by less than the minimum', () => {
    expect(diffDealValues(desired, held, 1)).toEqual({});
    expect(diffDealValues({ ...desired, winProbability: '41' }, held, 2)).toEqual({});
  });

  it('writes a real change with the scoring time, and the scoring time when the CRM has none', () => {
    expect(diffDealValues({ ...desired, winProbability: '42' }, held, 2)).toEqual({ winProbability: '42', dealScoredAt: desired.dealScoredAt });
    expect(diffDealValues({ ...desired, biggestGap: 'metrics' }, held, 1)).toEqual({ biggestGap: 'metrics', dealScoredAt: desired.dealScoredAt });
    expect(diffDealValues(desired, { ...held, dealScoredAt: null }, 1)).toEqual({ dealScoredAt: desired.dealScoredAt });
  });
});
