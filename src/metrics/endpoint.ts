/**
 * A worker's HTTP endpoint: `/metrics` (behind METRICS_TOKEN when set, as on the server) and `/healthz`
 * (503 once it is stopping, so an orchestrator does not count a draining worker as healthy). Nothing else.
 */
import express, { type Express, type RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from '../log.ts';
import { requireBearerToken } from '../server/auth.ts';
import { errorHandler, notFound } from '../server/errors.ts';

export function metricsApp(o: { registry: Registry; metricsToken: string | null; stopping: () => boolean; log: Logger }): Express {
  const app = express();
  app.disable('x-powered-by');
  const auth: RequestHandler = o.metricsToken ? requireBearerToken(o.metricsToken, 'METRICS_TOKEN') : (_req, _res, next) => next();
  app.get('/healthz', (_req, res) => {
    if (o.stopping()) res.status(503).json({ status: 'stopping' });
    else res.json({ status: 'ok' });
  });
  app.get('/metrics', auth, async (_req, res) => {
    res.set('Content-Type', o.registry.contentType).send(await o.registry.metrics());
  });
  app.use(notFound);
  // A failed scrape (the queue's counts unreadable) answers 500 without its details, and is logged.
  app.use(errorHandler(o.log));
  return app;
}
