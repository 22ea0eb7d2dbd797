/**
 * Logging: JSON lines when not on a terminal (machines read them), readable lines on a terminal.
 * Secrets never reach the output: values of secret-looking keys are replaced, and token-shaped strings
 * inside messages are masked, whatever the caller passes.
 */
import winston from 'winston';

export type Logger = winston.Logger;

const SECRET_KEY = /(token|secret|password|authorization|api[-_]?key|refresh|assertion|private[-_]?key|cookie|code_verifier|client_secret)/i;
/** Bearer headers, JWTs, HubSpot private-app tokens and long opaque strings after a secret-looking key. */
const SECRET_TEXT: [RegExp, string][] = [
  [/(Bearer\s+)[\w.~+/=-]+/gi, '$1[redacted]'],
  [/\beyJ[\w-]+\.[\w-]+\.[\w-]+/g, '[redacted-jwt]'],
  [/\bpat-[a-z0-9]+-[\w-]+/gi, '[redacted-token]'],
  [/((?:access_token|refresh_token|client_secret|code|assertion|token)=)[^&\s"]+/gi, '$1[redacted]'],
];

export function redactText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_TEXT) out = out.replace(pattern, replacement);
  return out;
}

/** A deep copy of `value` with secret-looking keys' values replaced and secret text masked. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Error) return { name: value.name, message: redactText(value.message) };
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) && v !== null && v !== undefined && v !== '' ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}

const redactFormat = winston.format((info) => {
  for (const key of Object.keys(info)) {
    const value: unknown = info[key];
    if (key === 'level') continue;
    info[key] = SECRET_KEY.test(key) && typeof value === 'string' && value !== '' ? '[redacted]' : redact(value);
  }
  return info;
});

export interface LoggerOptions {
  level?: string;
  /** Readable lines instead of JSON (default: when stderr is a terminal). */
  pretty?: boolean;
  /** Extra destination (tests capture logs this way). */
  stream?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const pretty = options.pretty ?? Boolean(process.stderr.isTTY);
  const format = pretty
    ? winston.format.combine(
        redactFormat(),
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
    : winston.format.combine(redactFormat(), winston.format.timestamp(), winston.format.json());
  const transports: winston.transport[] = [new winston.transports.Stream({ stream: options.stream ?? process.stderr })];
  return winston.createLogger({ level: options.level ?? process.env.LOG_LEVEL ?? 'info', format, transports });
}

/** A logger that drops everything (tests and library use without output). */
export function silentLogger(): Logger {
  return winston.createLogger({ silent: true, transports: [new winston.transports.Console({ silent: true })] });
}
