/**
 * The page's "Is the model right for my data?" card: the backtest of the installation's stored deals,
 * the last `holdoutDays` days (default classifier.backtest.holdoutDays) as the holdout. It fits the three
 * models on request, so it is computed when asked rather than with every run.
 */
import { Router } from 'express';
import { z } from 'zod';
import { todayDay } from '../../io/dates.ts';
import { backtestInstallation } from '../../service/backtestInstallation.ts';
import type { AdminContext } from '../context.ts';
import type { ScopeOf } from '../scope.ts';
import { parseInput } from '../validate.ts';

const query = z
  .object({ holdoutDays: z.coerce.number().int('must be a whole number of days').min(7, 'must be at least 7').max(3650, 'must be at most 3650').optional() })
  .strict();

export function backtestRoutes(ctx: AdminContext, scopeOf: ScopeOf): Router {
  const router = Router({ mergeParams: true });
  router.get('/backtest', async (req, res) => {
    const { installationId, config } = await scopeOf(req);
    const { holdoutDays } = parseInput(query, req.query, 'query');
    const classifier = config.classifier;
    const result = await backtestInstallation(ctx.store, installationId, classifier, { holdoutDays: holdoutDays ?? classifier.backtest.holdoutDays, today: todayDay() });
    res.json({ ...result, labels: { topShare: classifier.valueTiers.topShare }, model: classifier.model });
  });
  return router;
}
