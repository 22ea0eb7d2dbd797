/**
 * Pulled customers as the store keeps them (the watch's and a refresh's, as the pull phase does):
 * implausible signals left out and reported, the customer kept.
 */
import type { PulledCustomer } from '../../connectors/contract/index.ts';
import { plausibleSignals, type PurchaseRules } from '../classifier/inputLimits.ts';
import type { CustomerCore } from '../store/types.ts';

export function storableCustomers(customers: readonly PulledCustomer[], rules: PurchaseRules, report: (recordId: string, reason: string) => void): CustomerCore[] {
  return customers.map((c) => {
    const checked = plausibleSignals(c.signals, rules);
    for (const reason of checked.problems) report(c.recordId, reason);
    return { recordId: c.recordId, modifiedAt: c.modifiedAt, signals: checked.signals, crmValues: c.fieldValues, ...(c.display ? { display: c.display } : {}) };
  });
}
