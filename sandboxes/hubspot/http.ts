/** Request parsing and response writing shared by the routes: JSON bodies, zod errors, query lists. */
import type { Request, Response } from 'express';
import type { z } from 'zod';
import { badRequest } from './errors.ts';
import { rawBody } from '../shared/server.ts';

export { rawBody };

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export const JSON_CONTENT_TYPE = 'application/json;charset=utf-8';

/** Writes a reply. JSON always carries the exact content type the SDK needs; 204 has no body. */
export function writeReply(res: Response, reply: Reply): void {
  for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
  res.status(reply.status);
  if (reply.status === 204 || reply.body === undefined) {
    res.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  res.setHeader('Content-Type', JSON_CONTENT_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}


export function parseJsonBody(req: Request): unknown {
  const text = rawBody(req);
  if (text.trim() === '') throw badRequest('Invalid input JSON: No content to map due to end-of-input');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw badRequest(`Invalid input JSON: ${(e as Error).message}`);
  }
}

/**
 * Validates a parsed body against a zod schema. Missing required fields read like HubSpot's Java
 * deserialiser ("Cannot build X, some of required attributes are not set [a, b]").
 */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, modelName: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const record = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : undefined;
  const missing = result.error.issues
    .filter((i) => i.path.length === 1 && record !== undefined && record[String(i.path[0])] === undefined)
    .map((i) => String(i.path[0]));
  if (missing.length > 0) {
    throw badRequest(`Invalid input JSON: Cannot build ${modelName}, some of required attributes are not set [${missing.join(', ')}]`);
  }
  const first = result.error.issues[0];
  const where = first.path.length > 0 ? `${first.path.join('.')}: ` : '';
  throw badRequest(`Invalid input JSON: ${where}${first.message}`);
}

/** Validates query parameters (`req.query`); errors name the parameter. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const result = schema.safeParse(query);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  throw badRequest(`Invalid value for query parameter ${first.path.join('.') || '(query)'}: ${first.message}`);
}

/** A query parameter that may be repeated and/or comma separated (`?p=a,b` and `?p=a&p=b`). */
export function queryList(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const parts = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
  return parts.flatMap((p) => p.split(',')).map((p) => p.trim()).filter((p) => p !== '');
}

/** A single-valued query parameter (the last one wins if repeated). */
export function queryValue(value: unknown): string | undefined {
  if (Array.isArray(value)) return queryValue(value[value.length - 1]);
  return typeof value === 'string' ? value : undefined;
}

export function queryBool(value: unknown, name: string): boolean {
  const v = queryValue(value);
  if (v === undefined || v === '') return false;
  if (v === 'true' || v === 'false') return v === 'true';
  throw badRequest(`Invalid value for query parameter ${name}: ${v}`);
}

let lastMs = NaN;
let lastIso = '';

/** ISO-8601 with millis and Z. Memoised for the last value: bulk writes stamp the same millisecond. */
export function iso(ms: number): string {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
}
