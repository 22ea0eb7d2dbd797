/**
 * The fitted win path on the Salesforce sandbox: with enough closed won and lost Opportunities carrying
 * MEDDIC levels (drawn from a known generating model, test/dealFit.ts), the run's stored win model is
 * fitted, the model card has its cross-validated AUC, open Opportunities' win probabilities are the fit's
 * (not their MEDDIC score), better-qualified ones rank higher, and a second run writes nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { dealFieldApiNames, salesforceSettingsSchema } from '../../connectors/salesforce/settings.ts';
import { closedFitDeals, meddicValues, OPEN_FIT_DEALS } from '../dealFit.ts';
import { createSalesforceHarness, type SalesforceHarness } from './harness.ts';

let h: SalesforceHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const DAY_MS = 86_400_000;
// Created dates in the past, as real deals have them: a deal created in the second a run starts has no age yet in that run.
const day = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY_MS).toISOString().slice(0, 10);
const storedFit = z.object({ winModel: z.object({ model: z.object({ basis: z.string(), closedDeals: z.number(), won: z.number() }).passthrough(), validation: z.object({ method: z.string(), folds: z.number().nullable(), auc: z.number().nullable(), aucStandardError: z.number().nullable() }).passthrough().nullable() }) }).passthrough();

describe('Salesforce deal scoring with enough closed Opportunities', () => {
  it('fits the win model (cross-validated AUC on the model card), scores open deals with it, and a second run writes nothing', async () => {
    h = await createSalesforceHarness({ contacts: 10, config: { sync: { deals: { enabled: true } } } });
    const x = h;
    const n = dealFieldApiNames(salesforceSettingsSchema.parse(x.config.connectors.salesforce));
    expect((await x.sync()).status).toBe('succeeded'); // creates the Opportunity fields
    const closed = closedFitDeals(240);
    closed.forEach((d, i) => {
      x.sandbox.data.createOpportunity({ Name: `closed ${i}`, Amount: d.amount, StageName: d.won ? 'Closed Won' : 'Closed Lost', CloseDate: day(-d.closedDaysAgo), CreatedDate: `${day(-d.closedDaysAgo - 30)}T09:00:00.000Z`, ...meddicValues(n, d.meddic) });
    });
    const open = OPEN_FIT_DEALS.map((meddic, i) => x.sandbox.data.createOpportunity({ Name: `open ${i}`, Amount: 5000, StageName: 'Qualification', CloseDate: day(30), CreatedDate: `${day(-10)}T09:00:00.000Z`, ...meddicValues(n, meddic) }));

    const second = await x.sync();
    expect(second.status).toBe('succeeded');
    const { installationId } = await x.connector();
    const fit = storedFit.parse((await x.store.latestModelFit(installationId))?.fit);
    expect(fit.winModel.model.basis).toBe('fitted');
    expect(fit.winModel.model.closedDeals).toBeGreaterThanOrEqual(240);
    expect(fit.winModel.validation).toMatchObject({ method: 'cross_validation', folds: 5 });
    expect(fit.winModel.validation?.auc).toBeGreaterThan(0.6);
    expect(fit.winModel.validation?.aucStandardError).toBeGreaterThan(0);

    const value = (id: string, name: string) => Number(x.sandbox.data.get('Opportunity', id)?.[name]);
    const win = open.map((id) => value(id, n.winProbability));
    const score = open.map((id) => value(id, n.meddicScore));
    for (const v of [...win, ...score]) expect(Number.isFinite(v)).toBe(true);
    expect(win.filter((w, i) => w !== score[i]).length).toBeGreaterThanOrEqual(4);
    expect(win[0]).toBe(Math.min(...win));
    expect(win[win.length - 1]).toBe(Math.max(...win));
    expect(win[win.length - 1]).toBeGreaterThan(win[0] + 20);

    const third = await x.sync();
    expect(third.deals).toMatchObject({ changed: 0, written: 0 });
  }, 120_000);
});
