// @ts-check
// Trends over runs: customers per stage at each sync (what the CRM held after it), from GET history,
// and the stage flow between two runs (flow.js).
import { api } from './api.js';
import { drawStacked } from './charts.js';
import { byId } from './dom.js';
import { loadFlow } from './flow.js';
import { scoped } from './scope.js';

/** @typedef {import('./types').RunSnapshot} RunSnapshot */

/**
 * Loads the installation's syncs and draws them, and the flow between two runs; each hidden until there are two to compare.
 * @param {import('./types').Overview} o the overview's labels and stage order
 */
export async function loadTrends(o) {
  const [{ runs }, compared] = await Promise.all([api(scoped('/history?kind=sync&limit=30')).then((r) => /** @type {{ runs: RunSnapshot[] }} */ (r)), loadFlow(o)]);
  byId('trends').hidden = runs.length < 2 && compared < 2;
  byId('trends-over-time').hidden = runs.length < 2;
  if (runs.length < 2) return;
  const stages = o.labels.stageOrder;
  byId('trends-note').textContent = `${runs.length} syncs, ${runs[0]?.asOf ?? ''} to ${runs.at(-1)?.asOf ?? ''}`;
  drawStacked(
    'chart-trends',
    runs.map((r) => r.asOf),
    stages.map((st) => ({ stage: st, label: o.labels.stages[st] ?? st, data: runs.map((r) => r.stages[st] ?? 0) })),
  );
}
