/**
 * `npm run deps:check`: what can be known about the production dependencies from here.
 *
 * 1. The installed tree is the one the lockfile asks for (`npm ls --omit=dev`): nothing missing or invalid.
 * 2. Known vulnerabilities (`npm audit --omit=dev`), when the registry's advisory endpoint answers.
 *    Some registries and mirrors refuse it (405): then this says plainly that vulnerabilities were NOT
 *    checked and how to check them elsewhere, instead of passing silently.
 * 3. Deprecations, read from each installed version's own manifest on the registry (which answers where
 *    the advisory endpoint does not): a deprecated version is often one with a known flaw.
 *
 * Exit 1 when the tree is invalid or the audit reports a vulnerability at or above `--level`
 * (default high); deprecations are reported, and fail only with `--strict`.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { z } from 'zod';

const run = promisify(execFile);
const args = process.argv.slice(2);
const level = args.includes('--level') ? args[args.indexOf('--level') + 1] : 'high';
const strict = args.includes('--strict');
const LEVELS = ['info', 'low', 'moderate', 'high', 'critical'];
if (!LEVELS.includes(level ?? '')) {
  console.error(`--level must be one of ${LEVELS.join(', ')}`);
  process.exit(2);
}
const registry = (process.env.npm_config_registry ?? 'https://registry.npmjs.org/').replace(/\/?$/, '/');

/** A command's output whatever its exit code (npm ls and npm audit exit 1 when they find something). */
async function output(command: string, commandArgs: string[]): Promise<{ stdout: string; stderr: string; failed: boolean }> {
  try {
    const { stdout, stderr } = await run(command, commandArgs, { maxBuffer: 64 * 1024 * 1024 });
    return { stdout, stderr, failed: false };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', failed: true };
  }
}

interface TreeNode {
  version?: string;
  dependencies?: Record<string, TreeNode>;
}
const treeNode: z.ZodType<TreeNode> = z.lazy(() => z.object({ version: z.string().optional(), dependencies: z.record(z.string(), treeNode).optional() }).passthrough());
const lsSchema = z.object({ problems: z.array(z.string()).optional(), dependencies: z.record(z.string(), treeNode).optional() }).passthrough();

function collect(deps: Record<string, TreeNode> | undefined, into: Map<string, string>): void {
  for (const [name, node] of Object.entries(deps ?? {})) {
    if (node.version && !into.has(`${name}@${node.version}`)) into.set(`${name}@${node.version}`, name);
    collect(node.dependencies, into);
  }
}

let failed = false;

// 1. The installed production tree.
const ls = lsSchema.parse(JSON.parse((await output('npm', ['ls', '--omit=dev', '--all', '--json'])).stdout || '{}'));
// Extraneous packages are leftovers of dev installs (e.g. the pinned Node's own setup), not production problems.
const problems = (ls.problems ?? []).filter((p) => !p.startsWith('extraneous:'));
const installed = new Map<string, string>();
collect(ls.dependencies, installed);
if (problems.length > 0) {
  failed = true;
  console.log(`✗ installed tree: ${problems.length} problems\n  ${problems.join('\n  ')}`);
} else console.log(`✓ installed tree: ${installed.size} production packages as the lockfile asks`);

// 2. Known vulnerabilities.
const auditSchema = z.object({ metadata: z.object({ vulnerabilities: z.record(z.string(), z.number()) }).passthrough(), vulnerabilities: z.record(z.string(), z.object({ severity: z.string(), via: z.array(z.unknown()) }).passthrough()) }).passthrough();
const audit = await output('npm', ['audit', '--omit=dev', '--json']);
const auditJson: unknown = (() => {
  try {
    return JSON.parse(audit.stdout) as unknown;
  } catch {
    return null;
  }
})();
const parsedAudit = auditSchema.safeParse(auditJson);
if (parsedAudit.success) {
  const serious = Object.entries(parsedAudit.data.vulnerabilities).filter(([, v]) => LEVELS.indexOf(v.severity) >= LEVELS.indexOf(level ?? 'high'));
  const counts = Object.entries(parsedAudit.data.metadata.vulnerabilities).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ') || 'none';
  if (serious.length > 0) {
    failed = true;
    console.log(`✗ npm audit: ${counts}; at or above ${level}: ${serious.map(([name, v]) => `${name} (${v.severity})`).join(', ')}`);
  } else console.log(`✓ npm audit: ${counts} at or above ${level}`);
} else {
  const refused = z.object({ message: z.string() }).safeParse(auditJson);
  const why = refused.success ? refused.data.message : (audit.stderr.split('\n').find((l) => l.includes('error')) ?? 'no answer');
  console.log(
    `! npm audit: the registry's advisory endpoint did not answer (${why.trim()}): vulnerabilities were NOT checked here.\n` +
      '  Check them where it answers (`npm audit --omit=dev`, e.g. in a CI job with internet access), or against the lockfile with\n' +
      '  OSV (`osv-scanner --lockfile=package-lock.json`), which reads the same advisories.',
  );
}

// 3. Deprecations, from each installed version's manifest.
const manifest = z.object({ deprecated: z.union([z.string(), z.boolean()]).optional() }).passthrough();
const deprecated: string[] = [];
const unreadable: string[] = [];
const queue = [...installed.entries()];
await Promise.all(
  Array.from({ length: 8 }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [id, name] = next;
      const version = id.slice(name.length + 1);
      try {
        const res = await fetch(`${registry}${name.replace('/', '%2F')}/${encodeURIComponent(version)}`, { signal: AbortSignal.timeout(15_000) });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const m = manifest.parse(await res.json());
        if (m.deprecated) deprecated.push(`${id}: ${typeof m.deprecated === 'string' ? m.deprecated : 'deprecated'}`);
      } catch (error) {
        unreadable.push(`${id} (${error instanceof Error ? error.message : String(error)})`);
      }
    }
  }),
);
if (deprecated.length > 0) {
  if (strict) failed = true;
  console.log(`${strict ? '✗' : '!'} deprecated production packages: ${deprecated.length}\n  ${deprecated.sort().join('\n  ')}`);
} else console.log(`✓ no deprecated production package among ${installed.size - unreadable.length} read from the registry`);
if (unreadable.length > 0) console.log(`! not read from the registry: ${unreadable.length} (${unreadable.slice(0, 5).join(', ')}${unreadable.length > 5 ? ', …' : ''})`);

process.exit(failed ? 1 : 0);
