/**
 * Logging: JSON lines when not on a terminal or in production (machines read them), readable lines on a
 * terminal. Secrets never reach the output: values of secret-looking keys are replaced, token-shaped
 * strings inside messages are masked, and the secrets the process was configured with are masked
 * wherever they appear, whatever the caller passes. Lines logged while a run is in progress carry its
 * run id, also from code that only has the base logger (connectors), through an async context.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import winston from 'winston';
import { redactSecrets } from '../connectors/contract/index.ts';
import { environmentSecrets, knownSecrets } from './secrets.ts';

export type Logger = winston.Logger;

const SECRET_KEY = /(token|secret|password|authorization|api[-_]?key|refresh|assertion|private[-_]?key|cookie|code_verifier|client_secret)/i;

/**
 * A deep copy of `value` with secret-looking keys' values replaced and token-shaped text and `secrets`
 * masked (the shapes are connectors/contract/redact.ts's, shared with every other exit).
 */
function redact(value: unknown, depth = 0, secrets: Iterable<string> = []): unknown {
  if (typeof value === 'string') return redactSecrets(value, secrets);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1, secrets));
  if (value instanceof Error) return { name: value.name, message: redactSecrets(value.message, secrets) };
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) && v !== null && v !== undefined && v !== '' ? '[redacted]' : redact(v, depth + 1, secrets);
  }
  return out;
}

/** Fields added to every line logged inside `withLogContext` (the run id of the run in progress). */
const logContext = new AsyncLocalStorage<Record<string, string>>();

export function withLogContext<T>(fields: Record<string, string>, fn: () => T): T {
  return logContext.run({ ...logContext.getStore(), ...fields }, fn);
}

const contextFormat = winston.format((info) => {
  const fields = logContext.getStore();
  if (fields) for (const [key, value] of Object.entries(fields)) info[key] ??= value;
  return info;
});

/** The run-context format alone (a run's thread forwards its lines to the server's logger with it). */
export function withLogContextFormat(): winston.Logform.Format {
  return contextFormat();
}

/** Masks by key name and token shape, plus the logger's own secrets and every secret the process has learnt since. */
function redactFormat(secrets: readonly string[]) {
  return winston.format((info) => {
    const all = [...secrets, ...knownSecrets()];
    for (const key of Object.keys(info)) {
      const value: unknown = info[key];
      if (key === 'level') continue;
      info[key] = SECRET_KEY.test(key) && typeof value === 'string' && value !== '' ? '[redacted]' : redact(value, 0, all);
    }
    return info;
  })();
}

export { environmentSecrets } from './secrets.ts';

export interface LoggerOptions {
  level?: string;
  /** Readable lines instead of JSON (default: LOG_FORMAT, else when stderr is a terminal outside production). */
  pretty?: boolean;
  /** Extra destination (tests capture logs this way). */
  stream?: NodeJS.WritableStream;
  /** Exact values to mask wherever they appear (see environmentSecrets). */
  secrets?: readonly string[];
}

function prettyByDefault(): boolean {
  if (process.env.LOG_FORMAT === 'json') return false;
  if (process.env.LOG_FORMAT === 'pretty') return true;
  return Boolean(process.stderr.isTTY) && process.env.NODE_ENV !== 'production';
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const pretty = options.pretty ?? prettyByDefault();
  const redaction = redactFormat(options.secrets ?? environmentSecrets(process.env));
  const format = pretty
    ? winston.format.combine(
        contextFormat(),
        redaction,
        winston.format.timestamp({ format: 'HH:mm:ss' }),
        winston.format.printf((info) => {
          const { level, message, timestamp, ...rest } = info;
          const fields = Object.entries(rest)
            .filter(([k]) => typeof k === 'string')
            .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(' ');
          return `${String(timestamp)} ${level} ${String(message)}${fields ? ` ${fields}` : ''}`;
        }),
      )
    : winston.format.combine(contextFormat(), redaction, winston.format.timestamp(), winston.format.json());
  const transports: winston.transport[] = [new winston.transports.Stream({ stream: options.stream ?? process.stderr })];
  return winston.createLogger({ level: options.level ?? process.env.LOG_LEVEL ?? 'info', format, transports });
}

/** A logger that drops everything (tests and library use without output). */
export function silentLogger(): Logger {
  return winston.createLogger({ silent: true, transports: [new winston.transports.Console({ silent: true })] });
}
