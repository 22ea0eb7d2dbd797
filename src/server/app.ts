/**
 * The admin server: health and metrics without auth, the admin API behind the admin token, the OAuth
 * install routes, and the admin page (static files; Chart.js served from node_modules, never a CDN).
 * Security headers by helmet with a strict Content-Security-Policy: the page has no inline script or
 * style, so nothing but this origin's own files runs.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express, { type Express, type RequestHandler, type Router } from 'express';
import helmet from 'helmet';
import { packageRoot } from '../paths.ts';
import { redactJson } from '../secrets.ts';
import { requireAdminToken, requireBearerToken } from './auth.ts';
import type { AdminContext } from './context.ts';
import { errorHandler, notFound } from './errors.ts';
import { backtestRoutes } from './routes/backtest.ts';
import { customerListRoutes } from './routes/customerList.ts';
import { customerRoutes } from './routes/customers.ts';
import { dealRoutes } from './routes/deals.ts';
import { healthRoutes } from './routes/health.ts';
import { hubspotCardRoutes } from './routes/hubspotCard.ts';
import { jsonBody } from './jsonBody.ts';
import { installApiRoutes, installBrowserRoutes } from './routes/install.ts';
import { installationRoutes } from './routes/installations.ts';
import { modelRoutes } from './routes/model.ts';
import { prospectRoutes } from './routes/prospects.ts';
import { runRoutes } from './routes/runs.ts';
import { settingsRoutes } from './routes/settings.ts';
import { statusRoutes } from './routes/status.ts';
import { syncRoutes } from './routes/sync.ts';
import { exportRoutes } from './routes/exports.ts';
import { historyRoutes } from './routes/history.ts';
import { jobRoutes } from './routes/jobs.ts';
import { flowRoutes } from './routes/flow.ts';
import { writeRoutes } from './routes/writes.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { defaultScope, pathScope, type ScopeOf } from './scope.ts';

/** The admin page's files (a top-level folder, so the published package and the image carry them). */
export function webRoot(): string {
  return join(packageRoot(), 'web');
}

/** chart.js's dist/ folder (its exports map hides the UMD file, so from the package's main entry). */
function chartJsDir(): string {
  return dirname(createRequire(import.meta.url).resolve('chart.js'));
}

function requestLog(ctx: AdminContext): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // The path only: query strings can carry OAuth codes and tickets.
      ctx.log.debug('http', { method: req.method, path: req.path, status: res.statusCode, ms: Number((process.hrtime.bigint() - started) / 1_000_000n) });
    });
    next();
  };
}

/**
 * Every JSON answer (API results, errors, /readyz) goes through the process's redactor: text from a CRM
 * or a proxy can carry a token, and this is the one way the server's text leaves it.
 */
const redactAnswers: RequestHandler = (_req, res, next) => {
  const json = res.json.bind(res);
  res.json = (body: unknown) => json(redactJson(body));
  next();
};

/** Everything under /api: the admin token first, then the routes, then a JSON 404. */
export function adminApiRouter(ctx: AdminContext): Router {
  const api = express.Router();
  api.use(requireAdminToken(ctx.adminToken));
  api.use(jsonBody());
  api.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  const perInstallation = (scopeOf: ScopeOf) => [statusRoutes(ctx, scopeOf), runRoutes(ctx, scopeOf), syncRoutes(ctx, scopeOf), customerListRoutes(ctx, scopeOf), customerRoutes(ctx, scopeOf), dealRoutes(ctx, scopeOf), modelRoutes(ctx, scopeOf), prospectRoutes(ctx, scopeOf), backtestRoutes(ctx, scopeOf), jobRoutes(ctx, scopeOf), historyRoutes(ctx, scopeOf), exportRoutes(ctx, scopeOf), flowRoutes(ctx, scopeOf), writeRoutes(ctx, scopeOf), settingsRoutes(ctx, scopeOf)];
  api.use(installApiRoutes(ctx), installationRoutes(ctx));
  // Each installation's routes under its id; the same routes unscoped for the default installation.
  api.use('/installations/:installationId', ...perInstallation(pathScope(ctx)));
  api.use(...perInstallation(defaultScope(ctx)));
  api.use(notFound);
  return api;
}

export function createAdminApp(ctx: AdminContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(requestLog(ctx));
  app.use(redactAnswers);
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          fontSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      referrerPolicy: { policy: 'no-referrer' },
    }),
  );

  app.use(healthRoutes(ctx));
  // Business figures: on a shared network, set METRICS_TOKEN (Prometheus sends it as a bearer token).
  const metricsAuth: RequestHandler = ctx.metricsToken ? requireBearerToken(ctx.metricsToken, 'METRICS_TOKEN') : (_req, _res, next) => next();
  app.get('/metrics', metricsAuth, async (_req, res) => {
    res.set('Content-Type', ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });

  // Signed by the CRM, not by the admin token; the raw body is kept for the signature.
  app.use(webhookRoutes(ctx));
  app.use('/api', adminApiRouter(ctx));
  // Outside the admin token: HubSpot's signature is the card's credential.
  app.use(hubspotCardRoutes(ctx));

  app.use(installBrowserRoutes(ctx));
  const chartJs = join(chartJsDir(), 'chart.umd.min.js');
  app.get('/vendor/chart.umd.min.js', (_req, res) => res.sendFile(chartJs, { maxAge: '1d' }));
  app.use(express.static(webRoot(), { index: 'index.html', maxAge: 0 }));
  app.use(notFound);
  app.use(errorHandler(ctx.log));
  return app;
}
