// @ts-check
// The Settings card (issue #12): the installation's stage thresholds, stage labels and next actions,
// acquisition spend and schedule, edited here and checked by the server's schemas (a refused value's
// message shows beside its field); "Preview" counts the customers the changes would move between stages
// before "Save"; pause and resume; a setting's "Reset" takes the configuration file's value again; the
// change log lists every change with when, who and from → to.
import { api, ApiError } from './api.js';
import { byId, fill, h } from './dom.js';
import { dateTime, num } from './format.js';
import { scoped } from './scope.js';

/** @typedef {import('./types').SettingField} SettingField */
/** @typedef {import('./types').SettingsView} SettingsView */

/** @type {SettingsView | null} */
let current = null;
let changesPage = 1;
/** @type {(error: unknown) => void} */
let onError = () => {};
/** Called after a pause or resume: the rest of the page says whether runs can start. */
let onPaused = () => {};

const STAGE_ORDER = ['awareness', 'consideration', 'purchase', 'retention', 'loyalty', 'advocacy', 'at_risk', 'churned'];

/** @param {string} key */
const inputId = (key) => `setting-${key.replaceAll('.', '-')}`;

/** @param {unknown} v */
function shown(v) {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  if (typeof v === 'number') return v.toLocaleString(undefined, { maximumFractionDigits: 6 });
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The label a setting goes by in messages and the log: its group's words, e.g. "At risk · Next action". */
function settingName(/** @type {string} */ key) {
  if (key === 'status') return 'Paused';
  const field = current?.settings.find((f) => f.key === key);
  if (!field) return key;
  const stage = /^classifier\.stages\.([a-z_]+)\./.exec(key)?.[1];
  return stage ? `${stageLabel(stage)} · ${field.label}` : field.label;
}

/** @param {string} stage */
function stageLabel(stage) {
  const label = current?.settings.find((f) => f.key === `classifier.stages.${stage}.label`)?.value;
  return typeof label === 'string' ? label : stage;
}

/** @param {SettingField} f */
function control(f) {
  const id = inputId(f.key);
  const described = `${id}-error ${id}-help`;
  if (f.kind === 'boolean') return h('input', { id, type: 'checkbox', 'data-key': f.key, checked: f.value === true, 'aria-describedby': described });
  if (f.kind === 'longText') return h('textarea', { id, rows: 2, 'data-key': f.key, 'aria-describedby': described }, typeof f.value === 'string' ? f.value : '');
  const numeric = f.kind === 'number' || f.kind === 'integer' || f.kind === 'nullableNumber';
  return h('input', {
    id,
    type: numeric ? 'number' : 'text',
    step: numeric ? 'any' : undefined,
    inputmode: numeric ? 'decimal' : undefined,
    spellcheck: 'false',
    'data-key': f.key,
    value: f.value === null ? '' : String(f.value),
    'aria-describedby': described,
  });
}

/** One setting: its label, control, where its value comes from (with Reset), and room for the server's message. */
function fieldRow(/** @type {SettingField} */ f, /** @type {string} */ label = f.label, help = true) {
  const id = inputId(f.key);
  const origin = f.overridden
    ? h('span', { class: 'setting-origin' }, `Set here (the file says ${shown(f.fileValue)}). `, h('button', { type: 'button', class: 'btn btn-ghost btn-small', 'data-reset': f.key, 'aria-label': `Reset ${label} to the file's value` }, 'Reset'))
    : h('span', { class: 'setting-origin muted' }, 'From the configuration file.');
  return h(
    'div',
    { class: `setting${f.kind === 'boolean' ? ' setting-check' : ''}`, 'data-field': f.key },
    h('label', { for: id }, label),
    control(f),
    h('p', { id: `${id}-help`, class: 'muted small setting-help' }, help ? `${f.help} ` : null, origin),
    h('p', { id: `${id}-error`, class: 'error field-error', role: 'alert', hidden: true }),
  );
}

/** @param {SettingsView} view */
function render(view) {
  const of = (/** @type {string} */ group) => view.settings.filter((f) => f.group === group);
  const stageFields = (/** @type {string} */ stage) => view.settings.filter((f) => f.key.startsWith(`classifier.stages.${stage}.`));
  const s = view.schedule;
  fill(
    byId('settings-form-body'),
    h('fieldset', { class: 'settings-group' }, h('legend', {}, 'Stages & thresholds'), h('div', { class: 'settings-grid' }, of('thresholds').map((f) => fieldRow(f)))),
    h(
      'fieldset',
      { class: 'settings-group' },
      h('legend', {}, 'Labels & next actions'),
      h('p', { class: 'muted small' }, 'Each stage\u2019s name in the CRM and on the page, what to do with its customers (written to the CRM), and whether its rule is used (off: its customers fall to the next rule; awareness catches everyone else).'),
      STAGE_ORDER.map((stage) => h('div', { class: 'settings-stage' }, h('h4', {}, stageLabel(stage), h('span', { class: 'muted small' }, ` (${stage})`)), h('div', { class: 'settings-grid' }, stageFields(stage).map((f) => fieldRow(f, `${stageLabel(stage)} · ${f.label}`, false))))),
    ),
    h('fieldset', { class: 'settings-group' }, h('legend', {}, 'Acquisition spend'), h('div', { class: 'settings-grid' }, of('spend').map((f) => fieldRow(f)))),
    h(
      'fieldset',
      { class: 'settings-group' },
      h('legend', {}, 'Schedule'),
      h('div', { class: 'settings-grid' }, of('schedule').map((f) => fieldRow(f))),
      h('p', { id: 'settings-next-run', class: 'small' }, !s ? 'No schedule here (the demo).' : s.nextRunAt ? `Next run: ${dateTime(s.nextRunAt)} (${s.cron}, ${s.timezone})` : `No run scheduled${s.note ? `: ${s.note}` : '.'}`),
    ),
  );
  const zones = byId('settings-zones');
  if (zones.childElementCount === 0) fill(zones, Intl.supportedValuesOf('timeZone').map((z) => h('option', { value: z })));
  byId(inputId('schedule.timezone')).setAttribute('list', 'settings-zones');
  const pause = /** @type {HTMLButtonElement} */ (byId('settings-pause'));
  pause.textContent = view.paused ? 'Resume installation' : 'Pause installation';
  pause.disabled = !view.stored;
  fill(byId('settings-paused'), view.paused ? 'Paused: no run starts, on schedule or by hand, until it is resumed.' : 'Active: runs start on schedule and by hand.');
  renderChanges(view.changes);
}

/** @param {import('./types').SettingChanges} c */
function renderChanges(c) {
  changesPage = c.page;
  const rows = c.changes.map((x) =>
    h('tr', {}, h('td', {}, dateTime(x.at)), h('td', {}, settingName(x.key), h('div', { class: 'muted small' }, x.key)), h('td', { class: 'change' }, h('span', { class: 'old' }, shown(x.before)), h('span', { class: 'arrow', 'aria-hidden': 'true' }, '→'), h('span', { class: 'sr-only' }, ' to '), h('span', { class: 'new' }, shown(x.after))), h('td', {}, x.actor)),
  );
  fill(byId('settings-log').querySelector('tbody') ?? byId('settings-log'), rows.length ? rows : h('tr', {}, h('td', { colspan: 4, class: 'muted' }, 'No changes yet.')));
  const pages = Math.max(1, Math.ceil(c.total / c.pageSize));
  byId('settings-log-count').textContent = c.total ? `${c.total} change${c.total === 1 ? '' : 's'} · page ${c.page} of ${pages}` : '';
  /** @type {HTMLButtonElement} */ (byId('settings-log-newer')).hidden = c.page <= 1;
  /** @type {HTMLButtonElement} */ (byId('settings-log-older')).hidden = c.page >= pages;
}

/** The form's value of a setting, as the server wants it (a number field's text that is no number goes as text, for the server to name). */
function valueOf(/** @type {HTMLInputElement | HTMLTextAreaElement} */ el, /** @type {SettingField} */ f) {
  if (f.kind === 'boolean') return /** @type {HTMLInputElement} */ (el).checked;
  const text = el.value.trim();
  if (f.kind === 'text' || f.kind === 'longText') return el.value;
  if (text === '') return f.kind === 'nullableNumber' ? null : '';
  return Number.isFinite(Number(text)) ? Number(text) : text;
}

/** The settings changed in the form, by key. */
function edits() {
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const f of current?.settings ?? []) {
    const el = /** @type {HTMLInputElement | HTMLTextAreaElement | null} */ (document.getElementById(inputId(f.key)));
    if (!el) continue;
    const v = valueOf(el, f);
    if (v !== f.value) out[f.key] = v;
  }
  return out;
}

