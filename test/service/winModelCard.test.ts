/**
 * The win model's card (the pipeline card's line) from stored fits: a fitted model with its
 * cross-validated AUC and calibration, the MEDDIC fallback with its reason, the pipeline's run's fit
 * preferred over a newer one (a dry run's), and nothing where no fit has a win model.
 */
import { describe, expect, it } from 'vitest';
import { simulateClosedDeals } from '../../src/classifier/deals/simulate.ts';
import { fitWinModel } from '../../src/classifier/deals/winModel.ts';
import { winModelCard } from '../../src/service/winModelCard.ts';
import { settings } from '../helpers.ts';
import { TRUE_MODEL } from '../classifier/deals/generating.ts';
import { storePlaces } from '../stores.ts';

const deals = settings().deals;

describe('the win model card', () => {
  it('reads the fitted model and its validation, the fallback and its reason, from the run asked for', async () => {
    const store = await (await storePlaces('sqlite')()).open();
    try {
      expect(await winModelCard(store, 'i', null)).toBeNull();
      await store.saveModelFit('i', 'run_old', { asOf: '2026-01-01' });
      expect(await winModelCard(store, 'i', null)).toBeNull();

      const fitted = fitWinModel(simulateClosedDeals({ model: TRUE_MODEL, deals: 400, seed: 5 }).map((d) => d.deal), deals);
      if (fitted.model.basis !== 'fitted') throw new Error('400 simulated deals should be fitted');
      await store.saveModelFit('i', 'run_sync', { asOf: '2026-02-01', winModel: fitted });
      const fallback = fitWinModel(simulateClosedDeals({ model: TRUE_MODEL, deals: 6, seed: 6 }).map((d) => d.deal), deals);
      expect(fallback.model.basis).toBe('meddic_fallback');
      await store.saveModelFit('i', 'run_dry', { asOf: '2026-02-02', winModel: fallback });

      const card = await winModelCard(store, 'i', 'run_sync');
      expect(card).toMatchObject({ runId: 'run_sync', basis: 'fitted', reason: null, closedDeals: 400, won: fitted.model.won, label: `win model fitted on 400 closed deals of this installation` });
      expect(card?.validation?.method).toBe('cross_validation');
      expect(card?.validation?.auc).toBe(fitted.validation?.auc);
      expect(card?.validation?.aucStandardError).toBeGreaterThan(0);
      expect(card?.validation?.calibration.reduce((n, b) => n + b.deals, 0)).toBe(400);

      // No pipeline yet (or its run's fit gone): the newest fit with a win model.
      const newest = await winModelCard(store, 'i', null);
      expect(newest).toMatchObject({ runId: 'run_dry', basis: 'meddic_fallback' });
      expect(newest?.reason).toContain('classifier.deals.winModel.minClosedDeals');
      expect(newest?.label).toContain(newest?.reason ?? '?');
      // Another installation's fits are not this one's.
      expect(await winModelCard(store, 'other', 'run_sync')).toBeNull();
    } finally {
      await store.close();
    }
  });
});
