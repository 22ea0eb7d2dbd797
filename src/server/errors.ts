/**
 * Errors of the admin API: always `{"error": {"code", "message"}}` with a status that fits the code.
 * Unexpected errors are logged and answered without their details.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import { ConnectorError } from '../../connectors/contract/index.ts';
import { LifecycleSyncError, type ErrorCode } from '../errors.ts';
import type { Logger } from '../log.ts';

/** A problem with one field of the request (a setting's dotted path): the page shows it beside the field. */
export interface FieldProblem {
  field: string;
  message: string;
}

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: FieldProblem[] | undefined;
  constructor(status: number, code: string, message: string, fields?: FieldProblem[]) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.fields = fields;
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
  INSTALLATION_REQUIRED: 409,
  NOT_FOUND: 404,
  STORE_FAILED: 503,
  RUN_ABANDONED: 409,
};

export function errorBody(code: string, message: string, fields?: FieldProblem[]) {
  return { error: fields ? { code, message, fields } : { code, message } };
}

function describe(error: unknown): { status: number; code: string; message: string; fields?: FieldProblem[] } | null {
  if (error instanceof HttpError) return { status: error.status, code: error.code, message: error.message, fields: error.fields };
  if (error instanceof LifecycleSyncError) return { status: STATUS[error.code], code: error.code, message: error.message };
  // The CRM said no (credentials, quota, its own errors): the request was fine, the upstream was not.
  if (error instanceof ConnectorError) return { status: error.code === 'NOT_CONFIGURED' ? 409 : 502, code: error.code, message: error.message };
  const body = bodyParserError.safeParse(error);
  if (error instanceof Error && body.success) return bodyError(body.data);
  return null;
}

/** What express.json() (body-parser) throws: http-errors with a client status and a `type`. */
const bodyParserError = z.object({ status: z.number().int().min(400).max(499), type: z.string().optional(), charset: z.string().optional(), encoding: z.string().optional() });

/** A body the server cannot read is the client's mistake (4xx), never a 500; the words are ours. */
function bodyError(e: z.infer<typeof bodyParserError>): { status: number; code: string; message: string } {
  switch (e.type) {
    case 'entity.parse.failed':
      return { status: 400, code: 'INVALID_JSON', message: 'the request body is not valid JSON' };
    case 'entity.too.large':
      return { status: 413, code: 'BODY_TOO_LARGE', message: 'the request body is too large' };
    case 'charset.unsupported':
      return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: `the request body's charset${e.charset ? ` "${e.charset.slice(0, 40)}"` : ''} is not supported: send JSON in UTF-8` };
    case 'encoding.unsupported':
      return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: `the request body's content encoding${e.encoding ? ` "${e.encoding.slice(0, 40)}"` : ''} is not supported: send it uncompressed, or gzip, deflate or br` };
    default:
      // Aborted, of the wrong length, or not decompressible.
      return { status: 400, code: 'INVALID_BODY', message: 'the request body could not be read' };
  }
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    const known = describe(error);
    if (known) {
      res.status(known.status).json(errorBody(known.code, known.message, known.fields));
      return;
    }
    log.error('admin request failed', { method: req.method, path: req.path, error: error instanceof Error ? error.message : String(error) });
    res.status(500).json(errorBody('INTERNAL', 'something went wrong on the server; see its logs'));
  };
}

export const notFound: RequestHandler = (req, res) => {
  res.status(404).json(errorBody('NOT_FOUND', `no route ${req.method} ${req.path}`));
};
