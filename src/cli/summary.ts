/** A readable summary of a classification for the terminal. */
import type { ClassificationResult } from '../classifier/classify.ts';
import type { ClassifierSettings } from '../classifier/settings.ts';
import { valueTierLabels } from '../classifier/segments.ts';
import { STAGES_IN_LIFECYCLE_ORDER, VALUE_TIERS } from '../classifier/types.ts';

export function formatMoney(value: number | null, currency: string): string {
  if (value === null) return 'n/a';
  return new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: 2 }).format(value);
}

const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)} %`);
const num = (v: number, digits = 0) => v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function formatSummary(result: ClassificationResult, settings: ClassifierSettings): string {
  const s = result.summary;
  const fig = s.ltvFigures;
  const money = (v: number | null) => formatMoney(v, fig.currency);
  const lines: string[] = [];
  const m = result.model;
  lines.push(`Lifecycle summary as of ${result.asOf} — ${num(s.customers)} people, ${num(s.purchasers)} customers, ${num(s.prospects)} prospects`);
  lines.push('');
  const params = Object.entries(m.params)
    .map(([k, v]) => `${k}=${v.toPrecision(4)}`)
    .join(' ');
  lines.push(
    m.fallbackReason
      ? `Model: ${m.name} (fallback: ${m.fallbackReason})`
      : `Model: ${m.name} (${params}; log-likelihood ${m.logLikelihood?.toFixed(1)}; ${m.converged ? 'converged' : 'NOT converged'}; unit ${result.timeUnit})`,
  );
  const g = result.spendModel;
  lines.push(
    g
      ? `Spend: gamma_gamma (p=${g.params.p.toPrecision(4)} q=${g.params.q.toPrecision(4)} gamma=${g.params.gamma.toPrecision(4)}; ${num(g.customers)} repeat buyers)`
      : `Spend: ${result.spendFallbackReason ?? 'none'}`,
  );
  lines.push('');
  lines.push('Customers per stage');
  const widest = Math.max(...STAGES_IN_LIFECYCLE_ORDER.map((st) => settings.stages[st].label.length));
  const maxCount = Math.max(1, ...Object.values(s.stages));
  for (const stage of STAGES_IN_LIFECYCLE_ORDER) {
    const count = s.stages[stage];
    const bar = '█'.repeat(Math.round((count / maxCount) * 30));
    const share = s.customers > 0 ? ((count / s.customers) * 100).toFixed(1) : '0.0';
    lines.push(`  ${settings.stages[stage].label.padEnd(widest)}  ${num(count).padStart(9)}  ${share.padStart(5)} %  ${bar}`);
  }
  if (s.churnTypes.natural + s.churnTypes.preventable > 0) {
    lines.push(`  (churned: ${num(s.churnTypes.preventable)} preventable, ${num(s.churnTypes.natural)} natural)`);
  }
  lines.push('');
  lines.push(`Churn risk: ${num(s.churnRiskBands.low)} low, ${num(s.churnRiskBands.medium)} medium, ${num(s.churnRiskBands.high)} high`);
  lines.push('');
  lines.push(`Value tiers (by predicted ${settings.clv.horizonMonths}-month CLV)`);
  const labels = valueTierLabels(settings.valueTiers);
  for (const tier of VALUE_TIERS) {
    const t = s.valueTiers[tier];
    lines.push(`  ${labels[tier].padEnd(14)} ${num(t.customers).padStart(9)} customers  CLV ${money(t.predictedClv).padStart(14)}  value to date ${money(t.ltv).padStart(14)}`);
  }
  lines.push(`  Top ${pct(s.pareto.topShare)} of customers hold ${pct(s.pareto.clvShare)} of predicted CLV and ${pct(s.pareto.ltvShare)} of value to date.`);
  lines.push('');
  lines.push('Lifetime value');
  lines.push(`  Value to date: ${money(s.totals.ltv)} (mean ${money(s.means.ltv)} per customer)`);
  lines.push(`  Predicted CLV, next ${settings.clv.horizonMonths} months: ${money(s.totals.predictedClv)} (mean ${money(s.means.clv)})`);
  lines.push(`  Expected purchases, next ${settings.expectedDays} days: ${num(s.totals.expectedPurchases, 1)}`);
  lines.push(`  Last ${fig.periodDays} days: revenue ${money(fig.revenueInPeriod)} from ${num(fig.customersInPeriod)} customers; average order ${money(fig.averageOrderValue)}`);
  lines.push(`  Simple LTV (revenue ÷ customers in the period): ${money(fig.simpleLtv)}`);
  lines.push(
    `  Retention-based LTV (${fig.averageRetentionYears === null ? 'n/a' : fig.averageRetentionYears.toFixed(2)} years average retention × ${fig.grossMargin === null ? 'revenue' : 'profit'} per customer): ${money(fig.retentionLtv)}`,
  );
  lines.push(fig.ltvToCac === null ? '  LTV:CAC: set classifier.ltv.acquisitionSpend to compare with acquisition cost' : `  CAC ${money(fig.cac)}; LTV:CAC ${fig.ltvToCac.toFixed(2)}`);
  return lines.join('\n');
}
