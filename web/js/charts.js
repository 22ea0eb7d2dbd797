// @ts-check
// The four charts, drawn with Chart.js (served by this server from node_modules).
import { money, num, STAGE_COLORS } from './format.js';

/** @typedef {import('./types').Overview} Overview */

/** @type {Map<string, import('chart.js').Chart>} */
const charts = new Map();

Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;
Chart.defaults.color = '#667085';
Chart.defaults.borderColor = '#eaecf0';
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.animation = false;

/**
 * @param {string} id canvas id
 * @param {import('chart.js').ChartConfiguration<'bar', number[], string>} config
 */
function draw(id, config) {
  charts.get(id)?.destroy();
  const canvas = /** @type {HTMLCanvasElement} */ (document.getElementById(id));
  charts.set(id, new Chart(canvas, /** @type {import('chart.js').ChartConfiguration} */ (/** @type {unknown} */ (config))));
}

/**
 * Options that make a chart's bars open the people they count: `pick` gets the bar's index.
 * @param {((index: number) => void) | undefined} pick
 * @returns {{ onClick?: import('chart.js').ChartOptions<'bar'>['onClick'], onHover?: import('chart.js').ChartOptions<'bar'>['onHover'] }}
 */
function clickable(pick) {
  if (!pick) return {};
  return {
    onClick: (_event, elements) => {
      const bar = elements[0];
      if (bar) pick(bar.index);
    },
    onHover: (event, elements) => {
      const target = event.native?.target;
      if (target instanceof HTMLElement) target.style.cursor = elements.length > 0 ? 'pointer' : 'default';
    },
  };
}

/** @param {string} id @param {string} text */
function note(id, text) {
  const el = document.getElementById(id);
  if (el) el.textContent = text;
}

