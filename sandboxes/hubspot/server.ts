/** The express application: body parsing, every route, and HubSpot-shaped answers for the rest. */
import express, { type ErrorRequestHandler, type Express } from 'express';
import { accountRoutes } from './accountRoutes.ts';
import { CORRELATION_HEADER, mountApiRoute, mountPublicRoute } from './api.ts';
import { associationRoutes } from './associationsRoutes.ts';
import { batchRoutes } from './batchRoutes.ts';
import { changeRoutes } from './changeRoutes.ts';
import type { Core } from './core.ts';
import { HubSpotError, notFound } from './errors.ts';
import { writeReply } from './http.ts';
import { oauthRoutes } from './oauthRoutes.ts';
import { objectRoutes } from './objectsRoutes.ts';
import { pipelineRoutes } from './pipelinesRoutes.ts';
import { propertyRoutes } from './propertiesRoutes.ts';
import { searchRoutes } from './searchRoutes.ts';
import { datedRoutes } from './versions.ts';

export function createApp(core: Core): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Bodies are kept raw: routes parse JSON themselves (HubSpot-shaped 400s) and search measures length.
  app.use(express.raw({ type: () => true, limit: '20mb' }));
  const router = express.Router();
  const numbered = [...searchRoutes(core), ...propertyRoutes(core), ...batchRoutes(core), ...changeRoutes(core), ...objectRoutes(core), ...associationRoutes(core), ...pipelineRoutes(), ...accountRoutes(core)];
  for (const route of [...numbered, ...datedRoutes(numbered)]) mountApiRoute(router, core, route);
  for (const route of oauthRoutes(core)) mountPublicRoute(router, core, route);
  app.use(router);
  app.use((req, res) => {
    const correlationId = crypto.randomUUID();
    writeReply(res, {
      status: 404,
      body: notFound(`No route for ${req.method} ${req.path}`).body(correlationId),
      headers: { [CORRELATION_HEADER]: correlationId },
    });
  });
  const onError: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
    const correlationId = crypto.randomUUID();
    const status = typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number' ? error.status : 500;
    const message = error instanceof Error ? error.message : 'internal error';
    const e = status >= 500 ? new HubSpotError(500, 'INTERNAL_ERROR', 'internal error') : new HubSpotError(status, 'VALIDATION_ERROR', message);
    writeReply(res, { status: e.status, body: e.body(correlationId), headers: { [CORRELATION_HEADER]: correlationId } });
  };
  app.use(onError);
  return app;
}
