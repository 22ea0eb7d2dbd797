/**
 * `lifecycle-sync backtest` as an analyst runs it: offline on the CDNOW sample (JSON and the table), and
 * the same figures from an installation's stored deals.
 */
import { describe, expect, it } from 'vitest';
import { readTransactionsCsv } from '../../src/io/transactionsCsv.ts';
import { purchaseRules } from '../../src/classifier/inputLimits.ts';
import { todayDay } from '../../src/io/dates.ts';
import { backtestInstallation } from '../../src/service/backtestInstallation.ts';
import { CDNOW_CSV, day, settings } from '../helpers.ts';
import type { StoredDeal } from '../../src/store/types.ts';
import { temporarySqlitePlace } from '../stores.ts';
import { runCli } from './run.ts';

const args = ['backtest', '--transactions', CDNOW_CSV, '--calibration-end', '1997-09-30', '--holdout-end', '1998-06-30'];

describe('lifecycle-sync backtest --transactions', () => {
  it('prints the per-model figures as JSON', async () => {
    const r = await runCli([...args, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { customers: number; holdoutDays: number; models: { model: string; fitted: boolean; accuracy: { mae: number } | null }[]; calibration: unknown[]; input: { validRows: number } };
    expect(out).toMatchObject({ customers: 2357, holdoutDays: 273, input: { validRows: 6919 } });
    expect(out.models.map((m) => [m.model, m.fitted])).toEqual([
      ['pareto_nbd', true],
      ['bg_nbd', true],
      ['mbg_nbd', true],
      ['recency_heuristic', true],
    ]);
    expect(out.calibration).toHaveLength(8);
  });

  it('prints a table a person can read', async () => {
    const r = await runCli(args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Pareto\/NBD\s+0\.\d{3}\s+\d\.\d{3}\s+0\.\d{3}\s+[-+]\d+\.\d %\s+0\.\d{3}\s+\d+\.\d %$/m);
    expect(r.stdout).toMatch(/^recency heuristic \(baseline\)/m);
    expect(r.stdout).toMatch(/^7\+\s+64\s/m);
  });

  it('needs both dates, in order', async () => {
    const missing = await runCli(['backtest', '--transactions', CDNOW_CSV, '--calibration-end', '1997-09-30']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/give --calibration-end and --holdout-end/);
    const reversed = await runCli(['backtest', '--transactions', CDNOW_CSV, '--calibration-end', '1998-06-30', '--holdout-end', '1997-09-30']);
    expect(reversed.code).toBe(1);
    expect(reversed.stderr).toMatch(/--holdout-end must be after --calibration-end/);
  });
});

describe("backtest on an installation's stored deals", () => {
  it('gives the figures of the same purchases read from a file', async () => {
    const place = temporarySqlitePlace();
    const store = await place.open();
    try {
      const read = await readTransactionsCsv(CDNOW_CSV, { rules: purchaseRules(settings().input, todayDay()) });
      const { ids, offsets, days, amounts } = read.table;
      await store.upsertInstallation({ id: 'in_cdnow', crm: 'hubspot', name: 'CDNOW' });
      const deals: StoredDeal[] = ids.flatMap((id, c) =>
        Array.from({ length: offsets[c + 1] - offsets[c] }, (_, k) => ({
          recordId: `${id}-${k}`,
          customerIds: [id],
          status: 'won',
          amount: amounts[offsets[c] + k],
          closeDay: days[offsets[c] + k],
          modifiedAt: 0,
        })),
      );
      // An open deal is no purchase.
      deals.push({ recordId: 'open-1', customerIds: ['0001'], status: 'open', amount: 99, closeDay: day('1998-01-01'), modifiedAt: 0 });
      await store.upsertDeals('in_cdnow', deals);
      const today = day('1998-06-30');
      const stored = await backtestInstallation(store, 'in_cdnow', settings(), { holdoutDays: 273, today });
      const fromFile = await runCli([...args, '--json']);
      const file = JSON.parse(fromFile.stdout) as { actual: unknown; models: { model: string; accuracy: { mae: number; churnAuc: number } | null }[] };
      expect(stored).toMatchObject({ installation: 'in_cdnow', calibrationEnd: '1997-09-30', customers: 2357, repeatBuyers: 946, actual: file.actual });
      for (const [k, m] of stored.models.entries()) {
        expect(m.accuracy?.mae).toBeCloseTo(file.models[k].accuracy?.mae ?? NaN, 9);
        expect(m.accuracy?.churnAuc).toBeCloseTo(file.models[k].accuracy?.churnAuc ?? NaN, 9);
      }
    } finally {
      await store.close();
      place.remove();
    }
  });
});
