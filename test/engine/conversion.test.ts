/**
 * Conversion likelihood in a sync (issue #14, docs/model.md §11): every prospect gets the field, a
 * customer who has bought has it cleared, the consideration stage's reason names the strongest factor,
 * a second run writes nothing, and each customer's engagement reading is kept when it changes.
 *
 * On top of the harness's base, people whose history follows a known story: created over the last two
 * years, from referrals (most buy within a month of creation) or ads (few do); half engaged recently.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../sandboxes/shared/seededRandom.ts';
import { featuresAt } from '../../src/classifier/conversion/index.ts';
import { purchaseRules } from '../../src/classifier/inputLimits.ts';
import type { EngagementReadingRow, Store } from '../../src/store/types.ts';
import { prospectRecords } from '../../src/sync/conversionPhase.ts';
import { DAY_MS, INSTALLATION, TODAY, type World, worldsClosedAfterEach, STORE_KINDS } from './harness.ts';

function addStoryPeople(w: World, n: number): void {
  const random = seededRandom(14);
  for (let i = 0; i < n; i++) {
    const id = `p${String(i).padStart(3, '0')}`;
    const createdDay = TODAY - 1 - Math.floor(random() * 700);
    const referral = random() < 0.4;
    w.crm.addCustomer(id, { createdDay, leadSource: referral ? 'referral' : 'ads', ...(random() < 0.5 ? { lastEngagementDay: TODAY - 3 } : {}) });
    if (random() < (referral ? 0.7 : 0.08)) {
      const day = createdDay + 5 + Math.floor(random() * 25);
      if (day < TODAY) w.crm.addDeal({ id: `w${id}`, customerIds: [id], status: 'won', amount: 100 + Math.floor(random() * 400), closeDay: day });
    }
  }
}

/** Customers with a won deal (buyers), the others (prospects). */
function buyers(w: World): Set<string> {
  return new Set([...w.crm.deals.values()].filter((d) => d.status === 'won').flatMap((d) => d.customerIds));
}

async function readings(store: Store): Promise<EngagementReadingRow[]> {
  return store.engagementReadingsPage(INSTALLATION, null, 100_000);
}

