/**
 * The command as a user starts it: `npx lifecycle-sync` in a clone, typed in a shell whose Node may be
 * older than the project's (npm runs on that one), and the bin itself (bin/lifecycle-sync.js).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, sep } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.ts';

const BIN = join(ROOT, 'bin', 'lifecycle-sync.js');
const scratch = mkdtempSync(join(tmpdir(), 'lcs-startup-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * A shell's environment: this test runs under `npx vitest`, which put node_modules/.bin (the pinned
 * Node 24) first on PATH and set npm_* variables; a user's shell has neither, so npm runs on the
 * system's Node. A fresh npm cache makes npx set up the clone's command as on its first run there.
 */
function shellEnv(npmCache: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key)) env[key] = value;
  const path = (process.env.PATH ?? '').split(delimiter).filter((dir) => !dir.endsWith(`${sep}node_modules${sep}.bin`));
  return { ...env, PATH: path.join(delimiter), npm_config_cache: npmCache, npm_config_update_notifier: 'false', LIFECYCLE_SYNC_CONFIG: '' };
}

describe('npx lifecycle-sync in a clone', () => {
  it('prints the help and no npm engine warning, on its first run and after', async () => {
    const env = shellEnv(join(scratch, 'npm-cache'));
    for (const attempt of ['first', 'second']) {
      const result = await run('npx', ['lifecycle-sync', '--help'], env);
      expect(result.stderr, `${attempt} run`).not.toMatch(/EBADENGINE|Unsupported engine/);
      expect(result.code, `${attempt} run: ${result.stderr}`).toBe(0);
      expect(result.stdout).toMatch(/^Usage: lifecycle-sync /);
    }
  });
});

describe('bin/lifecycle-sync.js', () => {
  it('on a Node older than 24 says in one line which Node it needs, and stops', async () => {
    const olderNode = 'data:text/javascript,Object.defineProperty(process.versions, "node", { value: "20.19.0" })';
    const result = await run(process.execPath, ['--import', olderNode, BIN, '--help'], { ...process.env });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^lifecycle-sync: needs Node 24 or later, this is Node 20\.19\.0; /)]);
  });

  it("keeps Node's compile cache under the temporary directory, so the next start reuses it", async () => {
    const temp = join(scratch, 'tmp');
    const env = { ...process.env, TMPDIR: temp, NODE_COMPILE_CACHE: undefined, NODE_DISABLE_COMPILE_CACHE: undefined };
    mkdirSync(temp, { recursive: true });
    const result = await run(process.execPath, [BIN, '--help'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Usage: lifecycle-sync /);
    const cache = join(temp, 'node-compile-cache');
    const entries = readdirSync(cache, { recursive: true });
    expect(entries.length).toBeGreaterThan(10);
  });
});
