/**
 * CSV exports of a run: its per-record errors, and a dry run's planned changes. Streamed a page at a
 * time (a plan can hold millions of changes); every text cell is safe from spreadsheet formulas.
 */
import { Router, type Response } from 'express';
import { errorsCsv } from '../../io/errorsCsv.ts';
import { planCsv } from '../../io/planCsv.ts';
import { dealNumberFields } from '../../sync/dealFields.ts';
import { fieldSpecs } from '../../sync/fields.ts';
import type { AdminContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import type { ScopeOf } from '../scope.ts';
import { parseInput } from '../validate.ts';
import { runIdParams, runOf } from './runs.ts';

/** Rows per page read from the store while streaming. */
const PAGE = 5000;
/** The most errors an export holds (a run records at most its records' errors; this bounds memory). */
const MAX_ERRORS = 1_000_000;

function csvHeaders(res: Response, filename: string): void {
  res.set('Content-Type', 'text/csv; charset=utf-8');
  res.set('Content-Disposition', `attachment; filename="${filename}"`);
}

export function exportRoutes(ctx: AdminContext, scopeOf: ScopeOf): Router {
  const router = Router({ mergeParams: true });

  router.get('/runs/:id/errors.csv', async (req, res) => {
    const scope = await scopeOf(req);
    const run = await runOf(ctx, scope.installationId, parseInput(runIdParams, req.params, 'params').id);
    const errors = await ctx.store.listRunErrors(run.id, MAX_ERRORS);
    csvHeaders(res, `${run.id}-errors.csv`);
    res.send(errorsCsv(errors));
  });

  router.get('/runs/:id/plan.csv', async (req, res) => {
    const scope = await scopeOf(req);
    const run = await runOf(ctx, scope.installationId, parseInput(runIdParams, req.params, 'params').id);
    if (run.kind !== 'dry_run') throw new HttpError(409, 'NOT_A_DRY_RUN', `${run.id} is not a dry run: only dry runs have a plan`);
    if (run.status === 'running') throw new HttpError(409, 'RUN_IN_PROGRESS', `${run.id} is still running: its plan is ready when it ends`);
    const numeric = new Set<string>([...fieldSpecs(scope.config.classifier, scope.config.sync).filter((f) => f.type === 'number').map((f) => f.key), ...dealNumberFields()]);
    csvHeaders(res, `${run.id}-plan.csv`);
    res.write(planCsv([], numeric));
    for (let offset = 0; ; offset += PAGE) {
      const page = await ctx.store.planChanges(run.id, { offset, limit: PAGE });
      if (page.length > 0) res.write(planCsv(page, numeric, false));
      if (page.length < PAGE) break;
    }
    res.end();
  });

  return router;
}
