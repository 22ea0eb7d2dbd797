/** The generating model the deal tests simulate from: MEDDIC matters (champion and economic buyer most), so do activity and age. */
import type { DealGeneratingModel } from '../../../src/classifier/deals/simulate.ts';

export const TRUE_MODEL: DealGeneratingModel = {
  intercept: 0.5,
  meddic: {
    metrics: [0.2, 0.3],
    economicBuyer: [0.4, 0.8],
    decisionCriteria: [0.1, 0.2],
    decisionProcess: [0.2, 0.3],
    identifyPain: [0.3, 0.3],
    champion: [0.5, 1.0],
  },
  figures: { daysSinceActivity: -0.7, ageDays: -0.4, amount: 0.0, contacts: 0.3 },
};
