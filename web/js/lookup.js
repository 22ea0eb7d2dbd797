// @ts-check
// One customer's scores and the reason for them.
import { api } from './api.js';
import { scoped } from './scope.js';
import { fill, h } from './dom.js';
import { FIELD_LABELS, fieldValue, money, STAGE_COLORS } from './format.js';

/** @param {string} id @param {HTMLElement} out @param {Record<string, string>} stageLabels @param {string} currency */
export async function lookUp(id, out, stageLabels, currency) {
  const e = /** @type {import('./types').Explanation} */ (await api(scoped(`/customers/${encodeURIComponent(id)}`)));
  const v = e.scores?.values ?? {};
  const stage = v.stage ?? null;
  const reason = e.scores?.features.reason;
  fill(
    out,
    h(
      'div',
      { class: 'status-line' },
      e.display?.name ? h('strong', {}, e.display.name) : null,
      `Record ${e.recordId}`,
      e.display?.email || e.display?.company ? h('span', { class: 'muted' }, [e.display.email, e.display.company].filter(Boolean).join(' · ')) : null,
      stage ? h('span', { class: 'stage-tag', 'data-stage': stage }, stageLabels[stage] ?? stage) : h('span', { class: 'muted' }, 'not scored yet'),
      e.deleted ? h('span', { class: 'badge failed' }, 'no longer in the CRM') : null,
      e.crmUrl && !e.deleted ? h('a', { href: e.crmUrl, target: '_blank', rel: 'noopener noreferrer', id: 'lookup-crm-link' }, 'Open in the CRM') : null,
    ),
    typeof reason === 'string' ? h('p', {}, reason) : null,
    h(
      'dl',
      { class: 'kv' },
      ['churnRisk', 'churnRiskBand', 'valueTier', 'ltv', 'predictedClv', 'expectedPurchases', 'nextAction', 'stageChangedAt', 'scoredAt'].flatMap((f) => [h('dt', {}, FIELD_LABELS[f] ?? f), h('dd', {}, fieldValue(f, v[f] ?? null, stageLabels))]),
      h('dt', {}, 'Purchases'),
      h('dd', {}, e.purchases.length === 0 ? 'none' : `${e.purchases.length}: ${e.purchases.slice(-5).map((p) => `${p.day} ${money(p.amount, currency)}`).join(', ')}${e.purchases.length > 5 ? ', …' : ''}`),
      h('dt', {}, 'Open deals'),
      h('dd', {}, String(e.openDeals)),
    ),
  );
  // Colours are set through the CSSOM (allowed by the page's CSP), not as inline style markup.
  const tag = out.querySelector('.stage-tag');
  if (tag instanceof HTMLElement && stage) tag.style.background = STAGE_COLORS[stage] ?? '#98a2b3';
}
