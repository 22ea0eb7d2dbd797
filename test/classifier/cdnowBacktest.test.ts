/**
 * The backtest on the CDNOW sample (calibration to 1997-09-30, 39-week holdout to 1998-06-30), checked
 * against a computation written here: the file parsed by hand, holdout purchases counted by hand,
 * BG/NBD's P(alive) and expectation from their closed forms (Fader, Hardie & Lee 2005, eq. 10 and the
 * appendix) with a plain hypergeometric series, the other models through their model modules one
 * customer at a time, and every measure by the textbook definition (AUC over all pairs).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { backtest, type ModelBacktest } from '../../src/classifier/backtest.ts';
import { fitSpendModel } from '../../src/classifier/fit.ts';
import { purchaseRules } from '../../src/classifier/inputLimits.ts';
import { spendData } from '../../src/classifier/models/gammaGamma.ts';
import { TRANSACTION_MODEL_REGISTRY } from '../../src/classifier/models/index.ts';
import type { Conditional } from '../../src/classifier/models/model.ts';
import { todayDay } from '../../src/io/dates.ts';
import { readTransactionsCsv } from '../../src/io/transactionsCsv.ts';
import { CDNOW_CSV, day, settings } from '../helpers.ts';

const CUT = day('1997-09-30');
const END = day('1998-06-30');
const HOLDOUT_WEEKS = (END - CUT) / 7; // 39

interface Customer {
  x: number;
  tx: number;
  T: number;
  monetary: number;
  holdout: number;
  revenue: number;
}

/** The sample by hand: distinct purchase days before and in the holdout, times in weeks. */
function customersByHand(): Customer[] {
  const byId = new Map<string, { day: number; amount: number }[]>();
  for (const line of readFileSync(CDNOW_CSV, 'utf8').trim().split('\n').slice(1)) {
    const [id, date, amount] = line.split(',');
    const d = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8))) / 86_400_000;
    const list = byId.get(id) ?? [];
    list.push({ day: d, amount: Number(amount) });
    byId.set(id, list);
  }
  const out: Customer[] = [];
  for (const rows of byId.values()) {
    const before = new Map<number, number>();
    const after = new Set<number>();
    let revenue = 0;
    for (const r of rows) {
      if (r.day <= CUT) before.set(r.day, (before.get(r.day) ?? 0) + r.amount);
      else if (r.day <= END) {
        after.add(r.day);
        revenue += r.amount;
      }
    }
    if (before.size === 0) continue;
    const days = [...before.keys()].sort((a, b) => a - b);
    const repeatSpend = days.slice(1).reduce((s, d) => s + (before.get(d) ?? 0), 0);
    out.push({
      x: days.length - 1,
      tx: (days[days.length - 1] - days[0]) / 7,
      T: (CUT - days[0]) / 7,
      monetary: days.length > 1 ? repeatSpend / (days.length - 1) : 0,
      holdout: after.size,
      revenue,
    });
  }
  return out;
}

/** Gauss's series for 2F1(a, b; c; z), |z| < 1. */
function hyp2f1(a: number, b: number, c: number, z: number): number {
  let term = 1;
  let sum = 1;
  for (let k = 0; k < 100_000 && Math.abs(term) > 1e-16 * Math.abs(sum); k++) {
    term *= ((a + k) * (b + k) * z) / ((c + k) * (k + 1));
    sum += term;
  }
  return sum;
}

/** BG/NBD's P(alive) and E[X(t) | x, t_x, T] (Fader, Hardie & Lee 2005a, eq. 10 and 13). */
function bgNbd({ r, alpha, a, b }: Record<string, number>, c: Customer, t: number): { pAlive: number; expected: number } {
  const odds = c.x > 0 ? (a / (b + c.x - 1)) * Math.pow((alpha + c.T) / (alpha + c.tx), r + c.x) : 0;
  const z = t / (alpha + c.T + t);
  const expected =
    (((a + b + c.x - 1) / (a - 1)) * (1 - Math.pow((alpha + c.T) / (alpha + c.T + t), r + c.x) * hyp2f1(r + c.x, b + c.x, a + b + c.x - 1, z))) / (1 + odds);
  return { pAlive: 1 / (1 + odds), expected };
}

