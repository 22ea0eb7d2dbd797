/** Fitting data simulated from known parameters recovers them within sampling error. */
import { describe, expect, it } from 'vitest';
import { fitSpendModel, fitTransactionModel } from '../../src/classifier/fit.ts';
import { spendData } from '../../src/classifier/models/gammaGamma.ts';
import { TRANSACTION_MODEL_REGISTRY } from '../../src/classifier/models/index.ts';
import { simulateCustomers } from '../../src/classifier/simulate.ts';
import type { TransactionModelName } from '../../src/classifier/types.ts';
import { features, settings } from '../helpers.ts';

const truths: [TransactionModelName, [number, number, number, number]][] = [
  ['pareto_nbd', [0.55, 10.6, 0.61, 11.7]],
  ['bg_nbd', [0.24, 4.4, 0.79, 2.4]],
  ['mbg_nbd', [0.52, 6.2, 0.89, 1.6]],
];

describe('parameter recovery from simulated customer bases (20,000 customers, weeks)', () => {
  it.each(truths)('%s recovers %j within four standard errors', (name, truth) => {
    const endDay = 10_000 + 546;
    const customers = [
      ...simulateCustomers({ model: name, params: truth, customers: 20_000, seed: 11, unitDays: 7, firstDay: 10_000, cohortDays: 84, endDay }),
    ].map((c) => features(c, endDay));
    const model = TRANSACTION_MODEL_REGISTRY[name];
    const outcome = fitTransactionModel(
      model,
      { frequency: customers.map((c) => c.frequency), recencyDays: customers.map((c) => c.recencyDays), ageDays: customers.map((c) => c.ageDays) },
      7,
      settings().fit,
      { standardErrors: true },
    );
    if (!outcome.ok) throw new Error(outcome.reason);
    const se = outcome.fit.standardErrors;
    expect(se).not.toBeNull();
    model.paramNames.forEach((param, i) => {
      const z = (outcome.fit.params[param] - truth[i]) / (se?.[param] ?? NaN);
      expect(Math.abs(z), `${param}: fitted ${outcome.fit.params[param]}, true ${truth[i]}, se ${se?.[param]}`).toBeLessThan(4);
    });
  });

  it('Gamma-Gamma recovers p, q, gamma within four standard errors', () => {
    const customers = [
      ...simulateCustomers({
        model: 'pareto_nbd',
        params: [2, 5, 0.3, 20],
        spend: [6, 4, 15],
        customers: 20_000,
        seed: 5,
        unitDays: 7,
        firstDay: 0,
        cohortDays: 84,
        endDay: 546,
      }),
    ]
      .map((c) => features(c, 546))
      .filter((c) => c.frequency > 0);
    const outcome = fitSpendModel(
      spendData(Float64Array.from(customers, (c) => c.frequency), Float64Array.from(customers, (c) => c.monetary)),
      settings().fit,
      { standardErrors: true },
    );
    if (!outcome.ok) throw new Error(outcome.reason);
    const { params, standardErrors } = outcome.fit;
    for (const [param, truth] of [['p', 6], ['q', 4], ['gamma', 15]] as const) {
      expect(Math.abs(params[param] - truth) / (standardErrors?.[param] ?? NaN), `${param} = ${params[param]}`).toBeLessThan(4);
    }
  });
});
