/**
 * What a real run (a sync or a rollback) wrote, record by record, from its audit: each value before and
 * after and what became of it (written, failed, rolled back since, or unconfirmed when the run ended
 * before the CRM answered); searchable by record id, name, e-mail or company, paged, and as CSV
 * (streamed a page of records at a time: a nightly run can write a million records).
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import { FIELD_KEYS, isDealInputKey } from '../../../connectors/contract/index.ts';
import { writesCsv } from '../../io/writesCsv.ts';
import { dealFieldSpecs } from '../../sync/dealFields.ts';
import { fieldSpecs } from '../../sync/fields.ts';
import type { AuditField, RunRecord } from '../../store/types.ts';
import type { AdminContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import type { ScopeOf } from '../scope.ts';
import { parseInput } from '../validate.ts';
import { runIdParams, runOf } from './runs.ts';

const filterShape = {
  /** Part of a record id, name, e-mail or company (case-insensitive). */
  search: z.string().max(200, 'must be at most 200 characters').optional(),
  field: z.enum(FIELD_KEYS).optional(),
};
const writesQuery = z
  .object({
    ...filterShape,
    page: z.coerce.number().int().min(1).default(1),
    pageSize: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();
const csvQuery = z.object(filterShape).strict();

/** Records read per page while streaming the CSV. */
const CSV_PAGE = 1000;

/** Only runs that write have writes: a dry run's changes are its plan. */
function realRun(run: RunRecord): RunRecord {
  if (run.kind === 'dry_run') throw new HttpError(409, 'NOT_A_REAL_RUN', `${run.id} is a dry run: it wrote nothing (what it would write is its plan)`);
  return run;
}

export function writeRoutes(ctx: AdminContext, scopeOf: ScopeOf): Router {
  const router = Router({ mergeParams: true });
  const scoped = async (req: Request) => {
    const scope = await scopeOf(req);
    return { scope, run: realRun(await runOf(ctx, scope.installationId, parseInput(runIdParams, req.params, 'params').id)) };
  };

  router.get('/runs/:id/writes', async (req, res) => {
    const { run } = await scoped(req);
    const q = parseInput(writesQuery, req.query, 'query');
    const filter = { search: q.search, field: q.field };
    const [total, records] = await Promise.all([
      ctx.store.countRunWrites(run.id, filter),
      ctx.store.runWrites(run.id, filter, { offset: (q.page - 1) * q.pageSize, limit: q.pageSize }),
    ]);
    res.json({ runId: run.id, kind: run.kind, status: run.status, asOf: run.asOf, search: q.search ?? '', field: q.field ?? null, page: q.page, pageSize: q.pageSize, total, records });
  });

  router.get('/runs/:id/writes.csv', async (req, res) => {
    const { scope, run } = await scoped(req);
    const q = parseInput(csvQuery, req.query, 'query');
    // Deal outputs (deal scoring's `deal:<id>` records) are in a run's writes too.
    const numeric = new Set<AuditField>([...fieldSpecs(scope.config.classifier, scope.config.sync), ...dealFieldSpecs()].filter((f) => f.type === 'number').map((f) => f.key).filter((k): k is AuditField => !isDealInputKey(k)));
    res.set('Content-Type', 'text/csv; charset=utf-8');
    res.set('Content-Disposition', `attachment; filename="${run.id}-writes.csv"`);
    res.write(writesCsv([], numeric));
    let after: string | undefined;
    for (;;) {
      const page = await ctx.store.runWrites(run.id, q, { after, limit: CSV_PAGE });
      if (page.length > 0) res.write(writesCsv(page, numeric, false));
      const last = page.at(-1);
      if (!last || page.length < CSV_PAGE) break;
      after = last.recordId;
    }
    res.end();
  });

  return router;
}
