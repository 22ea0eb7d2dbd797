/**
 * The fitted win path on the HubSpot sandbox: with enough closed won and lost deals carrying MEDDIC levels
 * (drawn from a known generating model, test/dealFit.ts), the run's stored win model is fitted, the model
 * card has its cross-validated AUC, open deals' win probabilities are the fit's (not their MEDDIC score),
 * better-qualified open deals rank higher, and a second run writes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { dealPropertyNames, hubspotSettingsSchema } from '../../connectors/hubspot/settings.ts';
import { closedFitDeals, meddicValues, OPEN_FIT_DEALS } from '../dealFit.ts';
import { createHarness, type Harness } from './harness.ts';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const DAY_MS = 86_400_000;
const storedFit = z.object({ winModel: z.object({ model: z.object({ basis: z.string(), closedDeals: z.number(), won: z.number() }).passthrough(), validation: z.object({ method: z.string(), folds: z.number().nullable(), auc: z.number().nullable(), aucStandardError: z.number().nullable() }).passthrough().nullable() }) }).passthrough();

describe('HubSpot deal scoring with enough closed deals', () => {
  it('fits the win model (cross-validated AUC on the model card), scores open deals with it, and a second run writes nothing', async () => {
    h = await createHarness({ dataset: { contacts: 12 }, config: { sync: { deals: { enabled: true } } } });
    const x = h;
    const n = dealPropertyNames(hubspotSettingsSchema.parse(x.config.connectors.hubspot));
    expect((await x.sync()).status).toBe('succeeded'); // creates the deal properties
    const contacts = x.sandbox.data.contactIds();
    const closed = closedFitDeals(240);
    expect(closed.filter((d) => d.won).length).toBeGreaterThan(40);
    expect(closed.filter((d) => !d.won).length).toBeGreaterThan(40);
    closed.forEach((d, i) => {
      const at = new Date(Date.now() - d.closedDaysAgo * DAY_MS).toISOString();
      const created = new Date(Date.now() - (d.closedDaysAgo + 30) * DAY_MS).toISOString();
      x.sandbox.data.createDeal({ dealname: `closed ${i}`, amount: String(d.amount), pipeline: 'default', dealstage: d.won ? 'closedwon' : 'closedlost', createdate: created, closedate: at, ...meddicValues(n, d.meddic) }, [contacts[i % contacts.length]]);
    });
    // Created in the past, as real deals are: one created in the second a run starts has no age yet in that run.
    const open = OPEN_FIT_DEALS.map((meddic, i) =>
      x.sandbox.data.createDeal({ dealname: `open ${i}`, amount: '5000', pipeline: 'default', dealstage: 'qualifiedtobuy', createdate: new Date(Date.now() - 10 * DAY_MS).toISOString(), closedate: new Date(Date.now() + 30 * DAY_MS).toISOString(), ...meddicValues(n, meddic) }),
    );

    const second = await x.sync();
    expect(second.status).toBe('succeeded');
    const fit = storedFit.parse((await x.store.latestModelFit('hubspot'))?.fit);
    expect(fit.winModel.model.basis).toBe('fitted');
    expect(fit.winModel.model.closedDeals).toBeGreaterThanOrEqual(240);
    expect(fit.winModel.validation).toMatchObject({ method: 'cross_validation', folds: 5 });
    expect(fit.winModel.validation?.auc).toBeGreaterThan(0.6);
    expect(fit.winModel.validation?.aucStandardError).toBeGreaterThan(0);

    const value = (id: string, name: string) => Number(x.sandbox.data.getDeal(id)?.properties[name]);
    const win = open.map((id) => value(id, n.winProbability));
    const score = open.map((id) => value(id, n.meddicScore));
    for (const v of [...win, ...score]) expect(Number.isFinite(v)).toBe(true);
    // The fit's probabilities, not the MEDDIC score relabelled.
    expect(win.filter((w, i) => w !== score[i]).length).toBeGreaterThanOrEqual(4);
    // None confirmed ranks lowest, all confirmed highest.
    expect(win[0]).toBe(Math.min(...win));
    expect(win[win.length - 1]).toBe(Math.max(...win));
    expect(win[win.length - 1]).toBeGreaterThan(win[0] + 20);

    const third = await x.sync();
    expect(third.deals).toMatchObject({ changed: 0, written: 0 });
  }, 120_000);
});
