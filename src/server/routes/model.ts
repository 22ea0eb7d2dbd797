/** The current model fit, and the figures the page's charts show (from the latest classification). */
import { Router } from 'express';
import { valueTierLabels } from '../../classifier/segments.ts';
import { STAGES_IN_LIFECYCLE_ORDER } from '../../classifier/types.ts';
import { LifecycleSyncError } from '../../errors.ts';
import type { AdminContext } from '../context.ts';
import type { ScopeOf } from '../scope.ts';

export function modelRoutes(ctx: AdminContext, scopeOf: ScopeOf): Router {
  const router = Router({ mergeParams: true });

  router.get('/model', async (req, res) => {
    const { installationId } = await scopeOf(req);
    const fit = await ctx.insights.latestFit(installationId);
    if (!fit) throw new LifecycleSyncError('NOT_FOUND', `no model fitted yet for ${installationId}: start a dry run or a sync`);
    const { summary: _summary, ...model } = fit;
    res.json(model);
  });

  router.get('/overview', async (req, res) => {
    const { installationId, config } = await scopeOf(req);
    const classifier = config.classifier;
    const fit = await ctx.insights.latestFit(installationId);
    const recent = await ctx.store.listRuns(installationId, 20);
    const lastRun = recent.find((r) => r.status !== 'running' && r.kind !== 'rollback') ?? null;
    const fitRun = fit ? ((await ctx.store.getRun(fit.runId)) ?? null) : null;
    // A rollback after the figures' run: the CRM no longer holds what the figures describe.
    const rollback = recent.find((r) => r.kind === 'rollback' && r.status !== 'running' && r.stats.written > 0 && (fitRun === null || r.startedAt > fitRun.startedAt)) ?? null;
    res.json({
      installation: installationId,
      runId: fit?.runId ?? null,
      /** A dry run's figures are what a run would write; a sync's are what the CRM holds. */
      runKind: fitRun?.kind ?? null,
      asOf: fit?.asOf ?? null,
      summary: fit?.summary ?? null,
      churnRiskHistogram: fit ? await ctx.insights.churnRiskHistogram(installationId) : [],
      labels: {
        stages: Object.fromEntries(STAGES_IN_LIFECYCLE_ORDER.map((s) => [s, classifier.stages[s].label])),
        stageOrder: STAGES_IN_LIFECYCLE_ORDER.filter((s) => classifier.stages[s].enabled),
        valueTiers: valueTierLabels(classifier.valueTiers),
      },
      settings: {
        clvHorizonMonths: classifier.clv.horizonMonths,
        churnRiskBands: classifier.churnRiskBands,
        currency: classifier.ltv.currency,
      },
      rolledBack: rollback && { id: rollback.id, rollbackOf: rollback.rollbackOf, finishedAt: rollback.finishedAt },
      lastRun: lastRun && { id: lastRun.id, kind: lastRun.kind, status: lastRun.status, asOf: lastRun.asOf, finishedAt: lastRun.finishedAt, stageTransitions: lastRun.stats.stageTransitions },
    });
  });

  return router;
}
