/**
 * Seeded simulation of customer bases from the models' own generative stories, for parameter-recovery
 * tests and the benchmark's synthetic data. Pure: the same options give the same customers.
 */
import betaRandom from '@stdlib/random-base-beta';
import gammaRandom from '@stdlib/random-base-gamma';
import randu from '@stdlib/random-base-randu';
import type { CustomerInput, Purchase, TransactionModelName } from './types.ts';

export interface SimulationOptions {
  model: TransactionModelName;
  /** Transaction model parameters in `paramNames` order, in the time unit below. */
  params: readonly [number, number, number, number];
  /** Gamma-Gamma spend parameters [p, q, gamma]; amounts are 1 without them. */
  spend?: readonly [number, number, number];
  customers: number;
  seed: number;
  unitDays: number;
  /** First purchases fall uniformly in [firstDay, firstDay + cohortDays). */
  firstDay: number;
  cohortDays: number;
  /** Observation ends on this day (inclusive). */
  endDay: number;
  idPrefix?: string;
}

export function* simulateCustomers(o: SimulationOptions): Generator<CustomerInput> {
  const uniform = randu.factory({ seed: o.seed });
  const gamma = gammaRandom.factory({ seed: o.seed + 1 });
  const beta = betaRandom.factory({ seed: o.seed + 2 });
  const [r, alpha, third, fourth] = o.params;
  for (let i = 0; i < o.customers; i++) {
    const birthDay = o.firstDay + Math.floor(uniform() * o.cohortDays);
    const horizon = (o.endDay - birthDay) / o.unitDays; // the age T the model will see
    const lambda = gamma(r, alpha);
    // Lifetime (Pareto/NBD) or per-purchase dropout probability (BG/NBD, MBG/NBD).
    const lifetime = o.model === 'pareto_nbd' ? gamma(1, gamma(third, fourth)) : Infinity;
    const dropout = o.model === 'pareto_nbd' ? 0 : beta(third, fourth);
    const times = [0];
    let alive = !(o.model === 'mbg_nbd' && uniform() < dropout);
    let t = 0;
    while (alive) {
      t += gamma(1, lambda);
      if (t >= horizon || t >= lifetime) break;
      times.push(t);
      if (dropout > 0 && uniform() < dropout) alive = false;
    }
    const nu = o.spend ? gamma(o.spend[1], o.spend[2]) : 0;
    const purchases: Purchase[] = times.map((time) => ({
      day: birthDay + Math.floor(time * o.unitDays),
      amount: o.spend ? Math.round(gamma(o.spend[0], nu) * 100) / 100 : 1,
    }));
    yield { id: `${o.idPrefix ?? 'c'}${i + 1}`, purchases };
  }
}
