/**
 * Writes a synthetic transactions CSV (customer_id,date,amount) from the Pareto/NBD and Gamma-Gamma
 * generative models: about three purchases per customer over two years.
 * Usage: node bench/generate.ts --customers N --output FILE [--seed S]
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { isoDateOfDay } from '../src/classifier/features.ts';
import { simulateCustomers } from '../src/classifier/simulate.ts';

export const SYNTHETIC_END_DAY = 20_454; // 2026-01-01
export const SYNTHETIC = {
  model: 'pareto_nbd',
  params: [1, 18, 0.5, 30],
  spend: [6, 4, 15],
  unitDays: 7,
  cohortDays: 730,
} as const;

export async function writeSyntheticCsv(customers: number, output: string, seed = 7): Promise<number> {
  const out = createWriteStream(output);
  out.write('customer_id,date,amount\n');
  let rows = 0;
  let buffer = '';
  for (const c of simulateCustomers({
    ...SYNTHETIC,
    customers,
    seed,
    firstDay: SYNTHETIC_END_DAY - SYNTHETIC.cohortDays,
    endDay: SYNTHETIC_END_DAY,
  })) {
    for (const p of c.purchases) {
      buffer += `${c.id},${isoDateOfDay(p.day)},${p.amount.toFixed(2)}\n`;
      rows++;
    }
    if (buffer.length > 1 << 16) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
  return rows;
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { customers: { type: 'string' }, output: { type: 'string' }, seed: { type: 'string' } } });
  if (!values.customers || !values.output) {
    console.error('usage: node bench/generate.ts --customers N --output FILE [--seed S]');
    process.exit(2);
  }
  const rows = await writeSyntheticCsv(Number(values.customers), values.output, Number(values.seed ?? 7));
  console.log(`wrote ${rows} rows for ${values.customers} customers to ${values.output}`);
}
