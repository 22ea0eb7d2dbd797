// @ts-check
// A record's changed fields as a table row's cells: the dry run's plan and a real run's writes share them.
import { h } from './dom.js';
import { FIELD_LABELS, fieldValue } from './format.js';

/** Fields with their own column; the rest are named under "Also". */
export const COLUMNS = ['stage', 'churnRisk', 'predictedClv', 'ltv'];
const QUIET = new Set([...COLUMNS, 'stageReason', 'scoredAt', 'stageChangedAt']);

/** What became of a written value, in words (absent for a plan's changes). */
export const WRITE_STATUS = /** @type {Record<string, string>} */ ({ written: 'written', failed: 'failed', rolled_back: 'rolled back', unconfirmed: 'not confirmed' });

/**
 * @typedef {{ field: string, previous: string | null, next: string | null, status?: string }} Change
 */

/**
 * "old → new" for a changed field, or an empty cell when the field does not change; a written value that
 * did not stand (failed, rolled back) says so.
 * @param {Change | undefined} c @param {Record<string, string>} stageLabels
 */
export function change(c, stageLabels) {
  if (!c) return h('span', { class: 'muted' }, '·');
  const status = c.status && c.status !== 'written' ? c.status : null;
  return h(
    'span',
    { class: `change${status ? ` ${status}` : ''}`, title: status ? WRITE_STATUS[status] ?? status : undefined },
    h('span', { class: 'old' }, fieldValue(c.field, c.previous, stageLabels)),
    h('span', { class: 'arrow' }, '→'),
    h('span', { class: 'new' }, fieldValue(c.field, c.next, stageLabels)),
  );
}

/**
 * The cells of a record's changes: one per column field, the reason written or planned, the other fields.
 * @param {Change[]} changes @param {Record<string, string>} stageLabels
 */
export function changeCells(changes, stageLabels) {
  const of = (/** @type {string} */ f) => changes.find((c) => c.field === f);
  const others = changes.filter((c) => !QUIET.has(c.field)).map((c) => FIELD_LABELS[c.field] ?? c.field);
  return [
    ...COLUMNS.map((f) => h('td', { class: f === 'stage' ? '' : 'num' }, change(of(f), stageLabels))),
    h('td', { class: 'wrap' }, of('stageReason')?.next ?? ''),
    h('td', { class: 'others' }, others.join(', ')),
  ];
}
