/** The generating model the conversion tests simulate from: lead source, an open deal's win probability and engagement all matter. */
import type { ConversionGeneratingModel } from '../../../src/classifier/conversion/simulate.ts';

export const TRUE_MODEL: ConversionGeneratingModel = {
  intercept: -2.2,
  sources: {
    referral: { weight: 1, effect: 1.0 },
    webinar: { weight: 2, effect: 0.3 },
    organic: { weight: 3, effect: 0 },
    paid: { weight: 3, effect: -0.5 },
    event: { weight: 0.5, effect: 0.5 },
    partner: { weight: 0.3, effect: 0.8 },
    cold: { weight: 0.2, effect: -1 },
  },
  dealShare: 0.3,
  dealEffect: 2.5,
  referenceRate: 0.1,
  rateSdLog: 0.8,
  engagementEffect: 0.7,
};
