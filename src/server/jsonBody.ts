/**
 * Request bodies of the admin API: JSON or nothing. express.json() skips a body of any other type, so
 * `curl -d '{"dryRun": true}' …` (sent as a form) used to arrive as "no body" and start a real sync.
 * A request that carries a body must say it is JSON; one without a body (Content-Length 0, e.g.
 * `curl -X POST`) means `{}`. Charset and content-encoding problems are express.json's (415 or 400,
 * mapped in errors.ts).
 */
import express, { type RequestHandler } from 'express';
import { HttpError } from './errors.ts';

const JSON_TYPE = 'application/json';

/** 415 for any request with a body that is not application/json (whatever its method). */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  // type-is counts "Content-Length: 0" as a body; here it is none. A chunked body may hold anything.
  const length = req.get('content-length');
  const hasBody = req.get('transfer-encoding') !== undefined || (length !== undefined && length.trim() !== '0');
  if (hasBody && !req.is(JSON_TYPE)) {
    const given = req.get('content-type');
    next(new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `send the request body as JSON with "Content-Type: ${JSON_TYPE}" (got ${given ? `"${given.slice(0, 100)}"` : 'no content type'})`));
    return;
  }
  next();
};

/** The admin API's body handling: the type check, then the parser. */
export function jsonBody(): RequestHandler[] {
  return [requireJsonBody, express.json({ limit: '16kb', type: JSON_TYPE })];
}
