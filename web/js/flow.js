// @ts-check
// The stage flow between two scored runs (in the Trends card): two run pickers, the later run's by
// default the newest and the earlier one the run before it, and a from × to table of customers with each
// row's shares. From GET history/flow/runs and history/flow.
import { api } from './api.js';
import { byId, fill, h } from './dom.js';
import { dateTime, KIND_LABELS, num, pct } from './format.js';
import { scoped } from './scope.js';

/** @typedef {import('./types').StageRecordRun} StageRecordRun */
/** @typedef {import('./types').StageFlow} StageFlow */

/** The labels of the table: the overview's stage names, and the two ends of a flow. */
/** @type {{ stages: Record<string, string>, order: string[] }} */
let labels = { stages: {}, order: [] };
/** Counts the flows asked for: an answer that a later choice overtook is dropped. */
let asked = 0;

/** @param {StageRecordRun} r */
function runLabel(r) {
  return `${KIND_LABELS[r.kind] ?? r.kind} as of ${r.asOf} · ${dateTime(r.startedAt)}`;
}

/** @param {string} stage */
function stageLabel(stage) {
  if (stage === 'new') return 'New';
  if (stage === 'gone') return 'Gone';
  return labels.stages[stage] ?? stage;
}

/**
 * Loads the runs that can be compared and shows the flow between the newest two; hidden with fewer than two.
 * @param {import('./types').Overview} o the overview's labels and stage order
 * @returns {Promise<number>} how many runs can be compared
 */
export async function loadFlow(o) {
  labels = { stages: /** @type {Record<string, string>} */ (o.labels.stages), order: o.labels.stageOrder };
  const { runs, keep } = /** @type {{ runs: StageRecordRun[], keep: number }} */ (await api(scoped('/history/flow/runs?limit=60')));
  const section = byId('flow');
  section.hidden = runs.length < 2;
  if (runs.length < 2) return runs.length;
  const options = (/** @type {string} */ selected) => runs.map((r) => h('option', { value: r.runId, selected: r.runId === selected }, runLabel(r)));
  fill(byId('flow-from'), options(runs[1].runId));
  fill(byId('flow-to'), options(runs[0].runId));
  byId('flow-kept').textContent = `The newest ${num(keep)} scored runs can be compared.`;
  await showFlow();
  return runs.length;
}

/** Shows the flow between the two runs picked. */
export async function showFlow() {
  const from = /** @type {HTMLSelectElement} */ (byId('flow-from')).value;
  const to = /** @type {HTMLSelectElement} */ (byId('flow-to')).value;
  const mine = ++asked;
  const flow = /** @type {StageFlow} */ (await api(scoped(`/history/flow?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)));
  if (mine !== asked) return;
  renderFlow(flow);
}

/** @param {StageFlow} flow */
function renderFlow(flow) {
  /** @type {Map<string, number>} */
  const counts = new Map(flow.flows.map((f) => [`${f.from}\u0000${f.to}`, f.count]));
  const at = (/** @type {string} */ from, /** @type {string} */ to) => counts.get(`${from}\u0000${to}`) ?? 0;
  const present = (/** @type {(f: StageFlow['flows'][number]) => boolean} */ test) => flow.flows.some(test);
  // Every stage in lifecycle order (the table keeps its shape between choices); new and gone only when someone is.
  const rows = [...labels.order, ...(present((f) => f.from === 'new') ? ['new'] : [])];
  const columns = [...labels.order, ...(present((f) => f.to === 'gone') ? ['gone'] : [])];
  const rowTotal = (/** @type {string} */ from) => columns.reduce((n, to) => n + at(from, to), 0);
  const moved = flow.flows.filter((f) => f.from !== f.to && f.from !== 'new' && f.to !== 'gone').reduce((n, f) => n + f.count, 0);
  const fresh = flow.flows.filter((f) => f.from === 'new').reduce((n, f) => n + f.count, 0);
  const gone = flow.flows.filter((f) => f.to === 'gone').reduce((n, f) => n + f.count, 0);
  byId('flow-summary').textContent = `${num(moved)} of ${num(flow.from.customers)} people changed stage between ${flow.from.asOf} and ${flow.to.asOf}; ${num(fresh)} new, ${num(gone)} gone.`;
  const table = byId('flow-table');
  fill(
    /** @type {HTMLElement} */ (table.querySelector('thead')),
    h('tr', {}, h('th', {}, 'From ↓ / to →'), ...columns.map((to) => h('th', { class: 'num', 'data-to': to }, stageLabel(to))), h('th', { class: 'num' }, 'Total')),
  );
  fill(
    /** @type {HTMLElement} */ (table.querySelector('tbody')),
    rows.map((from) => {
      const total = rowTotal(from);
      return h(
        'tr',
        { 'data-from': from },
        h('th', { scope: 'row' }, stageLabel(from)),
        ...columns.map((to) => {
          const n = at(from, to);
          const cls = `num${from === to ? ' same' : ''}${n === 0 ? ' zero' : ''}`;
          // The share of the row: where the people of that stage went.
          return h('td', { class: cls, 'data-from': from, 'data-to': to, 'data-count': n, title: n ? `${stageLabel(from)} → ${stageLabel(to)}: ${num(n)} (${pct(n / total, 1)} of ${stageLabel(from)})` : undefined }, n ? h('span', {}, num(n), h('small', {}, pct(n / total))) : '·');
        }),
        h('td', { class: 'num total' }, num(total)),
      );
    }),
  );
}
