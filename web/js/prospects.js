// @ts-check
// The "Prospects most likely to convert" card (GET /prospects): the ten prospects with the highest
// conversion likelihood, each with the strongest factor, and the model's line (fitted with its
// cross-validated AUC, or the fallback with its reason).
import { api } from './api.js';
import { byId, fill, h } from './dom.js';
import { num } from './format.js';
import { scoped } from './scope.js';

/** @typedef {import('./types').Prospects} Prospects */

export async function loadProspects() {
  const answer = /** @type {Prospects} */ (await api(scoped('/prospects')));
  const card = byId('prospects');
  card.hidden = answer.model === null && answer.top.length === 0;
  byId('prospects-model').textContent = answer.model ? `Conversion model: ${answer.model.label}` : 'No conversion model yet: the next run fits one.';
  const body = /** @type {HTMLElement} */ (byId('prospects-table').querySelector('tbody'));
  fill(
    body,
    answer.top.length > 0
      ? answer.top.map((p) =>
          h(
            'tr',
            { 'data-record': p.recordId },
            h('td', {}, p.crmUrl ? h('a', { href: p.crmUrl, target: '_blank', rel: 'noopener noreferrer' }, p.name ?? p.recordId) : (p.name ?? p.recordId)),
            h('td', { class: 'num' }, p.likelihood === null ? '—' : `${num(p.likelihood)} %`),
            h('td', {}, p.strongestFactor ?? h('span', { class: 'muted' }, '—')),
          ),
        )
      : h('tr', {}, h('td', { colspan: 3, class: 'muted' }, 'No prospect: everyone has bought.')),
  );
}
