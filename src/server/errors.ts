/**
 * Errors of the admin API: always `{"error": {"code", "message"}}` with a status that fits the code.
 * Unexpected errors are logged and answered without their details.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ConnectorError } from '../../connectors/types.ts';
import { LifecycleSyncError, type ErrorCode } from '../errors.ts';
import type { Logger } from '../log.ts';

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
  }
}

const STATUS: Record<ErrorCode, number> = {
  CONFIG_INVALID: 500,
  CONFIG_NOT_FOUND: 500,
  INPUT_NOT_FOUND: 404,
  INPUT_INVALID: 400,
  INPUT_EMPTY: 400,
  SYNC_LOCKED: 409,
  NOT_CONFIGURED: 409,
  NOT_FOUND: 404,
  STORE_FAILED: 503,
  RUN_ABANDONED: 409,
};

export function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

function describe(error: unknown): { status: number; code: string; message: string } | null {
  if (error instanceof HttpError) return { status: error.status, code: error.code, message: error.message };
  if (error instanceof LifecycleSyncError) return { status: STATUS[error.code], code: error.code, message: error.message };
  // The CRM said no (credentials, quota, its own errors): the request was fine, the upstream was not.
  if (error instanceof ConnectorError) return { status: 502, code: error.code, message: error.message };
  // express.json(): a body that is not JSON, or too large.
  if (error instanceof SyntaxError && 'status' in error && error.status === 400) return { status: 400, code: 'INVALID_JSON', message: 'the request body is not valid JSON' };
  if (error instanceof Error && 'type' in error && error.type === 'entity.too.large') return { status: 413, code: 'BODY_TOO_LARGE', message: 'the request body is too large' };
  return null;
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    const known = describe(error);
    if (known) {
      res.status(known.status).json(errorBody(known.code, known.message));
      return;
    }
    log.error('admin request failed', { method: req.method, path: req.path, error: error instanceof Error ? error.message : String(error) });
    res.status(500).json(errorBody('INTERNAL', 'something went wrong on the server; see its logs'));
  };
}

export const notFound: RequestHandler = (req, res) => {
  res.status(404).json(errorBody('NOT_FOUND', `no route ${req.method} ${req.path}`));
};
