/**
 * `classifier.model: auto` and the fallback order, as an admin reads them in the model card: which
 * model scored the base, why, and what to know about BG/NBD.
 */
import { describe, expect, it } from 'vitest';
import { BG_NBD_WARNING, chooseModel, selectModel } from '../../src/classifier/autoModel.ts';
import type { BacktestResult, ModelBacktest } from '../../src/classifier/backtest.ts';
import { classify } from '../../src/classifier/classify.ts';
import { computeFeatures } from '../../src/classifier/features.ts';
import { purchaseRules } from '../../src/classifier/inputLimits.ts';
import { simulateCustomers } from '../../src/classifier/simulate.ts';
import { todayDay } from '../../src/io/dates.ts';
import { readTransactionsCsv } from '../../src/io/transactionsCsv.ts';
import { CDNOW_CSV, cdnowFeatures, day, settings } from '../helpers.ts';

/** A backtest result with the given holdout MAE per model (churn AUC as on CDNOW). */
function scored(mae: Record<'pareto_nbd' | 'bg_nbd' | 'mbg_nbd', number | null>, customers = 5000, repeatBuyers = 1500): BacktestResult {
  const auc = { pareto_nbd: 0.73, bg_nbd: 0.32, mbg_nbd: 0.69 };
  const models: ModelBacktest[] = (['pareto_nbd', 'bg_nbd', 'mbg_nbd'] as const).map((model) => {
    const m = mae[model];
    return m === null
      ? { model, fitted: false, reason: `${model} did not converge`, params: {}, accuracy: null }
      : { model, fitted: true, reason: null, params: {}, accuracy: { mae: m, rmse: 1, correlation: 0.6, aggregateErrorPct: -10, predictedTotal: 1, actualTotal: 1, churnAuc: auc[model], topRevenueCapture: 0.6 } };
  });
  return {
    calibrationEnd: '2025-01-01',
    holdoutEnd: '2025-06-30',
    holdoutDays: 180,
    timeUnit: 'week',
    customers,
    repeatBuyers,
    newInHoldout: 0,
    actual: { purchases: 1, buyers: 1, revenue: 1 },
    spend: { model: 'gamma_gamma', reason: null },
    models,
    calibration: [],
  };
}

