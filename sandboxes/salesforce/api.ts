/**
 * The request pipeline every API route goes through:
 * counted → injected latency/faults → session (401) → API version (404) → daily allocation (403) →
 * handler, with the `Sforce-Limit-Info` header on REST answers.
 */
import type { Request, RequestHandler, Response, Router } from 'express';
import type { Session } from './auth.ts';
import type { Core } from './core.ts';
import { invalidSession, notFound, RecordErrors, requestLimitExceeded, SalesforceError } from './errors.ts';
import { rawBody, writeReply, type Reply } from './http.ts';
import { readEnvelope, soapFault, type SoapCall } from './soapEnvelope.ts';
import { versionOf } from './versions.ts';

export interface RouteContext {
  req: Request;
  params: Record<string, string>;
  session: Session;
  userId: string;
  /** '65.0' */
  version: string;
  now: number;
  /** Scheme, host and port the caller used: the instance URL. */
  baseUrl: string;
  /** The SOAP call, for Metadata API routes. */
  soap?: SoapCall;
}

export interface ApiRoute {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  path: string;
  kind: string | ((req: Request) => string);
  style?: 'rest' | 'soap';
  /** The first API version that has the resource. */
  minVersion?: number;
  handle(ctx: RouteContext): Reply | Promise<Reply>;
}

const SERVER_ERRORS: Record<500 | 503, { errorCode: string; message: string }> = {
  500: { errorCode: 'UNKNOWN_EXCEPTION', message: 'An unexpected error occurred. Please include this ErrorId if you contact support: 1093786617-11234 (-1436514323)' },
  503: { errorCode: 'SERVER_UNAVAILABLE', message: 'Server is temporarily unavailable, please try again later.' },
};

/** 'GET /services/data/{version}/sobjects/{sobject}/{id}': parameters left as {name}. */
export function routeKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path.replace(/:(\w+)/g, '{$1}').replace(/\*(\w+)/g, '{$1}')}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function baseUrlOf(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

/** An error thrown by a handler, as the route's style answers it. */
export function errorReply(error: unknown, style: 'rest' | 'soap'): Reply {
  if (style === 'soap') {
    const e = error instanceof SalesforceError ? error : new SalesforceError(500, 'UNKNOWN_EXCEPTION', 'An unexpected error occurred.');
    return { status: 500, text: soapFault(e.errorCode, e.message), contentType: 'text/xml;charset=UTF-8' };
  }
  if (error instanceof SalesforceError) return { status: error.status, body: error.body() };
  if (error instanceof RecordErrors) {
    return { status: 400, body: error.errors.map((e) => ({ message: e.message, errorCode: e.statusCode, fields: e.fields })) };
  }
  return { status: 500, body: [SERVER_ERRORS[500]] };
}

function bearer(req: Request): string | undefined {
  // Salesforce accepts the older `OAuth <token>` scheme as well as `Bearer <token>`.
  const m = /^(?:Bearer|OAuth)\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
  return m?.[1];
}

export function mountApiRoute(router: Router, core: Core, route: ApiRoute): void {
  const style = route.style ?? 'rest';
  const handler: RequestHandler = async (req: Request, res: Response) => {
    const params = req.params as Record<string, string>;
    const kind = typeof route.kind === 'string' ? route.kind : route.kind(req);
    core.stats.emit({ method: req.method, route: routeKey(route.method, route.path), kind });
    const { fault, delayMs } = core.faults.decide();
    if (delayMs > 0) await sleep(delayMs);
    let headers: Record<string, string> = {};
    try {
      switch (fault.kind) {
        case 'drop':
          core.stats.injected.drop++;
          req.socket.destroy();
          return;
        case '5xx':
          core.stats.injected[fault.status]++;
          if (style === 'soap' && fault.status === 500) throw new SalesforceError(500, SERVER_ERRORS[500].errorCode, SERVER_ERRORS[500].message);
          writeReply(res, { status: fault.status, body: [SERVER_ERRORS[fault.status]] });
          return;
        case 'invalidSession':
          core.stats.injected.invalidSession++;
          throw invalidSession();
        case 'requestLimit':
          core.stats.injected.requestLimit++;
          throw requestLimitExceeded();
        case 'none':
          break;
      }
      const soap = style === 'soap' ? readEnvelope(rawBody(req)) : undefined;
      if (style === 'soap' && soap === undefined) throw new SalesforceError(500, 'INVALID_REQUEST', 'could not read the SOAP envelope');
      let session: Session;
      try {
        session = core.auth.authenticate(style === 'soap' ? soap?.sessionId : bearer(req));
      } catch (e) {
        core.stats.rejected.invalidSession++;
        // The Metadata API names the header it read the session from.
        if (style === 'soap') throw new SalesforceError(500, 'INVALID_SESSION_ID', 'Invalid Session ID found in SessionHeader: Illegal Session');
        throw e;
      }
      // REST paths say v65.0; the SOAP endpoint says 65.0.
      const version = (style === 'soap' ? versionOf(`v${params.version ?? ''}`) : versionOf(params.version ?? '')) ?? '';
      if (!core.versions.has(version) || (route.minVersion !== undefined && Number(version) < route.minVersion)) throw notFound();
      const now = core.clock();
      if (!core.usage.admit(now)) {
        core.stats.rejected.requestLimit++;
        throw requestLimitExceeded();
      }
      core.stats.apiRequests++;
      if (style === 'rest') headers = { 'Sforce-Limit-Info': core.usage.header(now) };
      const reply = await route.handle({ req, params, session, userId: session.userId, version, now, baseUrl: baseUrlOf(req), ...(soap === undefined ? {} : { soap }) });
      writeReply(res, { ...reply, headers: { ...headers, ...reply.headers } });
    } catch (error) {
      const reply = errorReply(error, style);
      writeReply(res, { ...reply, headers: { ...headers, ...reply.headers } });
    }
  };
  router[route.method](route.path, handler);
}

/** Routes outside the API pipeline (OAuth, identity, the versions list): counted, never faulted or limited. */
export interface PublicRoute {
  method: 'get' | 'post';
  path: string;
  kind: string;
  handle(req: Request, baseUrl: string): Reply;
}

export function mountPublicRoute(router: Router, core: Core, route: PublicRoute): void {
  router[route.method](route.path, (req: Request, res: Response) => {
    core.stats.emit({ method: req.method, route: routeKey(route.method, route.path), kind: route.kind });
    try {
      writeReply(res, route.handle(req, baseUrlOf(req)));
    } catch (error) {
      writeReply(res, errorReply(error, 'rest'));
    }
  });
}
