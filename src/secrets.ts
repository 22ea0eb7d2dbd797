/**
 * The process's redactor: token shapes (connectors/contract/redact.ts) plus the exact secrets this process knows
 * — the environment's secrets, the admin and metrics tokens, CRM credentials as they are loaded from or
 * saved to the store. Applied where text leaves the process: the admin server's JSON answers (errors,
 * /readyz, runs), the CLI's output, run messages and errors as the store writes them, and the logs. One
 * registry per process on purpose: a secret learnt anywhere is masked at every exit.
 */
import { redactSecrets } from '../connectors/contract/index.ts';

const known = new Set<string>();

/** Remembers values to mask from now on (unset, empty and short values are ignored). */
export function rememberSecrets(...values: (string | null | undefined)[]): void {
  for (const value of values) if (value) known.add(value);
}

/** The secrets in an environment that must never be logged (values of at least 8 characters). */
export function environmentSecrets(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(env)
    .filter(([key, value]) => value !== undefined && value.length >= 8 && /(TOKEN|SECRET|PASSWORD|ENCRYPTION_KEY|PRIVATE_KEY)/.test(key))
    .map(([, value]) => value ?? '');
}

/** The secrets known so far (the logger masks them too). */
export function knownSecrets(): ReadonlySet<string> {
  return known;
}

/** `text` with the known secrets and token shapes masked. */
export function redactOutput(text: string): string {
  return redactSecrets(text, known);
}

/** A deep copy of a JSON-like value with every string redacted (keys are ours, so they stay). */
export function redactJson(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactOutput(value);
  if (value === null || typeof value !== 'object' || depth > 32) return value;
  if (Array.isArray(value)) return value.map((v) => redactJson(v, depth + 1));
  if (value instanceof Date) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactJson(v, depth + 1)]));
}
