/**
 * Liveness (the process answers) and readiness (the store answers and the CRM accepts the credentials).
 * Both need no token, so readiness says what is wrong in a few words of ours: never the CRM's or the
 * store's own text, which can carry anything (an echoed Authorization header, figures, paths).
 */
import { Router } from 'express';
import type { Verification } from '../../../connectors/contract/index.ts';
import { LifecycleSyncError } from '../../errors.ts';
import type { AdminContext } from '../context.ts';

type Check = { ok: true } | { ok: false; reason: string };

/** Why the CRM check failed, in our words. */
export function crmReason(failure: Verification & { ok: false }): string {
  const { code, status } = failure;
  if (code === 'NOT_CONFIGURED') return 'no CRM is connected yet';
  if (code === 'AUTH_FAILED') return status === 403 ? 'the CRM refused access (403)' : `the CRM refused the credentials (${status ?? 401})`;
  if (code === 'QUOTA_EXHAUSTED' || code === 'QUOTA_SHARE_SPENT') return "the CRM's API limit is reached";
  if (code === 'CRM_UNAVAILABLE') return 'the CRM did not answer (it kept failing)';
  if (status !== null) return `the CRM answered the check with an error (${status})`;
  return 'the CRM check failed (see the logs)';
}

export function healthRoutes(ctx: AdminContext): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    let store: Check;
    try {
      await ctx.store.listInstallations();
      store = { ok: true };
    } catch (error) {
      ctx.log.warn('readiness: the store did not answer', { error: error instanceof Error ? error.message : String(error) });
      store = { ok: false, reason: 'the state store did not answer' };
    }
    let crm: Check;
    if (store.ok && (await severalInstallations(ctx))) {
      // An agency's server is ready while one client's token is revoked: that shows as the installation's health.
      crm = { ok: true };
    } else {
      const verified = await ctx.installations.verify();
      crm = verified.ok ? { ok: true } : { ok: false, reason: crmReason(verified) };
    }
    const ready = store.ok && crm.ok;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks: { store, crm } });
  });
  return router;
}

/** Whether the server works for several installations (each one's own check is on /api/installations). */
async function severalInstallations(ctx: AdminContext): Promise<boolean> {
  if (ctx.installations.installationId() !== null) return false;
  try {
    await ctx.installations.defaultScope();
    return false;
  } catch (error) {
    return error instanceof LifecycleSyncError && error.code === 'INSTALLATION_REQUIRED';
  }
}
