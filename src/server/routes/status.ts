/**
 * GET /api/status: which CRM the installation is on and whether its fields are in place, its schedule,
 * the run in progress (or queued), and which OAuth installs are available. The fields check (a dry
 * `ensureFields`) costs a few API calls, so it is reused per installation until a run ends or a minute passes.
 */
import { Router } from 'express';
import type { FieldsReport } from '../../../connectors/contract/index.ts';
import { ensureFields } from '../../sync/fieldPolicy.ts';
import { fieldSpecs } from '../../sync/fields.ts';
import { LifecycleSyncError } from '../../errors.ts';
import type { InstallationScope } from '../../service/installation.ts';
import type { AdminContext } from '../context.ts';
import type { ScopeOf } from '../scope.ts';
import { queuedRuns } from '../startRun.ts';

interface FieldsStatus {
  inPlace: string[];
  missing: string[];
  toUpdate: { name: string; change: string }[];
  error: string | null;
}

function fieldsStatus(report: FieldsReport): FieldsStatus {
  return { inPlace: report.ok.map((f) => f.name), missing: report.created.map((f) => f.name), toUpdate: report.updated.map((u) => ({ name: u.name, change: u.change })), error: null };
}

/** The scope, or null while nothing is connected (the page shows how to connect); several installations: said. */
async function scopeOrNone(scopeOf: ScopeOf, req: Parameters<ScopeOf>[0]): Promise<InstallationScope | null> {
  try {
    return await scopeOf(req);
  } catch (error) {
    if (error instanceof LifecycleSyncError && error.code === 'NOT_CONFIGURED') return null;
    throw error;
  }
}

export function statusRoutes(ctx: AdminContext, scopeOf: ScopeOf): Router {
  const router = Router({ mergeParams: true });
  const cache = new Map<string, { key: string; at: number; fields: FieldsStatus }>();

  router.get('/status', async (req, res) => {
    const scope = await scopeOrNone(scopeOf, req);
    const installationId = scope?.installationId ?? null;
    const connection = await ctx.installations.verify(scope ?? undefined);
    let fields: FieldsStatus | null = null;
    if (scope && connection.ok) {
      const key = `${(await ctx.store.listRuns(scope.installationId, 1))[0]?.finishedAt ?? ''}`;
      const cached = cache.get(scope.installationId);
      if (cached && cached.key === key && Date.now() - cached.at < 60_000) fields = cached.fields;
      else {
        try {
          const { report } = await ensureFields((await ctx.installations.connection(scope)).connector, fieldSpecs(scope.config.classifier, scope.config.sync), { dryRun: true });
          fields = fieldsStatus(report);
        } catch (error) {
          fields = { inPlace: [], missing: [], toUpdate: [], error: error instanceof Error ? error.message : String(error) };
        }
        cache.set(scope.installationId, { key, at: Date.now(), fields });
      }
    }
    const running = installationId ? await runningNow(ctx, installationId) : null;
    const installation = scope?.installation ?? null;
    res.json({
      crm: scope?.crm ?? null,
      installation: installation && { id: installation.id, name: installation.name, accountId: installation.accountId, status: installation.status },
      connection,
      fields,
      schedule: scope ? await ctx.schedule(scope) : null,
      running,
      demo: ctx.demo,
      install: ctx.oauth.providers.map((p) => {
        const missing = p.missing() ?? (ctx.oauth.canStoreTokens ? null : 'set ENCRYPTION_KEY so the tokens can be stored encrypted');
        return { crm: p.crm, label: p.label, available: missing === null, missing };
      }),
    });
  });
  return router;
}

/** The installation's run in progress: here, on a worker (its record says running), or queued for one. */
async function runningNow(ctx: AdminContext, installationId: string): Promise<{ runId: string; kind: string; status: 'running' | 'queued' | 'starting' } | null> {
  const here = ctx.runs.current(installationId);
  if (here) return { runId: here.runId, kind: here.kind, status: 'running' };
  const [latest] = await ctx.store.listRuns(installationId, 1);
  if (latest?.status === 'running') return { runId: latest.id, kind: latest.kind, status: 'running' };
  const queued = (await queuedRuns(ctx, installationId, 20)).find((r) => r.status === 'queued' || r.status === 'starting');
  return queued ? { runId: queued.id, kind: queued.kind, status: queued.status === 'starting' ? 'starting' : 'queued' } : null;
}
