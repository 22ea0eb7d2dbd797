/** `lifecycle-sync explain`'s text: the description's sentences (sync/describe.ts, as the page shows them), the purchases and the values written. */
import { type CustomerDescription, moneyText } from '../sync/describe.ts';
import type { Explanation } from '../sync/explain.ts';

/** Purchases listed by default; the rest are counted (`--json` lists all). */
export const PURCHASES_SHOWN = 10;

export function explainText(e: Explanation, d: CustomerDescription, currency: string): string {
  const out = [`${d.title}: ${d.stage ?? 'not scored yet'}`];
  if (d.reason) out.push(`  ${d.reason}`);
  for (const s of d.scores) out.push(`  ${s}`);
  out.push('', `Purchases: ${d.purchases}`);
  const shown = e.purchases.slice(-PURCHASES_SHOWN).reverse();
  for (const p of shown) out.push(`  ${p.day}  ${moneyText(p.amount, currency).padStart(12)}  deal ${p.dealId}`);
  if (e.purchases.length > shown.length) out.push(`  (the last ${shown.length} of ${e.purchases.length.toLocaleString('en-US')}; --json lists them all)`);
  out.push('', `Signals: ${d.signals.length ? `${d.signals.join('; ')}.` : 'none besides the purchases.'}`);
  out.push('', d.history.length ? 'Values written, newest first:' : 'Values written: none yet.');
  let run = '';
  for (const h of d.history) {
    if (h.runId !== run) out.push(`  ${h.when}  ${h.run} ${h.runId}`);
    run = h.runId;
    out.push(`    ${h.label}: ${h.from} → ${h.to}${h.outcome === 'written' ? '' : ` (${h.outcome})`}`);
  }
  return `${out.join('\n')}\n`;
}
