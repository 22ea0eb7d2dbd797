/** The backtest's accuracy measures on inputs small enough to check by hand. */
import { describe, expect, it } from 'vitest';
import { calibrationByFrequency, errorMetrics, rocAuc, topShareCapture } from '../../src/classifier/backtestMetrics.ts';

describe('errorMetrics', () => {
  it('gives MAE, RMSE, correlation and aggregate error of a small example', () => {
    // Errors 1, 0, -2, 1: |e| sums to 4, e² to 6; predicted total 6 against actual 6.
    const m = errorMetrics([0, 1, 3, 2], [1, 1, 1, 3]);
    expect(m.mae).toBe(1);
    expect(m.rmse).toBeCloseTo(Math.sqrt(6 / 4), 12);
    expect(m.aggregateErrorPct).toBe(0);
    // Means 1.5 and 1.5; centred actual (-1.5, -0.5, 1.5, 0.5), predicted (-0.5, -0.5, -0.5, 1.5):
    // covariance sum 0.75+0.25-0.75+0.75 = 1; variances 5 and 3.
    expect(m.correlation).toBeCloseTo(1 / Math.sqrt(15), 12);
  });

  it('says how far the predicted total is from the actual one, in percent', () => {
    expect(errorMetrics([2, 2], [3, 2]).aggregateErrorPct).toBe(25);
    expect(errorMetrics([2, 2], [1, 1]).aggregateErrorPct).toBe(-50);
  });

  it('has no correlation when a side is constant, and no aggregate error when nothing was bought', () => {
    const m = errorMetrics([0, 0, 0], [0.5, 1, 2]);
    expect(m.correlation).toBeNull();
    expect(m.aggregateErrorPct).toBeNull();
    expect(m.mae).toBeCloseTo(3.5 / 3, 12);
  });
});

describe('rocAuc', () => {
  it('is 1 for a perfect ranking, 0 for a reversed one, 0.5 for a constant score', () => {
    const positive = [false, false, true, true];
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], positive)).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], positive)).toBe(0);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], positive)).toBe(0.5);
  });

  it('counts pairs, ties as one half', () => {
    // Positives score 0.6 and 0.3; negatives 0.3 and 0.1. Pairs: (0.6>0.3) 1, (0.6>0.1) 1, (0.3=0.3) ½, (0.3>0.1) 1.
    expect(rocAuc([0.6, 0.3, 0.3, 0.1], [true, true, false, false])).toBe(3.5 / 4);
  });

  it('is undefined with one class only', () => {
    expect(rocAuc([0.1, 0.2], [true, true])).toBeNull();
  });
});

describe('topShareCapture', () => {
  it('is the share of revenue bought by the top-ranked fifth', () => {
    // Ten customers; the two ranked highest bought 30 + 10 of 100.
    const rank = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
    const revenue = [30, 10, 0, 0, 20, 0, 0, 40, 0, 0];
    expect(topShareCapture(rank, revenue, 0.2)).toBe(0.4);
    expect(topShareCapture(rank, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 0.2)).toBeNull();
  });
});

describe('calibrationByFrequency', () => {
  it('averages actual and predicted purchases by past frequency, the last bucket open-ended', () => {
    const rows = calibrationByFrequency([0, 0, 2, 9, 7], [0, 1, 2, 5, 3], { m: [0.2, 0.4, 1.5, 6, 4] }, 7);
    expect(rows[0].meanPredicted.m).toBeCloseTo(0.3, 12);
    expect(rows.slice(1)).toEqual([
      { frequency: 2, orMore: false, customers: 1, meanActual: 2, meanPredicted: { m: 1.5 } },
      { frequency: 7, orMore: true, customers: 2, meanActual: 4, meanPredicted: { m: 5 } },
    ]);
  });
});