describe.each(STORE_KINDS)('on the %s store', (kind) => {
  const world = worldsClosedAfterEach(kind);

  it('prospects get a conversion likelihood, buyers none (a stale one cleared), the reason names the factor; a second run writes nothing', async () => {
    const w = world();
    addStoryPeople(w, 240);
    const bought = buyers(w);
    const exProspect = [...bought].sort()[0];
    // Set by an earlier run while they were a prospect: cleared now they have bought.
    w.crm.customers.get(exProspect)!.fields.lcs_conversionLikelihood = '40';

    const first = await w.sync();
    expect(first.status).toBe('succeeded');
    const values = w.values();
    const prospects = [...values.keys()].filter((id) => !bought.has(id));
    expect(prospects.length).toBeGreaterThan(50);
    for (const id of prospects) {
      const v = values.get(id)?.conversionLikelihood;
      expect(v, id).toMatch(/^\d+$/);
      expect(Number(v)).toBeLessThanOrEqual(100);
    }
    for (const id of bought) expect(values.get(id)?.conversionLikelihood ?? null, id).toBeNull();

    // The story: people buy, if at all, within a month of creation; the fitted model says the young are likelier.
    const mean = (keep: (age: number) => boolean) => {
      const ids = prospects.filter((id) => {
        const created = w.crm.customers.get(id)?.signals.createdDay;
        return typeof created === 'number' && keep(TODAY - created);
      });
      expect(ids.length).toBeGreaterThan(3);
      return ids.reduce((s, id) => s + Number(values.get(id)?.conversionLikelihood), 0) / ids.length;
    };
    expect(mean((age) => age <= 30)).toBeGreaterThan(mean((age) => age > 300) + 5);

    const consideration = prospects.filter((id) => values.get(id)?.stage === 'consideration');
    expect(consideration.length).toBeGreaterThan(10);
    // A factor is named only where the person has a value for it ("record age unknown" tells a rep nothing);
    // someone with no known factor that moves the odds gets none.
    const factor = /; strongest factor: (lead source: (referral|ads)|record \d+ days? old|last engaged \d+ days? ago|\d+ open deals?|open deal at \d+ % win probability)$/;
    for (const id of consideration) {
      const reason = values.get(id)?.stageReason ?? '';
      if (reason.includes('strongest factor')) expect(reason, id).toMatch(factor);
      expect(reason, id).not.toMatch(/unknown$/);
    }
    // Those of the story have a known age and source: theirs is one of them, as it is.
    const story = consideration.filter((id) => id.startsWith('p')).map((id) => values.get(id)?.stageReason ?? '');
    expect(story.length).toBeGreaterThan(5);
    for (const reason of story) expect(reason).toMatch(/; strongest factor: (lead source: (referral|ads)|record \d+ days? old)$/);
    // Other stages' reasons do not name it.
    for (const id of bought) expect(values.get(id)?.stageReason ?? '').not.toContain('strongest factor');

    const fit = (await w.store.latestModelFit(INSTALLATION))?.fit as { conversionModel?: { model: { basis: string }; label: string; prospects: number; top: { recordId: string; likelihood: number }[] } };
    expect(fit.conversionModel?.model.basis).toBe('fitted');
    expect(fit.conversionModel?.label).toMatch(/cross-validated AUC/);
    expect(fit.conversionModel?.prospects).toBe(prospects.length);
    const top = fit.conversionModel?.top ?? [];
    expect(top).toHaveLength(10);
    expect(top.map((t) => t.likelihood)).toEqual([...top.map((t) => t.likelihood)].sort((a, b) => b - a));
    expect(top[0].likelihood).toBe(Math.max(...prospects.map((id) => Number(values.get(id)?.conversionLikelihood))));

    const second = await w.sync();
    expect(second).toMatchObject({ status: 'succeeded', written: 0 });
    expect(w.values()).toEqual(values);
  });

  it('knows a prospect\'s deals from the stored links without deal scoring: placed by their created and close days, no win probability', async () => {
    const w = world();
    addStoryPeople(w, 20);
    w.crm.addCustomer('dealer', { createdDay: TODAY - 60, leadSource: 'referral' });
    w.crm.addDeal({ id: 'o1', customerIds: ['dealer'], status: 'open', amount: 500, closeDay: null, createdAt: (TODAY - 10) * DAY_MS });
    w.crm.addDeal({ id: 'l1', customerIds: ['dealer'], status: 'lost', amount: 300, closeDay: TODAY - 20, createdAt: (TODAY - 50) * DAY_MS });
    // Unknown creation: cannot be placed before or after a cut-off, so left out.
    w.crm.addDeal({ id: 'u1', customerIds: ['dealer'], status: 'open', amount: 100, closeDay: null });
    await w.sync();
    const { people } = await prospectRecords({ store: w.store, installationId: INSTALLATION, rules: purchaseRules(w.config.classifier.input, TODAY), today: TODAY, prospectDeals: null });
    const dealer = people.find((p) => p.id === 'dealer');
    expect(dealer?.deals).toEqual([
      { createdDay: TODAY - 50, closedDay: TODAY - 20 },
      { createdDay: TODAY - 10, closedDay: null },
    ]);
    // One deal open today, one open 30 days ago (the lost one, then).
    expect(featuresAt(dealer!, TODAY).openDeals).toBe(1);
    expect(featuresAt(dealer!, TODAY - 30).openDeals).toBe(1);
    expect(featuresAt(dealer!, TODAY).bestWinProbability).toBeNull();
  });

  it('scores a prospect whose CRM created date is in the future (a clock or import gone wrong) as one of unknown age', async () => {
    const w = world();
    addStoryPeople(w, 120);
    w.crm.addCustomer('future', { createdDay: TODAY + 30, leadSource: 'referral' });
    w.crm.addCustomer('unknown', { leadSource: 'referral' });
    await w.sync();
    const values = w.values();
    expect(values.get('future')?.conversionLikelihood).toMatch(/^\d+$/);
    // Exactly as if the CRM had no created date for them.
    expect(values.get('future')?.conversionLikelihood).toBe(values.get('unknown')?.conversionLikelihood);
  });

  it('keeps each customer\'s engagement reading when it changes, and forgets them with the customer', async () => {
    const w = world();
    addStoryPeople(w, 40);
    await w.sync();
    const engaged = [...w.crm.customers.values()].filter((c) => c.signals.lastEngagementDay !== undefined);
    const first = await readings(w.store);
    expect(first.map((r) => r.recordId).sort()).toEqual(engaged.map((c) => c.id).sort());
    expect(first.every((r) => r.seenDay === TODAY)).toBe(true);

    // A day later one customer has engaged again; the others' readings are unchanged.
    w.crm.now += DAY_MS;
    const moved = engaged[0];
    moved.signals = { ...moved.signals, lastEngagementDay: TODAY + 1 };
    moved.modifiedAt = w.crm.tick();
    await w.sync({ asOfDay: TODAY + 1 });
    const second = await readings(w.store);
    expect(second).toHaveLength(first.length + 1);
    expect(second.filter((r) => r.recordId === moved.id)).toEqual([
      { recordId: moved.id, seenDay: TODAY, lastEngagementDay: first.find((r) => r.recordId === moved.id)?.lastEngagementDay },
      { recordId: moved.id, seenDay: TODAY + 1, lastEngagementDay: TODAY + 1 },
    ]);

    await w.store.forgetCustomers(INSTALLATION, [moved.id]);
    expect((await readings(w.store)).some((r) => r.recordId === moved.id)).toBe(false);
    await w.store.removeInstallation(INSTALLATION);
    expect(await readings(w.store)).toEqual([]);
  });
});
