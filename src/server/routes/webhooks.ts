/**
 * POST /webhooks/:crm — a CRM's change notifications (HubSpot: POST /webhooks/hubspot). Outside the admin
 * token: the CRM's signature is the authentication, checked over the raw body and the full URI HubSpot
 * called — the server's public URL (PUBLIC_URL) and the request's path and query. Behind a proxy that
 * changes the host or path, PUBLIC_URL must be the address HubSpot calls, or no signature matches.
 * Answered as soon as the work is recorded (204), before any CRM call.
 */
import express, { type Router } from 'express';
import type { AdminContext } from '../context.ts';
import { errorBody } from '../errors.ts';

/** HubSpot sends up to 100 events a request: well under this. */
const BODY_LIMIT = '1mb';

export function webhookRoutes(ctx: AdminContext): Router {
  const router = express.Router();
  router.post('/webhooks/:crm', express.raw({ type: () => true, limit: BODY_LIMIT }), async (req, res, next) => {
    try {
      const service = ctx.webhooks;
      const crm = String(req.params.crm);
      const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      const result = service?.receive(crm, { method: req.method, uri: `${ctx.publicUrl()}${req.originalUrl}`, body, headers });
      if (!result) {
        res.status(404).json(errorBody('NOT_FOUND', `no webhooks are received for ${crm.slice(0, 40)}`));
        return;
      }
      const outcome = await result;
      res.set('Cache-Control', 'no-store');
      if (outcome.ok) {
        ctx.log.debug('webhook received', { crm, installations: outcome.installations, events: outcome.events, duplicates: outcome.duplicates, ignored: outcome.ignored, work: outcome.work });
        res.status(204).end();
        return;
      }
      ctx.log.info('webhook refused', { crm, status: outcome.status, code: outcome.code, reason: outcome.message });
      res.status(outcome.status).json(errorBody(outcome.code, outcome.message));
    } catch (error) {
      next(error);
    }
  });
  return router;
}