function clearErrors() {
  for (const el of document.querySelectorAll('#settings .field-error')) {
    /** @type {HTMLElement} */ (el).hidden = true;
    el.textContent = '';
  }
  for (const el of document.querySelectorAll('#settings [aria-invalid]')) el.removeAttribute('aria-invalid');
  byId('settings-error').hidden = true;
}

/** Shows each refused setting's message beside it (and the rest above the buttons); focuses the first. */
function showErrors(/** @type {unknown} */ error) {
  if (!(error instanceof ApiError) || error.fields.length === 0) return onError(error);
  /** @type {string[]} */
  const elsewhere = [];
  /** @type {HTMLElement | null} */
  let first = null;
  for (const { field, message } of error.fields) {
    const out = document.getElementById(`${inputId(field)}-error`);
    const input = document.getElementById(inputId(field));
    if (!out || !input) {
      elsewhere.push(`${settingName(field)}: ${message}`);
      continue;
    }
    out.hidden = false;
    out.textContent = `${settingName(field)}: ${message}`;
    input.setAttribute('aria-invalid', 'true');
    first ??= input;
  }
  const general = byId('settings-error');
  general.hidden = elsewhere.length === 0 && first !== null;
  general.textContent = elsewhere.length ? elsewhere.join('; ') : 'Some settings were not accepted: see the messages beside them.';
  first?.focus();
}