/** Through the model module itself (not the backtest's scorer): one customer at a time. */
function viaModel(name: 'pareto_nbd' | 'mbg_nbd', params: Record<string, number>, c: Customer, t: number): { pAlive: number; expected: number } {
  const model = TRANSACTION_MODEL_REGISTRY[name];
  const p = model.paramNames.map((n) => params[n]);
  const out: Conditional = { pAlive: 0, scale: 0 };
  model.conditionalFor(p)(c.x, c.tx, c.T, out);
  return { pAlive: out.pAlive, expected: out.scale * model.timeProfile(p, c.x, c.T, t) };
}

function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < n; i++) {
    num += (a[i] - ma) * (b[i] - mb);
    da += (a[i] - ma) ** 2;
    db += (b[i] - mb) ** 2;
  }
  return num / Math.sqrt(da * db);
}

/** P(risk of a random non-buyer > risk of a random buyer), ties one half: every pair counted. */
function aucByPairs(risk: number[], noPurchase: boolean[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < risk.length; i++) {
    if (!noPurchase[i]) continue;
    for (let j = 0; j < risk.length; j++) {
      if (noPurchase[j]) continue;
      pairs++;
      wins += risk[i] > risk[j] ? 1 : risk[i] === risk[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

describe('backtest on the CDNOW sample, calibration to 1997-09-30, 39-week holdout', async () => {
  const classifier = settings({ timeUnit: 'week' });
  const read = await readTransactionsCsv(CDNOW_CSV, { rules: purchaseRules(classifier.input, todayDay()) });
  const result = backtest(read.table, { calibrationEndDay: CUT, holdoutEndDay: END, settings: classifier });
  const customers = customersByHand();
  const actual = customers.map((c) => c.holdout);
  const noPurchase = customers.map((c) => c.holdout === 0);
  const model = (name: string): ModelBacktest => {
    const m = result.models.find((k) => k.model === name);
    if (!m?.accuracy) throw new Error(`${name} was not fitted: ${m?.reason}`);
    return m;
  };

  it('scores the 2,357 customers against the purchase days they made in the 39 weeks', () => {
    expect(HOLDOUT_WEEKS).toBe(39);
    expect(result.customers).toBe(customers.length);
    expect(result.customers).toBe(2357);
    expect(result.actual.purchases).toBe(actual.reduce((s, v) => s + v, 0));
    expect(result.actual.buyers).toBe(actual.filter((v) => v > 0).length);
    expect(result.actual.revenue).toBeCloseTo(customers.reduce((s, c) => s + c.revenue, 0), 6);
    expect(result.models.every((m) => m.fitted)).toBe(true);
  });

  const predictors = {
    bg_nbd: (params: Record<string, number>, c: Customer, t: number) => bgNbd(params, c, t),
    pareto_nbd: (params: Record<string, number>, c: Customer, t: number) => viaModel('pareto_nbd', params, c, t),
    mbg_nbd: (params: Record<string, number>, c: Customer, t: number) => viaModel('mbg_nbd', params, c, t),
  };

  for (const [name, predict] of Object.entries(predictors)) {
    it(`gives ${name}'s MAE, RMSE, correlation, aggregate error and churn AUC as computed by hand`, () => {
      const m = model(name);
      const a = m.accuracy;
      if (!a) throw new Error('unreachable');
      const predictions = customers.map((c) => predict(m.params, c, HOLDOUT_WEEKS));
      const predicted = predictions.map((p) => p.expected);
      const errors = predicted.map((p, i) => p - actual[i]);
      expect(a.mae).toBeCloseTo(errors.reduce((s, e) => s + Math.abs(e), 0) / errors.length, 6);
      expect(a.rmse).toBeCloseTo(Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / errors.length), 6);
      expect(a.correlation).toBeCloseTo(pearson(predicted, actual), 6);
      const totalPredicted = predicted.reduce((s, v) => s + v, 0);
      const totalActual = actual.reduce((s, v) => s + v, 0);
      expect(a.aggregateErrorPct).toBeCloseTo((100 * (totalPredicted - totalActual)) / totalActual, 4);
      expect(a.churnAuc).toBeCloseTo(aucByPairs(predictions.map((p) => 1 - p.pAlive), noPurchase), 6);
    });
  }

  it("finds BG/NBD's P(alive) ranks CDNOW's churners worse than chance, Pareto/NBD's and MBG/NBD's well better", () => {
    const bg = model('bg_nbd').accuracy?.churnAuc ?? NaN;
    expect(bg).toBeLessThan(0.5);
    expect(bg).toBeGreaterThan(0.25); // about 0.32: every one-time buyer stays 'alive'
    expect(model('pareto_nbd').accuracy?.churnAuc).toBeGreaterThan(0.65);
    expect(model('mbg_nbd').accuracy?.churnAuc).toBeGreaterThan(0.65);
  });

  it('has every model within 20 % of the holdout total, and the recency heuristic far off', () => {
    for (const name of ['pareto_nbd', 'bg_nbd', 'mbg_nbd']) expect(Math.abs(model(name).accuracy?.aggregateErrorPct ?? NaN)).toBeLessThan(20);
    expect(model('recency_heuristic').accuracy?.aggregateErrorPct).toBeGreaterThan(50);
  });

  it("gives BG/NBD's top-20 % revenue capture as ranked by CLV computed by hand", () => {
    // CLV = E[M] (Gamma-Gamma, shrunk repeat mean) × Σ discounted monthly increments of E[X].
    const repeat = customers.filter((c) => c.x > 0 && c.monetary > 0);
    const spend = fitSpendModel(spendData(Float64Array.from(repeat, (c) => c.x), Float64Array.from(repeat, (c) => c.monetary)), classifier.fit);
    if (!spend.ok) throw new Error(spend.reason);
    const { p, q, gamma } = spend.fit.params;
    const params = model('bg_nbd').params;
    const clv = customers.map((c) => {
      const value = c.x > 0 && c.monetary > 0 ? (p * (gamma + c.x * c.monetary)) / (p * c.x + q - 1) : (p * gamma) / (q - 1);
      let sum = 0;
      for (let month = 1; month <= classifier.clv.horizonMonths; month++) {
        const step = bgNbd(params, c, month * 4.345).expected - bgNbd(params, c, (month - 1) * 4.345).expected;
        sum += step / Math.pow(1 + classifier.clv.monthlyDiscountRate, month);
      }
      return value * sum;
    });
    const order = customers.map((_, i) => i).sort((i, j) => clv[j] - clv[i] || i - j);
    const top = order.slice(0, Math.round(0.2 * customers.length));
    const total = customers.reduce((s, c) => s + c.revenue, 0);
    const captured = top.reduce((s, i) => s + customers[i].revenue, 0) / total;
    expect(model('bg_nbd').accuracy?.topRevenueCapture).toBeCloseTo(captured, 2);
    // The 20 % the model values most bought well over half of the holdout's revenue.
    expect(captured).toBeGreaterThan(0.5);
  });

  it('tabulates mean actual holdout purchases by past frequency 0..7+ as counted by hand', () => {
    for (const row of result.calibration) {
      const group = customers.filter((c) => (row.orMore ? c.x >= row.frequency : c.x === row.frequency));
      expect(row.customers).toBe(group.length);
      expect(row.meanActual).toBeCloseTo(group.reduce((s, c) => s + c.holdout, 0) / group.length, 9);
    }
    expect(result.calibration.map((r) => r.frequency)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});
