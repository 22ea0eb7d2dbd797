// @ts-check
// Numbers, money, dates and labels as a person reads them.

const locale = undefined; // the browser's

/** @param {number | null | undefined} v @param {number} [digits] */
export function num(v, digits = 0) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return v.toLocaleString(locale, { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** @param {number | null | undefined} v @param {string} currency @param {boolean} [compact] */
export function money(v, currency, compact = false) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return new Intl.NumberFormat(locale, { style: 'currency', currency, maximumFractionDigits: compact || Math.abs(v) >= 1000 ? 0 : 2, notation: compact ? 'compact' : 'standard' }).format(v);
}

/** @param {number | null | undefined} share 0..1 */
export function pct(share, digits = 0) {
  if (share === null || share === undefined || !Number.isFinite(share)) return '—';
  return `${(share * 100).toFixed(digits)} %`;
}

/** @param {number | string | null | undefined} at epoch ms or ISO */
export function dateTime(at) {
  if (at === null || at === undefined) return '—';
  return new Date(at).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
}

/** @param {number} ms */
export function duration(ms) {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Human names of the fields the plugin writes. */
export const FIELD_LABELS = /** @type {Record<string, string>} */ ({
  stage: 'Stage',
  stageReason: 'Reason',
  stageChangedAt: 'Stage changed at',
  ltv: 'LTV to date',
  predictedClv: 'Predicted CLV',
  churnRisk: 'Churn risk %',
  churnRiskBand: 'Churn-risk band',
  valueTier: 'Value tier',
  expectedPurchases: 'Expected purchases',
  nextAction: 'Next action',
  scoredAt: 'Scored at',
  meddicScore: 'MEDDIC score',
  winProbability: 'Win probability %',
  biggestGap: 'Biggest gap',
  dealNextAction: 'Deal next action',
  dealScoredAt: 'Deal scored at',
});

/** The MEDDIC elements as people say them (a deal's biggest gap). */
export const MEDDIC_LABELS = /** @type {Record<string, string>} */ ({
  metrics: 'Metrics',
  economicBuyer: 'Economic buyer',
  decisionCriteria: 'Decision criteria',
  decisionProcess: 'Decision process',
  identifyPain: 'Identify pain',
  champion: 'Champion',
});

export const CRM_NAMES = /** @type {Record<string, string>} */ ({ hubspot: 'HubSpot', salesforce: 'Salesforce' });

export const KIND_LABELS = /** @type {Record<string, string>} */ ({ sync: 'Sync', dry_run: 'Dry run', rollback: 'Rollback', rescore: 'Rescore' });

/** Stage colours: the lifecycle from cool to warm, the exits in amber and red. */
export const STAGE_COLORS = /** @type {Record<string, string>} */ ({
  awareness: '#98a2b3',
  consideration: '#53b1fd',
  purchase: '#32d583',
  retention: '#12b76a',
  loyalty: '#6172f3',
  advocacy: '#9e77ed',
  at_risk: '#fdb022',
  churned: '#f04438',
});

/**
 * A field value for display: stages by label, datetimes as dates, numbers grouped.
 * @param {string} field @param {string | null} value @param {Record<string, string>} stageLabels
 */
export function fieldValue(field, value, stageLabels) {
  if (value === null || value === '') return '—';
  if (field === 'stage') return stageLabels[value] ?? value;
  if (field === 'stageChangedAt' || field === 'scoredAt' || field === 'dealScoredAt') return dateTime(value);
  if (field === 'biggestGap') return MEDDIC_LABELS[value] ?? value;
  if (field === 'ltv' || field === 'predictedClv' || field === 'expectedPurchases' || field === 'churnRisk') return num(Number(value), field === 'expectedPurchases' ? 2 : 0);
  return value;
}

/** The CRM link's words: "Open the company in the CRM" where the CRM names its records. @param {string | null} label */
export function crmLinkText(label) {
  return label ? `Open the ${label} in the CRM` : 'Open in the CRM';
}
