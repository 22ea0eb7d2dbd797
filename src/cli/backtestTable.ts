/** The backtest as a readable table for the terminal (`--json` prints the result itself). */
import type { BacktestResult } from '../classifier/backtest.ts';
import type { ModelName } from '../classifier/types.ts';

export const MODEL_LABELS: Readonly<Record<ModelName, string>> = {
  pareto_nbd: 'Pareto/NBD',
  bg_nbd: 'BG/NBD',
  mbg_nbd: 'MBG/NBD',
  recency_heuristic: 'recency heuristic',
};

const fixed = (v: number | null, digits = 3) => (v === null ? 'n/a' : v.toFixed(digits));
const percent = (v: number | null) => (v === null ? 'n/a' : `${v >= 0 ? '+' : ''}${v.toFixed(1)} %`);
const labels = new Map<string, string>(Object.entries(MODEL_LABELS));

function table(rows: string[][]): string {
  const widths = rows[0].map((_, k) => Math.max(...rows.map((r) => r[k].length)));
  return rows.map((r) => r.map((cell, k) => (k === 0 ? cell.padEnd(widths[k]) : cell.padStart(widths[k]))).join('  ').trimEnd()).join('\n');
}

export function backtestTable(r: BacktestResult, topShare: number): string {
  const top = `top ${Math.round(topShare * 100)} % revenue`;
  const lines = [
    `Backtest: fitted on purchases to ${r.calibrationEnd}, predicting the ${r.holdoutDays} days to ${r.holdoutEnd} (distinct purchase days)`,
    `${r.customers} customers had bought by then (${r.repeatBuyers} more than once)` +
      `${r.newInHoldout > 0 ? `; ${r.newInHoldout} first bought in the holdout and are not scored` : ''}.`,
    `In the holdout: ${r.actual.buyers} of them bought, on ${r.actual.purchases} purchase days, for ${r.actual.revenue.toFixed(2)} in revenue.`,
    '',
  ];
  const rows = [['model', 'MAE', 'RMSE', 'correlation', 'aggregate error', 'churn AUC', top]];
  const notFitted: string[] = [];
  for (const m of r.models) {
    const label = m.model === 'recency_heuristic' ? `${MODEL_LABELS[m.model]} (baseline)` : MODEL_LABELS[m.model];
    const a = m.accuracy;
    if (!a) {
      notFitted.push(`${MODEL_LABELS[m.model]} could not be fitted: ${m.reason ?? 'unknown reason'}`);
      continue;
    }
    rows.push([label, fixed(a.mae), fixed(a.rmse), fixed(a.correlation), percent(a.aggregateErrorPct), fixed(a.churnAuc), a.topRevenueCapture === null ? 'n/a' : `${(100 * a.topRevenueCapture).toFixed(1)} %`]);
  }
  lines.push(table(rows), ...notFitted);
  lines.push(
    '',
    'churn AUC: how well churn risk ranks those who bought nothing in the holdout (0.5 = chance, below = the wrong way round).',
    `${top}: share of holdout revenue bought by the customers ranked highest by predicted CLV${r.spend.model === 'gamma_gamma' ? '' : ` (spend: ${r.spend.reason ?? 'customer means'})`}.`,
    '',
    'Mean holdout purchases by repeat purchases before the cut-off:',
  );
  const names = r.calibration.length > 0 ? Object.keys(r.calibration[0].meanPredicted) : [];
  const calibration = [['repeat purchases', 'customers', 'actual', ...names.map((n) => labels.get(n) ?? n)]];
  for (const row of r.calibration) {
    calibration.push([`${row.frequency}${row.orMore ? '+' : ''}`, String(row.customers), fixed(row.meanActual), ...names.map((n) => fixed(row.meanPredicted[n]))]);
  }
  lines.push(table(calibration));
  return `${lines.join('\n')}\n`;
}
