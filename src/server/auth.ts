/**
 * The admin API's bearer token. Compared in constant time: both sides are hashed first, so neither the
 * content nor the length of the token leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { errorBody } from './errors.ts';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

export function tokenMatches(expected: string, given: string): boolean {
  return timingSafeEqual(digest(expected), digest(given));
}

export function requireAdminToken(adminToken: string): RequestHandler {
  return (req, res, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    if (match && tokenMatches(adminToken, match[1])) return next();
    res
      .status(401)
      .set('WWW-Authenticate', 'Bearer realm="lifecycle-sync"')
      .json(errorBody('UNAUTHORIZED', match ? 'the admin token is not valid' : 'send the admin token as "Authorization: Bearer <ADMIN_TOKEN>"'));
  };
}
