/** The CLI from source in a child process (with the Node that runs the tests): run it, or SIGKILL it when a condition holds. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './helpers.ts';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Runs the CLI to its end with these variables added to the environment (and this working directory). */
export function spawnCli(args: string[], env: Env, cwd = ROOT): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'src/cli/main.ts'), ...args], { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** What a child needs to reach a test installation. */
export interface CliTarget {
  env: Env;
  configPath: string;
}

function targetEnv(t: CliTarget): Env {
  return { ...t.env, LIFECYCLE_SYNC_CONFIG: t.configPath, LOG_LEVEL: 'warn' };
}

export function runCli(t: CliTarget, args: string[]): Promise<CliResult> {
  return spawnCli(args, targetEnv(t));
}

/** Runs the command in a child process and SIGKILLs it as soon as `when` holds (polled every millisecond). */
export function runCliUntil(t: CliTarget, args: string[], when: () => boolean): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, env: { ...process.env, ...targetEnv(t) }, stdio: 'ignore' });
    let killed = false;
    const timer = setInterval(() => {
      if (!killed && when()) {
        killed = child.kill('SIGKILL');
      }
    }, 1);
    child.on('error', reject);
    child.on('close', () => {
      clearInterval(timer);
      resolve(killed);
    });
  });
}

export interface LongChild {
  pid: number;
  stdout(): string;
  stderr(): string;
  /** SIGKILL (a crash) or SIGTERM (a stop); resolves when the process has exited. */
  kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  /** Resolves when the process has exited (by itself or killed). */
  exited: Promise<void>;
}

export interface ServingChild extends LongChild {
  /** The admin server's address (127.0.0.1). */
  url: string;
}

/** Starts a long-running command in a child process and resolves once its output matches `ready` (rejects if it exits first). */
export function startChild(args: string[], env: Env, ready: RegExp): Promise<LongChild & { match: RegExpExecArray }> {
  const child = spawn(process.execPath, [join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = ready.exec(stdout) ?? ready.exec(stderr);
      if (!match || child.pid === undefined) return;
      resolve({
        pid: child.pid,
        match,
        exited,
        stdout: () => stdout,
        stderr: () => stderr,
        async kill(signal) {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          await exited;
        },
      });
    };
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      check();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      check();
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code} before it was ready: ${stderr}`)));
  });
}

/** Starts `serve` or `start` in a child process and resolves once it prints its address (rejects if it exits first). */
export async function startServing(args: string[], env: Env): Promise<ServingChild> {
  const child = await startChild(args, env, /(?:Lifecycle Sync admin|Admin page):\s+(\S+)/);
  return { ...child, url: child.match[1].replace('localhost', '127.0.0.1') };
}
