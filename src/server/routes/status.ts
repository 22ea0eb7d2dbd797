/**
 * GET /api/status: which CRM is connected and whether its fields are in place, the schedule, the run in
 * progress, and which OAuth installs are available. The fields check (a dry `ensureFields`) costs a few
 * API calls, so it is reused until a run ends or a minute passes.
 */
import { Router } from 'express';
import type { FieldsReport } from '../../../connectors/contract/index.ts';
import { ensureFields } from '../../sync/fieldPolicy.ts';
import { fieldSpecs } from '../../sync/fields.ts';
import type { AdminContext } from '../context.ts';

interface FieldsStatus {
  inPlace: string[];
  missing: string[];
  toUpdate: { name: string; change: string }[];
  error: string | null;
}

function fieldsStatus(report: FieldsReport): FieldsStatus {
  return { inPlace: report.ok.map((f) => f.name), missing: report.created.map((f) => f.name), toUpdate: report.updated.map((u) => ({ name: u.name, change: u.change })), error: null };
}

export function statusRoutes(ctx: AdminContext): Router {
  const router = Router();
  let cache: { key: string; at: number; fields: FieldsStatus } | null = null;

  router.get('/status', async (_req, res) => {
    const crm = ctx.installations.activeCrm();
    const installationId = ctx.installations.installationId();
    const installation = installationId ? await ctx.store.getInstallation(installationId) : null;
    const connection = await ctx.installations.verify();
    let fields: FieldsStatus | null = null;
    if (crm && installationId && connection.ok) {
      const key = `${installationId}:${(await ctx.store.listRuns(installationId, 1))[0]?.finishedAt ?? ''}`;
      if (cache && cache.key === key && Date.now() - cache.at < 60_000) fields = cache.fields;
      else {
        try {
          const { report } = await ensureFields((await ctx.installations.connection()).connector, fieldSpecs(ctx.config.classifier, ctx.config.sync), { dryRun: true });
          fields = fieldsStatus(report);
        } catch (error) {
          fields = { inPlace: [], missing: [], toUpdate: [], error: error instanceof Error ? error.message : String(error) };
        }
        cache = { key, at: Date.now(), fields };
      }
    }
    const running = installationId ? (ctx.runs.current(installationId) ?? null) : null;
    res.json({
      crm,
      installation: installation && { id: installation.id, name: installation.name },
      connection,
      fields,
      schedule: await ctx.schedule(),
      running: running && { runId: running.runId, kind: running.kind },
      demo: ctx.demo,
      install: ctx.oauth.providers.map((p) => {
        const missing = p.missing() ?? (ctx.oauth.canStoreTokens ? null : 'set ENCRYPTION_KEY so the tokens can be stored encrypted');
        return { crm: p.crm, label: p.label, available: missing === null, missing };
      }),
    });
  });
  return router;
}
