/** The backtest's split of a history at the cut-off, on a base small enough to follow by hand. */
import { describe, expect, it } from 'vitest';
import { backtest, type PurchaseColumns } from '../../src/classifier/backtest.ts';
import { day, settings } from '../helpers.ts';

/** Purchases per customer as (ISO day, amount) pairs, into the reader's columns. */
function columns(customers: Record<string, [string, number][]>): PurchaseColumns {
  const ids = Object.keys(customers);
  const offsets = [0];
  const days: number[] = [];
  const amounts: number[] = [];
  for (const id of ids) {
    for (const [d, a] of customers[id]) {
      days.push(day(d));
      amounts.push(a);
    }
    offsets.push(days.length);
  }
  return { ids, offsets, days, amounts };
}

describe('backtest', () => {
  const purchases = columns({
    // Two purchase days in the holdout (two rows on 02-01 count once); a refund is no purchase.
    a: [['2024-01-05', 10], ['2024-02-01', 5], ['2024-02-01', 5], ['2024-03-01', 20], ['2024-03-02', -4]],
    // Bought before the cut-off only.
    b: [['2023-12-01', 30], ['2024-01-10', 30]],
    // First purchase in the holdout: not in the cohort.
    c: [['2024-02-15', 50]],
    // A purchase after the holdout is not counted.
    d: [['2024-01-20', 10], ['2024-04-15', 10]],
  });
  const result = backtest(purchases, { calibrationEndDay: day('2024-01-31'), holdoutEndDay: day('2024-03-31'), settings: settings({ timeUnit: 'day' }) });

  it('scores the customers who had bought by the cut-off, against distinct purchase days in the holdout', () => {
    expect(result).toMatchObject({ calibrationEnd: '2024-01-31', holdoutEnd: '2024-03-31', holdoutDays: 60, customers: 3, repeatBuyers: 1, newInHoldout: 1 });
    expect(result.actual).toEqual({ purchases: 2, buyers: 1, revenue: 26 });
  });

  it('says why no model fitted so small a base, and shows the heuristic the product would use', () => {
    const names = result.models.map((m) => m.model);
    expect(names).toEqual(['pareto_nbd', 'bg_nbd', 'mbg_nbd', 'recency_heuristic']);
    for (const m of result.models.slice(0, 3)) {
      expect(m.fitted).toBe(false);
      expect(m.reason).toMatch(/only 3 customers/);
    }
    const heuristic = result.models[3];
    expect(heuristic.accuracy?.actualTotal).toBe(2);
    expect(heuristic.accuracy?.predictedTotal).toBeGreaterThan(0);
    expect(result.calibration.map((r) => [r.frequency, r.customers, r.meanActual])).toEqual([
      [0, 2, 1],
      [1, 1, 0],
    ]);
  });

  it('refuses a holdout that does not follow the calibration period', () => {
    expect(() => backtest(purchases, { calibrationEndDay: day('2024-01-31'), holdoutEndDay: day('2024-01-31'), settings: settings() })).toThrow(/holdout must end after/);
  });
});