describe('chooseModel', () => {
  const auto = settings({ model: 'auto' });

  it('picks the candidate with the lowest holdout MAE and says so with the figures', () => {
    const s = chooseModel(scored({ pareto_nbd: 0.8, bg_nbd: 0.9, mbg_nbd: 0.7 }), auto);
    expect(s.chosen).toBe('mbg_nbd');
    expect(s.reason).toMatch(/^mbg_nbd predicted the 180 days to 2025-06-30 best: mean absolute error 0\.700 .*pareto_nbd 0\.800/);
    expect(s.scores.map((k) => k.model)).toEqual(['pareto_nbd', 'bg_nbd', 'mbg_nbd']);
  });

  it('never lets BG/NBD drive churn risk, even when it predicts purchases best', () => {
    const s = chooseModel(scored({ pareto_nbd: 0.8, bg_nbd: 0.5, mbg_nbd: 0.85 }), auto);
    expect(s.chosen).toBe('pareto_nbd');
    expect(s.reason).toMatch(/bg_nbd's was lower \(0\.500\) but its churn AUC is 0\.32 and auto never lets it drive churn risk/);
  });

  it('keeps the default on a base too small to tell the models apart', () => {
    const s = chooseModel(scored({ pareto_nbd: 0.8, bg_nbd: 0.9, mbg_nbd: 0.7 }, 400, 90), auto);
    expect(s.chosen).toBe('pareto_nbd');
    expect(s.reason).toMatch(/400 customers \(90 repeat buyers\).*from 1000 \(200 repeat buyers\)/);
  });

  it('takes the candidate that fitted when the other did not', () => {
    expect(chooseModel(scored({ pareto_nbd: null, bg_nbd: 0.5, mbg_nbd: 0.9 }), auto).chosen).toBe('mbg_nbd');
  });
});

describe('auto on the CDNOW sample (holdout: the 273 days to 1998-06-30)', async () => {
  const auto = settings({ model: 'auto', timeUnit: 'week', backtest: { holdoutDays: 273, autoMinCustomers: 1000, autoMinRepeatBuyers: 200 } });
  const asOf = day('1998-06-30');
  const read = await readTransactionsCsv(CDNOW_CSV, { asOfDay: asOf, rules: purchaseRules(auto.input, todayDay()) });
  const selection = selectModel(read.table, asOf, auto);

  it('compares the models on the holdout and records the choice in the model card', async () => {
    expect(selection).toMatchObject({ calibrationEnd: '1997-09-30', holdoutEnd: '1998-06-30' });
    const pareto = selection.scores.find((s) => s.model === 'pareto_nbd');
    const mbg = selection.scores.find((s) => s.model === 'mbg_nbd');
    // The lower MAE of the two candidates wins.
    expect(selection.chosen).toBe((pareto?.mae ?? Infinity) <= (mbg?.mae ?? Infinity) ? 'pareto_nbd' : 'mbg_nbd');
    const result = classify(await cdnowFeatures('1998-06-30'), { asOfDay: asOf, settings: auto, selection });
    expect(result.model).toMatchObject({ name: selection.chosen, requested: 'auto', fallbackReason: null, warnings: [] });
    expect(result.model.selection?.reason).toBe(selection.reason);
  });

  it('falls back to the default and says why when no purchase is older than the holdout', () => {
    const young = selectModel(read.table, asOf, settings({ model: 'auto', backtest: { holdoutDays: 5000, autoMinCustomers: 1000, autoMinRepeatBuyers: 200 } }));
    expect(young).toMatchObject({ chosen: 'pareto_nbd', calibrationEnd: null, scores: [] });
    expect(young.reason).toMatch(/no purchase is older than the 5000-day holdout/);
  });
});

describe('the model card', () => {
  it('warns about BG/NBD when it is chosen explicitly', async () => {
    const result = classify(await cdnowFeatures('1997-09-30'), { asOfDay: day('1997-09-30'), settings: settings({ model: 'bg_nbd', timeUnit: 'week' }) });
    expect(result.model).toMatchObject({ name: 'bg_nbd', requested: 'bg_nbd', selection: null, warnings: [BG_NBD_WARNING] });
    expect(BG_NBD_WARNING).toMatch(/P\(alive\) = 1/);
  });
});

describe('fallback order: another model that fits comes before the recency heuristic', () => {
  /** A seeded base of 3,000 mostly one-time buyers (Pareto/NBD's generative story, weeks). */
  function base(params: readonly [number, number, number, number]) {
    const end = 10_730;
    const customers = [...simulateCustomers({ model: 'pareto_nbd', params, customers: 3000, seed: 1, unitDays: 7, firstDay: 10_000, cohortDays: 365, endDay: end })];
    return { features: customers.map((c) => computeFeatures(c, end, 365)), end };
  }

  it('uses Pareto/NBD when BG/NBD cannot be fitted, and says so', () => {
    const { features, end } = base([0.3, 30, 2, 1]);
    const result = classify(features, { asOfDay: end, settings: settings({ model: 'bg_nbd', timeUnit: 'week' }) });
    expect(result.model.name).toBe('pareto_nbd');
    expect(result.model.requested).toBe('bg_nbd');
    expect(result.model.fallbackReason).toMatch(/^bg_nbd .*; pareto_nbd, which could be fitted, is used instead$/);
  });

  it('uses Pareto/NBD when MBG/NBD cannot be fitted', () => {
    const { features, end } = base([0.3, 30, 2.5, 1]);
    const result = classify(features, { asOfDay: end, settings: settings({ model: 'mbg_nbd', timeUnit: 'week' }) });
    expect(result.model.name).toBe('pareto_nbd');
    expect(result.model.fallbackReason).toMatch(/^mbg_nbd .*; pareto_nbd, which could be fitted, is used instead$/);
  });

  it('comes to the heuristic only when no model fits, naming each failure', () => {
    const result = classify([computeFeatures({ id: 'a', purchases: [{ day: 100, amount: 5 }] }, 200, 365)], { asOfDay: 200, settings: settings() });
    expect(result.model.name).toBe('recency_heuristic');
    expect(result.model.fallbackReason).toMatch(/^only 1 customers; pareto_nbd needs .*; only 1 customers; mbg_nbd needs/);
  });
});
