/**
 * The page's settings view (issue #12), per installation: the editable settings (thresholds, stage labels
 * and next actions, acquisition spend, schedule) with the values in effect, the file's, and which the
 * installation overrides; changes and resets stored as the installation's overrides after the same zod
 * schemas as the configuration file (a 400 naming each field), with pause and resume; every change in the
 * change log (when, who, what, before → after); the schedule follows at once. The preview classifies the
 * stored customers under the proposed settings: how many would move stage, before anything is saved.
 */
import { Router } from 'express';
import { z } from 'zod';
import { applyEdit, settingsView, type SettingsEdit } from '../../config/editableSettings.ts';
import { readOverrides } from '../../config/installationSettings.ts';
import { LifecycleSyncError } from '../../errors.ts';
import type { InstallationScope } from '../../service/installation.ts';
import type { Installation, SettingChange } from '../../store/types.ts';
import type { AdminContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import type { ScopeOf } from '../scope.ts';
import { parseInput } from '../validate.ts';

/** Who changed it: the admin token is one identity. */
const ACTOR = 'admin';
const CHANGES_PAGE = 20;

const editBody = z
  .object({
    /** New values by dotted path, e.g. {"classifier.rules.atRiskMaxPAlive": 0.6}. */
    settings: z.record(z.string(), z.unknown()).default({}),
    /** Settings to take from the configuration file again. */
    reset: z.array(z.string()).max(200).default([]),
  })
  .strict();
const saveBody = editBody.extend({ paused: z.boolean().optional() }).strict();
const changesQuery = z.object({ page: z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').max(100_000).default(1) }).strict();

/** The edit's outcome, or a 400 whose message and fields name every setting refused. */
function edited(ctx: AdminContext, scope: InstallationScope, installation: Installation | null, edit: SettingsEdit) {
  const overrides = readOverrides(installation?.settings ?? {}, scope.installationId);
  const outcome = applyEdit(ctx.config, overrides, scope.installationId, edit);
  if (!outcome.ok) {
    const fields = outcome.issues.map((i) => ({ field: i.path, message: i.message }));
    throw new HttpError(400, 'INVALID_SETTINGS', fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields);
  }
  return outcome;
}

/** Its row: settings are kept on it (the environment's installation has one from its first run on). */
function storedRow(scope: InstallationScope): Installation {
  if (!scope.installation) throw new LifecycleSyncError('NOT_CONFIGURED', `installation ${scope.installationId} is not stored yet: run it once (a dry run will do), then change its settings`);
  return scope.installation;
}

/**
 * The schedule follows the change at once; when that fails (the queue's database did not answer) the
 * change is saved all the same, and the periodic reconcile (every jobs.superviseSeconds) catches up.
 */
export async function followSchedule(ctx: AdminContext, installationId: string): Promise<void> {
  try {
    await ctx.settingsChanged(installationId);
  } catch (error) {
    ctx.log.warn('the schedule will follow the change at the next reconcile', { installation: installationId, error: error instanceof Error ? error.message : String(error) });
  }
}

async function changesPage(ctx: AdminContext, installationId: string, page: number) {
  const { total, changes } = await ctx.store.settingChanges(installationId, { offset: (page - 1) * CHANGES_PAGE, limit: CHANGES_PAGE });
  return { total, page, pageSize: CHANGES_PAGE, changes: changes.map(({ id, at, actor, key, before, after }) => ({ id, at, actor, key, before, after })) };
}

async function view(ctx: AdminContext, scope: InstallationScope) {
  const overrides = readOverrides(scope.installation?.settings ?? {}, scope.installationId);
  return {
    installationId: scope.installationId,
    stored: scope.installation !== null,
    paused: scope.installation?.status === 'paused',
    settings: settingsView(ctx.config, scope.config, overrides),
    schedule: await ctx.schedule(scope),
    changes: await changesPage(ctx, scope.installationId, 1),
  };
}

export function settingsRoutes(ctx: AdminContext, scopeOf: ScopeOf): Router {
  const router = Router({ mergeParams: true });

  router.get('/settings', async (req, res) => {
    res.json(await view(ctx, await scopeOf(req)));
  });

  router.get('/settings/changes', async (req, res) => {
    const { page } = parseInput(changesQuery, req.query, 'query');
    const { installationId } = await scopeOf(req);
    res.json(await changesPage(ctx, installationId, page));
  });

  router.put('/settings', async (req, res) => {
    const body = parseInput(saveBody, req.body ?? {}, 'body');
    const scope = await scopeOf(req);
    const row = storedRow(scope);
    const outcome = edited(ctx, scope, row, { set: body.settings, reset: body.reset });
    const at = Date.now();
    const status = body.paused === undefined ? row.status : body.paused ? 'paused' : 'active';
    const entries: SettingChange[] = outcome.changes.map((c) => ({ installationId: scope.installationId, at, actor: ACTOR, ...c }));
    if (status !== row.status) entries.push({ installationId: scope.installationId, at, actor: ACTOR, key: 'status', before: row.status, after: status });
    await ctx.store.transaction(async (tx) => {
      await tx.updateInstallation(scope.installationId, { settings: outcome.overrides, status });
      await tx.addSettingChanges(entries);
    });
    if (entries.length > 0) {
      ctx.log.info('settings changed from the admin API', { installation: scope.installationId, keys: entries.map((e) => e.key) });
      await followSchedule(ctx, scope.installationId);
    }
    res.json({ ...(await view(ctx, await scopeOf(req))), saved: entries.map(({ key, before, after }) => ({ key, before, after })) });
  });

  router.post('/settings/preview', async (req, res) => {
    const body = parseInput(editBody, req.body ?? {}, 'body');
    const scope = await scopeOf(req);
    const outcome = edited(ctx, scope, scope.installation, { set: body.settings, reset: body.reset });
    res.json(await ctx.previewStages(scope, outcome.config.classifier));
  });

  return router;
}
