/** The express application: raw bodies, every route, and Salesforce-shaped answers for the rest. */
import express, { type ErrorRequestHandler, type Express } from 'express';
import { mountApiRoute, mountPublicRoute } from './api.ts';
import { bulkRoutes } from './bulkRoutes.ts';
import { collectionRoutes } from './collectionRoutes.ts';
import type { Core } from './core.ts';
import { notFound } from './errors.ts';
import { writeReply } from './http.ts';
import { metadataRoutes } from './metadataRoutes.ts';
import { oauthRoutes } from './oauthRoutes.ts';
import { queryRoutes } from './queryRoutes.ts';
import { restRoutes } from './restRoutes.ts';
import { sobjectRoutes } from './sobjectRoutes.ts';
import type { ApiRoute } from './api.ts';

export function createApp(core: Core, extraRoutes: readonly ApiRoute[] = []): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Bodies stay raw: JSON, CSV (Bulk) and XML (Metadata) are each parsed by their routes.
  app.use(express.raw({ type: () => true, limit: '150mb' }));
  const router = express.Router();
  for (const route of oauthRoutes(core)) mountPublicRoute(router, core, route);
  for (const route of [...restRoutes(core), ...queryRoutes(core), ...sobjectRoutes(core), ...collectionRoutes(core), ...metadataRoutes(core), ...bulkRoutes(core), ...extraRoutes]) {
    mountApiRoute(router, core, route);
  }
  app.use(router);
  app.use((_req, res) => {
    writeReply(res, { status: 404, body: notFound().body() });
  });
  const onError: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
    const status = typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number' ? error.status : 500;
    writeReply(res, status === 413
      ? { status: 413, body: [{ errorCode: 'REQUEST_ENTITY_TOO_LARGE', message: 'The request body is too large' }] }
      : { status: 400, body: [{ errorCode: 'JSON_PARSER_ERROR', message: error instanceof Error ? error.message : 'invalid request' }] });
  };
  app.use(onError);
  return app;
}