/** Shows what the edit would do to stages, before it is saved. */
async function preview() {
  clearErrors();
  const out = byId('settings-preview');
  out.hidden = false;
  fill(out, h('p', { class: 'muted' }, 'Classifying the stored customers with the proposed settings…'));
  try {
    const p = /** @type {import('./types').SettingsPreview} */ (await api(scoped('/settings/preview'), { method: 'POST', body: { settings: edits() } }));
    fill(
      out,
      h('p', { id: 'settings-preview-summary', 'data-moves': p.moves }, h('strong', {}, `${num(p.moves)} of ${num(p.customers)} customers`), ' would move stage', ` (as of ${p.asOf}; nothing is saved yet, and the CRM changes only with the next run after you save).`),
      h('div', { class: 'chips' }, p.transitions.map((t) => h('span', { class: 'chip move' }, `${stageLabel(t.from)} → ${stageLabel(t.to)} `, h('b', {}, num(t.count))))),
    );
  } catch (error) {
    out.hidden = true;
    showErrors(error);
  }
}

/** @param {Record<string, unknown>} body */
async function save(body) {
  clearErrors();
  try {
    const saved = /** @type {SettingsView & { saved: { key: string }[] }} */ (await api(scoped('/settings'), { method: 'PUT', body }));
    current = saved;
    render(saved);
    byId('settings-preview').hidden = true;
    const status = byId('settings-status');
    status.hidden = false;
    status.textContent = saved.saved.length ? `Saved: ${saved.saved.map((c) => settingName(c.key)).join(', ')}.` : 'Nothing changed.';
    if ('paused' in body) onPaused();
  } catch (error) {
    showErrors(error);
  }
}

/** Loads the card for the installation shown. */
export async function loadSettings() {
  const view = /** @type {SettingsView} */ (await api(scoped('/settings')));
  current = view;
  byId('settings-preview').hidden = true;
  clearErrors();
  render(view);
}

/** Forgets the previous installation's card. */
export function resetSettings() {
  current = null;
  fill(byId('settings-form-body'));
  byId('settings-preview').hidden = true;
  byId('settings-status').hidden = true;
}

/** @param {(error: unknown) => void} fail @param {() => void} paused */
export function wireSettings(fail, paused) {
  onError = fail;
  onPaused = paused;
  byId('settings-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void save({ settings: edits() });
  });
  byId('settings-preview-button').addEventListener('click', () => void preview());
  byId('settings-pause').addEventListener('click', () => void save({ paused: !current?.paused }));
  byId('settings-form-body').addEventListener('click', (event) => {
    const target = /** @type {HTMLElement} */ (event.target);
    const key = target.closest('[data-reset]')?.getAttribute('data-reset');
    if (key) void save({ reset: [key] });
  });
  const page = (/** @type {number} */ n) => void api(scoped(`/settings/changes?page=${n}`)).then((c) => renderChanges(/** @type {import('./types').SettingChanges} */ (c))).catch(fail);
  byId('settings-log-older').addEventListener('click', () => page(changesPage + 1));
  byId('settings-log-newer').addEventListener('click', () => page(changesPage - 1));
}
