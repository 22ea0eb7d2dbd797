/**
 * Bearer tokens: the admin API's and, when set, the metrics endpoint's. Compared in constant time: both
 * sides are hashed first, so neither the content nor the length of the token leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { errorBody } from './errors.ts';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

export function tokenMatches(expected: string, given: string): boolean {
  return timingSafeEqual(digest(expected), digest(given));
}

/** 401 unless the request carries `Authorization: Bearer <token>`; `name` is the variable that holds it. */
export function requireBearerToken(token: string, name: string): RequestHandler {
  return (req, res, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    if (match && tokenMatches(token, match[1])) return next();
    const what = name === 'ADMIN_TOKEN' ? 'the admin token' : `the ${name} token`;
    res
      .status(401)
      .set('WWW-Authenticate', 'Bearer realm="lifecycle-sync"')
      .json(errorBody('UNAUTHORIZED', match ? `${what} is not valid` : `send ${what} as "Authorization: Bearer <${name}>"`));
  };
}

export function requireAdminToken(adminToken: string): RequestHandler {
  return requireBearerToken(adminToken, 'ADMIN_TOKEN');
}
