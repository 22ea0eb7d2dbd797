/** Request parsing and response writing shared by the routes. */
import type { Request, Response } from 'express';
import type { z } from 'zod';
import { badRequest } from './errors.ts';
import { rawBody } from '../shared/server.ts';

export { rawBody };

export interface Reply {
  status: number;
  /** JSON unless `text` is given. */
  body?: unknown;
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** Salesforce's JSON content type; jsforce picks its parser from it. */
export const JSON_CONTENT_TYPE = 'application/json;charset=UTF-8';

export function writeReply(res: Response, reply: Reply): void {
  for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
  res.status(reply.status);
  if (reply.text !== undefined) {
    res.setHeader('Content-Type', reply.contentType ?? 'text/plain;charset=UTF-8');
    res.setHeader('Content-Length', Buffer.byteLength(reply.text));
    res.end(reply.text);
    return;
  }
  if (reply.status === 204 || reply.body === undefined) {
    res.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  res.setHeader('Content-Type', reply.contentType ?? JSON_CONTENT_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}


/** A JSON body; unparsable JSON is Salesforce's JSON_PARSER_ERROR. */
export function parseJsonBody(req: Request): unknown {
  const text = rawBody(req);
  if (text.trim() === '') throw badRequest('JSON_PARSER_ERROR', 'The request body is either invalid or incomplete.');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw badRequest('JSON_PARSER_ERROR', `Unexpected character in the request body: ${(e as Error).message}`);
  }
}

/** Validates a parsed body; the first problem is reported like Salesforce's deserialiser does. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  const where = first.path.length > 0 ? `${first.path.join('.')}: ` : '';
  throw badRequest('JSON_PARSER_ERROR', `${where}${first.message}`);
}

/** A single-valued query parameter (the last one wins if repeated). */
export function queryValue(value: unknown): string | undefined {
  if (Array.isArray(value)) return queryValue(value[value.length - 1]);
  return typeof value === 'string' ? value : undefined;
}

/** A comma-separated query parameter (`?ids=a,b`), also accepted repeated. */
export function queryList(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const parts = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
  return parts.flatMap((p) => p.split(',')).map((p) => p.trim()).filter((p) => p !== '');
}
