/**
 * The production build (`npm run build`: dist/, the published package, the container) carries no CRM
 * sandbox and no test: the sandboxes live in sandboxes/, for the demo, the tests and the benchmarks of a
 * clone. And the built CLI's `start` with nothing configured says how to configure a CRM, instead of a demo.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers.ts';

const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** The project's own files the build compiles, relative to the root (no library or lib.d.ts file). */
function buildFiles(): string[] {
  const out = execFileSync(process.execPath, [TSC, '-p', 'tsconfig.build.json', '--listFilesOnly'], { cwd: ROOT, encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((file) => relative(ROOT, file).split(sep).join('/'))
    .filter((file) => !file.startsWith('..') && !file.startsWith('node_modules/'));
}

/** The environment of a fresh machine (or a container): none of this shell's CRM settings. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(HUBSPOT_|SALESFORCE_|LIFECYCLE_SYNC_|ADMIN_TOKEN|ENCRYPTION_KEY|PUBLIC_URL|SYNC_|PORT|HOST)/.test(key)) env[key] = value;
  }
  return { ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
}

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  /** It started serving (and was stopped by the test). */
  served: boolean;
}

/** Runs the command to its end, or stops it as soon as it serves a page. */
function runUntilServed(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env });
    let stdout = '';
    let stderr = '';
    let served = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!served && /Admin page:|Lifecycle Sync admin:/.test(stdout)) {
        served = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, served }));
  });
}

describe('the production build', () => {
  it('compiles sources of src/ and connectors/ only: no sandbox, no test', () => {
    const files = buildFiles();
    expect(files).toContain('src/cli/main.ts');
    expect(files).toContain('src/service/runThread.ts');
    expect(files.filter((f) => f.startsWith('sandboxes/'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('bench/') || /\.test\.ts$/.test(f))).toEqual([]);
    expect(files.filter((f) => !f.startsWith('src/') && !f.startsWith('connectors/'))).toEqual([]);
  });

  describe('its CLI', () => {
    // Built inside the clone's tmp/ (the CLI finds its package root, config/ and node_modules by walking up),
    // without type checking: `npm run typecheck` does that; here only what is emitted matters.
    let outDir = '';
    beforeAll(() => {
      mkdirSync(join(ROOT, 'tmp'), { recursive: true });
      outDir = mkdtempSync(join(ROOT, 'tmp', 'build-'));
      execFileSync(process.execPath, [TSC, '-p', 'tsconfig.build.json', '--noCheck', '--sourceMap', 'false', '--outDir', outDir], { cwd: ROOT });
    }, 60_000);
    afterAll(() => rmSync(outDir, { recursive: true, force: true }));

    it('`start` with no CRM configured exits 1 saying how to configure one, and that the demo runs from a clone', async () => {
      const result = await runUntilServed([join(outDir, 'src', 'cli', 'main.js'), 'start'], cleanEnv(), ROOT);
      expect(result.served).toBe(false);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^lifecycle-sync: no CRM is configured: /);
      expect(lines[0]).toMatch(/README/);
      expect(lines[0]).toMatch(/the demo runs from a clone of the repository \(`npm start`\)/);
    });
  });
});
