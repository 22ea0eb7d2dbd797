/**
 * The installations of this store: each with its CRM, account, status, last run, next scheduled run and
 * health, filtered (failing, paused, never run) and searched (name, account or id); pause and resume.
 */
import { Router } from 'express';
import { z } from 'zod';
import { LifecycleSyncError } from '../../errors.ts';
import { installationHealth, type InstallationHealth } from '../../service/installationHealth.ts';
import type { Installation } from '../../store/types.ts';
import type { AdminContext } from '../context.ts';
import { installationIdParam } from '../scope.ts';
import { followSchedule } from './settings.ts';
import { parseInput } from '../validate.ts';


const listQuery = z
  .object({
    filter: z.enum(['failing', 'paused', 'never_run']).optional(),
    /** Part of the name, the account id or the installation id (case does not matter). */
    q: z.string().trim().min(1).max(200).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();
const idParams = z.object({ id: installationIdParam });

/** The next scheduled run, or null with the reason there is none (the installation's own schedule). */
async function nextRun(ctx: AdminContext, installation: Installation): Promise<{ at: string | null; note: string | null }> {
  const schedule = await ctx.schedule(await ctx.installations.scope(installation.id));
  return { at: schedule?.nextRunAt ?? null, note: schedule?.note ?? null };
}

async function view(ctx: AdminContext, installation: Installation) {
  const runs = await ctx.store.listRuns(installation.id, 20);
  const last = runs[0] ?? null;
  let next: { at: string | null; note: string | null };
  try {
    next = await nextRun(ctx, installation);
  } catch (error) {
    // Its stored settings no longer pass the schema: shown, not a failure of the whole list.
    next = { at: null, note: error instanceof Error ? error.message : String(error) };
  }
  return {
    id: installation.id,
    crm: installation.crm,
    name: installation.name,
    accountId: installation.accountId,
    status: installation.status,
    health: installationHealth(installation, last),
    lastRun: last && { id: last.id, kind: last.kind, status: last.status, startedAt: last.startedAt, finishedAt: last.finishedAt, message: last.message },
    nextRunAt: next.at,
    scheduleNote: next.note,
  };
}

async function installationOf(ctx: AdminContext, id: string): Promise<Installation> {
  const installation = await ctx.store.getInstallation(id);
  if (!installation || installation.status === 'uninstalled') throw new LifecycleSyncError('NOT_FOUND', `no installation ${id}`);
  return installation;
}

export function installationRoutes(ctx: AdminContext): Router {
  const router = Router();

  router.get('/installations', async (req, res) => {
    const q = parseInput(listQuery, req.query, 'query');
    const needle = q.q?.toLowerCase();
    const all = (await ctx.store.listInstallations()).filter((i) => i.status !== 'uninstalled');
    // Every installation's health from one query (the newest run of each), so the counts cover all of
    // them and only the page of rows shown reads more.
    const latest = new Map((await ctx.store.latestRuns({})).map((r) => [r.installationId, r]));
    const healthOf = (i: Installation) => installationHealth(i, latest.get(i.id) ?? null);
    const counts: Record<InstallationHealth, number> = { ok: 0, running: 0, failing: 0, paused: 0, never_run: 0 };
    for (const installation of all) counts[healthOf(installation)] += 1;
    const matching = all.filter((i) => (!needle || [i.name, i.accountId ?? '', i.id].some((text) => text.toLowerCase().includes(needle))) && (!q.filter || healthOf(i) === q.filter));
    const views = [];
    for (const installation of matching.slice(0, q.limit)) views.push(await view(ctx, installation));
    res.json({ installations: views, total: all.length, matching: matching.length, counts });
  });

  router.get('/installations/:id', async (req, res) => {
    const installation = await installationOf(ctx, parseInput(idParams, req.params, 'params').id);
    res.json({ installation: await view(ctx, installation) });
  });

  for (const [action, status] of [
    ['pause', 'paused'],
    ['resume', 'active'],
  ] as const) {
    router.post(`/installations/:id/${action}`, async (req, res) => {
      const { id } = parseInput(idParams, req.params, 'params');
      parseInput(z.object({}).strict(), req.body ?? {}, 'body');
      const before = await installationOf(ctx, id);
      const updated = await ctx.store.transaction(async (tx) => {
        const row = await tx.updateInstallation(id, { status });
        // In the installation's settings change log, as the settings view's pause and resume are.
        if (row && before.status !== status) await tx.addSettingChanges([{ installationId: id, at: Date.now(), actor: 'admin', key: 'status', before: before.status, after: status }]);
        return row;
      });
      if (!updated) throw new LifecycleSyncError('NOT_FOUND', `no installation ${id}`);
      ctx.log.info(`installation ${action}d from the admin API`, { installation: id });
      await followSchedule(ctx, id);
      res.json({ installation: await view(ctx, updated) });
    });
  }

  return router;
}
