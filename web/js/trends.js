// @ts-check
// Trends over runs: customers per stage at each sync (what the CRM held after it), from GET history.
import { api } from './api.js';
import { drawStacked } from './charts.js';
import { byId } from './dom.js';
import { scoped } from './scope.js';

/** @typedef {import('./types').RunSnapshot} RunSnapshot */

/**
 * Loads the installation's syncs and draws them; hidden until there are two to compare.
 * @param {import('./types').Overview} o the overview's labels and stage order
 */
export async function loadTrends(o) {
  const { runs } = /** @type {{ runs: RunSnapshot[] }} */ (await api(scoped('/history?kind=sync&limit=30')));
  const card = byId('trends');
  card.hidden = runs.length < 2;
  if (runs.length < 2) return;
  const stages = o.labels.stageOrder;
  byId('trends-note').textContent = `${runs.length} syncs, ${runs[0]?.asOf ?? ''} to ${runs.at(-1)?.asOf ?? ''}`;
  drawStacked(
    'chart-trends',
    runs.map((r) => r.asOf),
    stages.map((st) => ({ stage: st, label: o.labels.stages[st] ?? st, data: runs.map((r) => r.stages[st] ?? 0) })),
  );
}
