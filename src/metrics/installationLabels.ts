/**
 * Bounded cardinality for the `installation` label. The `max` oldest installations not removed (by
 * creation time, then id) keep their id as label value; every other one is `other`. The choice is a
 * function of the store's installations only, so the server and every worker reading the same store
 * pick the same ones: a counter summed across processes never splits one installation between its id
 * and "other". A removed installation frees its value for the next one.
 */
import type { Installation } from '../store/types.ts';

export const OTHER_INSTALLATIONS = 'other';

export class InstallationLabels {
  readonly max: number;
  /** Installations with a value of their own. */
  private own = new Set<string>();
  /** Every installation the store lists (removed ones included): those not in `own` are "other". */
  private known = new Set<string>();

  constructor(max: number) {
    this.max = max;
  }

  /** Takes the store's list of installations (`listInstallations`). */
  update(installations: readonly Installation[]): void {
    const ranked = installations
      .filter((i) => i.status !== 'uninstalled')
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.known = new Set(installations.map((i) => i.id));
    this.own = new Set(ranked.slice(0, this.max).map((i) => i.id));
  }

  /** The label value for the installation. */
  label(installationId: string): string {
    if (this.own.has(installationId)) return installationId;
    // Not listed yet (the environment's installation may have no row before its first run): the newest.
    if (!this.known.has(installationId) && this.own.size < this.max) {
      this.own.add(installationId);
      return installationId;
    }
    return OTHER_INSTALLATIONS;
  }

  /** How many listed installations (not removed) share "other". */
  folded(installations: readonly Installation[]): number {
    return installations.filter((i) => i.status !== 'uninstalled' && this.label(i.id) === OTHER_INSTALLATIONS).length;
  }
}
