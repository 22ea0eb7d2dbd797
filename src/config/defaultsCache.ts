/**
 * config/default.yaml as JSON, kept by the hash of its text in the package's node_modules/.cache/: every
 * command reads the defaults, and loading the yaml library and parsing the file cost about 70 ms of
 * each start, where reading the JSON costs well under one. Only the defaults are kept, never a user's
 * file (it may hold a webhook URL). The cache sits inside the package, so only who may change
 * default.yaml may change it; where it cannot be read or written, the file is parsed as before.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths.ts';

/** Where the JSON of this text of default.yaml is kept, or null without the package's node_modules. */
export function cacheFile(text: string): string | null {
  const modules = join(packageRoot(), 'node_modules');
  if (!existsSync(modules)) return null;
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 32);
  return join(modules, '.cache', 'lifecycle-sync', `default-config-${hash}.json`);
}

/** The defaults parsed from `text` by `parse`, from the cache when it holds them. */
export function cachedDefaults(text: string, parse: (text: string) => unknown): unknown {
  const file = cacheFile(text);
  if (file !== null && existsSync(file)) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as unknown;
    } catch {
      // A half-written or damaged entry: parse again and replace it.
    }
  }
  const value = parse(text);
  if (file !== null) {
    try {
      mkdirSync(join(file, '..'), { recursive: true });
      // Written aside and renamed, so that a concurrent start never reads half a file.
      const partial = `${file}.${process.pid}.tmp`;
      writeFileSync(partial, JSON.stringify(value));
      renameSync(partial, file);
    } catch {
      // A read-only installation: nothing is kept, the next start parses again.
    }
  }
  return value;
}
