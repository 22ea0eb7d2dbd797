// @ts-check
// The "Is the model right for my data?" card: the backtest of the stored deals (GET /backtest), asked
// for with a button because it fits three models on the server.
import { api } from './api.js';
import { byId, fill, h } from './dom.js';
import { MODEL_NAMES } from './figures.js';
import { scoped } from './scope.js';

/** @type {import('chart.js').Chart | null} */
let chart = null;
const COLORS = ['#2e90fa', '#f04438', '#12b76a', '#98a2b3'];

/** @param {number | null} v @param {number} [digits] */
const fixed = (v, digits = 3) => (v === null ? '—' : v.toFixed(digits));
/** @param {number | null} v */
const signedPct = (v) => (v === null ? '—' : `${v >= 0 ? '+' : ''}${v.toFixed(1)} %`);

/** The conversion model's line: its holdout AUC on the prospects, or why there is none. @param {import('./types').Backtest['conversion']} c */
function conversionWords(c) {
  if (!c) return '';
  if (!c.available) return `Conversion likelihood: not backtested: ${c.reason}.`;
  const auc = c.auc === null ? `no holdout AUC: ${c.reason ?? ''}` : `holdout AUC ${c.auc.toFixed(2)}${c.aucStandardError === null ? '' : ` ± ${c.aucStandardError.toFixed(2)}`}`;
  return `Conversion likelihood (first purchase within ${c.horizonDays} days): ${c.prospects} prospects on ${c.calibrationEnd}, ${c.converted} converted by ${c.holdoutEnd}; ${auc}.`;
}

/** @param {import('./types').Backtest} b */
function render(b) {
  const top = `Top ${Math.round(b.labels.topShare * 100)} % revenue`;
  const rows = b.models.map((m) => {
    const a = m.accuracy;
    const name = `${MODEL_NAMES[m.model] ?? m.model}${m.model === 'recency_heuristic' ? ' (baseline)' : ''}`;
    if (!a) return h('tr', {}, h('td', {}, name), h('td', { colspan: 6, class: 'muted' }, `not fitted: ${m.reason ?? ''}`));
    return h(
      'tr',
      {},
      h('td', {}, name),
      ...[fixed(a.mae), fixed(a.rmse), fixed(a.correlation), signedPct(a.aggregateErrorPct), fixed(a.churnAuc, 2), a.topRevenueCapture === null ? '—' : `${(a.topRevenueCapture * 100).toFixed(1)} %`].map((v) => h('td', { class: 'num' }, v)),
    );
  });
  fill(
    byId('backtest-result'),
    h('p', { class: 'muted small' }, `Fitted on deals to ${b.calibrationEnd}; ${b.customers} customers had bought by then. In the ${b.holdoutDays} days to ${b.holdoutEnd}, ${b.actual.buyers} bought on ${b.actual.purchases} purchase days.`),
    h(
      'div',
      { class: 'table-wrap' },
      h('table', { class: 'table' }, h('thead', {}, h('tr', {}, ...['Model', 'MAE', 'RMSE', 'Correlation', 'Aggregate error', 'Churn AUC', top].map((t) => h('th', {}, t)))), h('tbody', {}, rows)),
    ),
    h('p', { class: 'muted small' }, 'Churn AUC: how well churn risk ranks who bought nothing in the holdout (0.5 = chance; below, the wrong way round).'),
    h('p', { class: 'conversion-backtest' }, conversionWords(b.conversion)),
  );
  const canvas = /** @type {HTMLCanvasElement} */ (byId('chart-backtest'));
  byId('backtest-chart').hidden = false;
  chart?.destroy();
  const names = Object.keys(b.calibration[0]?.meanPredicted ?? {});
  /** @type {import('chart.js').ChartConfiguration<'bar' | 'line', number[], string>} */
  const config = {
    type: 'bar',
    data: {
      labels: b.calibration.map((r) => `${r.frequency}${r.orMore ? '+' : ''}`),
      datasets: [
        { type: 'bar', label: 'Actual', data: b.calibration.map((r) => r.meanActual), backgroundColor: '#d0d5dd', borderRadius: 3 },
        ...names.map((n, k) => ({ type: /** @type {const} */ ('line'), label: MODEL_NAMES[n] ?? n, data: b.calibration.map((r) => r.meanPredicted[n] ?? 0), borderColor: COLORS[k % COLORS.length], backgroundColor: COLORS[k % COLORS.length], tension: 0.2 })),
      ],
    },
    options: {
      scales: { x: { title: { display: true, text: 'Repeat purchases before the cut-off' } }, y: { beginAtZero: true, title: { display: true, text: 'Mean purchases in the holdout' } } },
    },
  };
  chart = new Chart(canvas, /** @type {import('chart.js').ChartConfiguration} */ (/** @type {unknown} */ (config)));
}

/** Clears the card (another installation, or signed out). */
export function resetBacktest() {
  chart?.destroy();
  chart = null;
  byId('backtest-chart').hidden = true;
  fill(byId('backtest-result'));
}

/** @param {(error: unknown) => void} fail */
export function wireBacktest(fail) {
  const button = /** @type {HTMLButtonElement} */ (byId('backtest-run'));
  button.addEventListener('click', () => {
    button.disabled = true;
    fill(byId('backtest-result'), h('p', { class: 'muted' }, 'Fitting the models…'));
    void api(scoped('/backtest'))
      .then((b) => render(/** @type {import('./types').Backtest} */ (b)))
      .catch((e) => {
        resetBacktest();
        fail(e);
      })
      .finally(() => (button.disabled = false));
  });
}
