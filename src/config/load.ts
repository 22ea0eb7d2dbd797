/**
 * Loads config/default.yaml, deep-merges the user's file over it (objects merge, everything else
 * replaces) and validates the result. Errors name the file, the key and the problem, quoting values
 * cut short. A file or a section with nothing in it (empty, or every line commented out) overrides
 * nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as Yaml from 'yaml';
import { z } from 'zod';
import { excerpt, quoted } from '../../connectors/contract/index.ts';
import { LifecycleSyncError } from '../errors.ts';
import { packageRoot } from '../paths.ts';
import { cachedDefaults } from './defaultsCache.ts';
import { configSchema, type Config } from './schema.ts';

/** The yaml library, loaded when a file is parsed: with the defaults cached, most starts parse none. */
const yaml = (): typeof Yaml => createRequire(import.meta.url)('yaml') as typeof Yaml;

export interface LoadConfigOptions {
  /** The user's file; else LIFECYCLE_SYNC_CONFIG from `env`; else defaults only. */
  file?: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** Overrides applied last, e.g. from command-line flags. */
  overrides?: Record<string, unknown>;
}

export function defaultConfigPath(): string {
  return join(packageRoot(), 'config', 'default.yaml');
}

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const file = options.file ?? options.env?.LIFECYCLE_SYNC_CONFIG;
  const defaultsPath = defaultConfigPath();
  const defaults = cachedDefaults(readFileSync(defaultsPath, 'utf8'), (text) => parseYaml(text, defaultsPath));
  let merged = defaults;
  if (file) {
    if (!existsSync(file)) throw new LifecycleSyncError('CONFIG_NOT_FOUND', `config file not found: ${file}`);
    merged = deepMerge(merged, userSettings(readYaml(file), file));
  }
  if (options.overrides) merged = deepMerge(merged, options.overrides);
  return validateConfig(merged, file ?? defaultConfigPath());
}

export function validateConfig(value: unknown, source: string): Config {
  const result = configSchema().safeParse(value);
  if (result.success) return result.data;
  throw new LifecycleSyncError('CONFIG_INVALID', `invalid config (${source}): ${describeIssues(result.error, value)}`);
}

/** "classifier.rules.atRiskMaxPAlive: must be between 0 and 1 (got 2)"; several joined by "; ". */
export function describeIssues(error: z.ZodError, input: unknown): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.') || '(root)';
      if (issue.code === 'unrecognized_keys') {
        return `${path === '(root)' ? '' : `${path}: `}unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => quoted(k)).join(', ')}`;
      }
      const got = valueAt(input, issue.path);
      const shown = got === undefined ? 'nothing' : typeof got === 'string' ? quoted(got) : excerpt(JSON.stringify(got) ?? typeof got);
      return `${path}: ${issue.message} (got ${shown})`;
    })
    .join('; ');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function readYaml(path: string): unknown {
  return parseYaml(readFileSync(path, 'utf8'), path);
}

function parseYaml(text: string, path: string): unknown {
  const doc = yaml().parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const line = first.linePos?.[0].line;
    throw new LifecycleSyncError('CONFIG_INVALID', `invalid YAML in ${path}${line ? ` at line ${line}` : ''}: ${excerpt(first.message.split('\n')[0], 200)}`);
  }
  return doc.toJS() as unknown;
}

/** The user's file as overrides: an empty document is none; anything but a mapping is an error. */
function userSettings(value: unknown, file: string): unknown {
  if (value === null || value === undefined) return {};
  if (isPlainObject(value)) return value;
  const got = Array.isArray(value) ? 'a list' : `${typeof value} ${excerpt(JSON.stringify(value) ?? '')}`;
  throw new LifecycleSyncError('CONFIG_INVALID', `invalid config (${file}): expected a mapping of settings (key: value), got ${got}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * `override` over `base`: objects merge key by key, anything else replaces. An empty section (YAML
 * null: a key whose lines are all commented out) over an object keeps the object.
 */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (override === undefined || (override === null && isPlainObject(base))) return base;
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = deepMerge(base[key], value);
  return out;
}
