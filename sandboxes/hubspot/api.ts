/**
 * The request pipeline every CRM route goes through, in HubSpot's order as far as it is observable:
 * counted → injected latency/faults → authentication (401) → rate limits (429) → scopes (403) → handler.
 */
import type { Request, RequestHandler, Response, Router } from 'express';
import { requireScope, type Principal } from './auth.ts';
import type { Core } from './core.ts';
import { HubSpotError, rateLimitBody, serverErrorBody } from './errors.ts';
import { writeReply, type Reply } from './http.ts';

export interface RouteContext {
  req: Request;
  params: Record<string, string>;
  principal: Principal;
  now: number;
  /** Scheme, host and port the caller used (for paging links). */
  baseUrl: string;
  /** The date-based version of the path (2026-03, 2026-09), or null on a numbered one (v3, v4). */
  version: string | null;
}

export interface ApiRoute {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  /** Search has its own limiter and sends no rate-limit headers. */
  search?: boolean;
  /** Set on the date-based copies of a route (versions.ts). */
  version?: string;
  /** Any one of these scopes is enough. */
  scopes(params: Record<string, string>): readonly string[];
  handle(ctx: RouteContext): Reply;
}

export const CORRELATION_HEADER = 'X-HubSpot-Correlation-Id';

/** 'POST /crm/v3/objects/contacts/batch/update': object types filled in, record ids left as {name}. */
function routeKey(route: { method: string; path: string }, params: Record<string, string>): string {
  const path = route.path.replace(/:(\w+)/g, (_m, name: string) =>
    /objecttype$/i.test(name) && params[name] !== undefined ? params[name] : `{${name}}`);
  return `${route.method.toUpperCase()} ${path}`;
}

function count(core: Core, key: string): void {
  core.stats.requests++;
  core.stats.byRoute[key] = (core.stats.byRoute[key] ?? 0) + 1;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function baseUrl(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

export function errorReply(error: unknown, correlationId: string, headers: Record<string, string> = {}): Reply {
  if (error instanceof HubSpotError) return { status: error.status, body: error.body(correlationId), headers };
  return { status: 500, body: serverErrorBody(500, correlationId), headers };
}

export function mountApiRoute(router: Router, core: Core, route: ApiRoute): void {
  const handler: RequestHandler = async (req: Request, res: Response) => {
    const correlationId = crypto.randomUUID();
    const params = req.params as Record<string, string>;
    count(core, routeKey(route, params));
    const { fault, delayMs } = core.faults.decide();
    if (delayMs > 0) await sleep(delayMs);
    const base = { [CORRELATION_HEADER]: correlationId };
    switch (fault.kind) {
      case 'drop':
        core.stats.injected.drop++;
        req.socket.destroy();
        return;
      case '5xx':
        core.stats.injected['5xx']++;
        writeReply(res, { status: fault.status, body: serverErrorBody(fault.status, correlationId), headers: base });
        return;
      case '429':
        core.stats.injected['429']++;
        writeReply(res, { status: 429, body: rateLimitBody('TEN_SECONDLY_ROLLING', correlationId), headers: base });
        return;
      case 'none':
        break;
    }
    let headers: Record<string, string> = base;
    try {
      const principal = core.auth.authenticate(req.get('authorization'));
      const now = core.clock();
      const decision = core.limiter.admit(principal, now, route.search === true);
      headers = { ...base, ...decision.headers };
      if (!decision.ok) {
        core.stats.rateLimited[decision.policy]++;
        writeReply(res, { status: 429, body: rateLimitBody(decision.policy, correlationId), headers });
        return;
      }
      requireScope(principal, route.scopes(params));
      // The handler is synchronous: the changes it makes are this principal's (webhooks name who made them).
      core.actor = principal;
      let reply: Reply;
      try {
        reply = route.handle({ req, params, principal, now, baseUrl: baseUrl(req), version: route.version ?? null });
      } finally {
        core.actor = null;
      }
      writeReply(res, { ...reply, headers: { ...headers, ...reply.headers } });
    } catch (error) {
      writeReply(res, errorReply(error, correlationId, headers));
    }
  };
  router[route.method](route.path, handler);
}

/** Routes without bearer auth or rate limits (OAuth): counted, never faulted. */
export interface PublicRoute {
  method: 'get' | 'post';
  path: string;
  handle(req: Request, baseUrl: string): Reply;
}

export function mountPublicRoute(router: Router, core: Core, route: PublicRoute): void {
  router[route.method](route.path, (req: Request, res: Response) => {
    const correlationId = crypto.randomUUID();
    count(core, routeKey(route, req.params as Record<string, string>));
    const headers = { [CORRELATION_HEADER]: correlationId };
    try {
      const reply = route.handle(req, baseUrl(req));
      writeReply(res, { ...reply, headers: { ...headers, ...reply.headers } });
    } catch (error) {
      writeReply(res, errorReply(error, correlationId, headers));
    }
  });
}