/** @param {Overview} o @param {(stage: string) => void} [pick] a bar clicked: its stage */
export function drawStages(o, pick) {
  const s = o.summary;
  if (!s) return;
  const stages = o.labels.stageOrder;
  note('stage-note', `${num(s.customers)} people as of ${o.asOf ?? '—'}${o.runKind === 'dry_run' ? ' (dry run: not written yet)' : ''}`);
  draw('chart-stages', {
    type: 'bar',
    data: {
      labels: stages.map((st) => o.labels.stages[st]),
      datasets: [{ label: 'People', data: stages.map((st) => s.stages[st]), backgroundColor: stages.map((st) => STAGE_COLORS[st] ?? '#98a2b3'), borderRadius: 4 }],
    },
    options: {
      ...clickable(pick && ((i) => pick(stages[i] ?? ''))),
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (c) => `${num(c.parsed.y)} people (${(((c.parsed.y ?? 0) / Math.max(1, s.customers)) * 100).toFixed(1)} %)` } } },
      scales: { x: { grid: { display: false } }, y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
}

/** @param {Overview} o @param {(bucket: { from: number, to: number }) => void} [pick] a bar clicked: its range of churn risk */
export function drawChurn(o, pick) {
  const s = o.summary;
  if (!s) return;
  const { mediumFrom, highFrom } = o.settings.churnRiskBands;
  const color = (/** @type {number} */ from) => (from >= highFrom ? '#f04438' : from >= mediumFrom ? '#fdb022' : '#12b76a');
  note('churn-note', `${num(s.churnRiskBands.low)} low · ${num(s.churnRiskBands.medium)} medium · ${num(s.churnRiskBands.high)} high`);
  draw('chart-churn', {
    type: 'bar',
    data: {
      labels: o.churnRiskHistogram.map((b) => `${b.from}–${b.to} %`),
      datasets: [{ label: 'Customers', data: o.churnRiskHistogram.map((b) => b.customers), backgroundColor: o.churnRiskHistogram.map((b) => color(b.from)), borderRadius: 3, barPercentage: 0.95, categoryPercentage: 0.95 }],
    },
    options: {
      ...clickable(pick && ((i) => { const b = o.churnRiskHistogram[i]; if (b) pick(b); })),
      plugins: { legend: { display: false }, tooltip: { callbacks: { title: (items) => `Churn risk ${items[0]?.label ?? ''}`, label: (c) => `${num(c.parsed.y)} customers` } } },
      scales: { x: { grid: { display: false }, title: { display: true, text: 'Churn risk (customers with a purchase)' } }, y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
}

/** @param {Overview} o @param {(tier: string) => void} [pick] a bar clicked: its tier */
export function drawTiers(o, pick) {
  const s = o.summary;
  if (!s) return;
  const tiers = /** @type {const} */ (['top', 'middle', 'bottom']);
  const currency = s.ltvFigures.currency;
  const share = s.pareto.clvShare;
  note('tier-note', share === null ? '' : `${o.labels.valueTiers.top} hold ${(share * 100).toFixed(0)} % of predicted CLV`);
  draw('chart-tiers', {
    type: 'bar',
    data: {
      labels: tiers.map((t) => `${o.labels.valueTiers[t]} (${num(s.valueTiers[t].customers)})`),
      datasets: [
        { label: `Predicted CLV, next ${o.settings.clvHorizonMonths} months`, data: tiers.map((t) => s.valueTiers[t].predictedClv), backgroundColor: '#6172f3', borderRadius: 4 },
        { label: 'Value to date', data: tiers.map((t) => s.valueTiers[t].ltv), backgroundColor: '#c7d7fe', borderRadius: 4 },
      ],
    },
    options: {
      ...clickable(pick && ((i) => pick(tiers[i] ?? ''))),
      plugins: { legend: { position: 'bottom' }, tooltip: { callbacks: { label: (c) => `${c.dataset.label ?? ''}: ${money(c.parsed.y, currency)}` } } },
      scales: { x: { grid: { display: false } }, y: { beginAtZero: true, ticks: { callback: (v) => money(Number(v), currency, true) } } },
    },
  });
}

/** @param {Overview} o */
export function drawMoves(o) {
  const run = o.lastRun;
  const labels = /** @type {Record<string, string>} */ (o.labels.stages);
  const moves = Object.entries(run?.stageTransitions ?? {}).sort((a, b) => b[1] - a[1]).slice(0, 10);
  note('moves-note', run ? `${run.kind === 'dry_run' ? 'planned by the dry run' : 'in the run'} as of ${run.asOf}` : 'no run yet');
  // No move: a sentence, not an empty 0–1 frame.
  const empty = moves.length === 0;
  /** @type {HTMLElement} */ (document.getElementById('moves-chart')).hidden = empty;
  /** @type {HTMLElement} */ (document.getElementById('moves-empty')).hidden = !empty;
  if (empty) {
    charts.get('chart-moves')?.destroy();
    charts.delete('chart-moves');
    return;
  }
  const name = (/** @type {string} */ move) => {
    const [from, to] = move.split('→');
    return `${from === 'none' ? 'new' : (labels[from] ?? from)} → ${labels[to] ?? to}`;
  };
  draw('chart-moves', {
    type: 'bar',
    data: {
      labels: moves.map(([m]) => name(m)),
      datasets: [{ label: 'People', data: moves.map(([, n]) => n), backgroundColor: moves.map(([m]) => STAGE_COLORS[m.split('→')[1] ?? ''] ?? '#98a2b3'), borderRadius: 3 }],
    },
    options: {
      indexAxis: 'y',
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (c) => `${num(c.parsed.x)} people` } } },
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { grid: { display: false } } },
    },
  });
}

/**
 * Counts per stage over runs, stacked (the trends card).
 * @param {string} id canvas id @param {string[]} labels one per run @param {{ stage: string, label: string, data: number[] }[]} series
 */
export function drawStacked(id, labels, series) {
  draw(id, {
    type: 'bar',
    data: { labels, datasets: series.map((s) => ({ label: s.label, data: s.data, backgroundColor: STAGE_COLORS[s.stage] ?? '#98a2b3' })) },
    options: {
      plugins: { legend: { position: 'bottom' }, tooltip: { mode: 'index', callbacks: { label: (c) => `${c.dataset.label}: ${num(c.parsed.y)}` } } },
      scales: { x: { stacked: true, grid: { display: false } }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
}
