/** Liveness (the process answers) and readiness (the store answers and the CRM accepts the credentials). */
import { Router } from 'express';
import type { AdminContext } from '../context.ts';

export function healthRoutes(ctx: AdminContext): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    let store: { ok: boolean; message?: string };
    try {
      ctx.store.listInstallations();
      store = { ok: true };
    } catch (error) {
      store = { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
    const crm = await ctx.installations.verify();
    const ready = store.ok && crm.ok;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks: { store, crm } });
  });
  return router;
}
