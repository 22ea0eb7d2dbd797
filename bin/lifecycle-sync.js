#!/usr/bin/env node
// Runs the TypeScript sources in a clone of the project (Node 24 strips the types), and the compiled
// build where there are no sources or Node may not strip them (an installed package, the container).
// Plain JavaScript that any Node parses, so an older Node gets one clear line instead of a crash.
import { existsSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

const REQUIRED_MAJOR = 24;
const major = Number(process.versions.node.split('.')[0]);
if (major < REQUIRED_MAJOR) {
  // npm no longer warns about this (package.json has no `engines`: it warned on every npx, about the
  // Node running npm, not the one running this), so say it here, about the Node actually running.
  process.stderr.write(
    `lifecycle-sync: needs Node ${REQUIRED_MAJOR} or later, this is Node ${process.versions.node}; ` +
      'in a clone, `npm install` then `npx lifecycle-sync` uses the Node 24 the project pins\n',
  );
  process.exit(1);
}

// Node's on-disk compile cache (os.tmpdir()/node-compile-cache, or NODE_COMPILE_CACHE; off with
// NODE_DISABLE_COMPILE_CACHE=1): a start reuses the type-stripped and compiled code of every module
// that has not changed since the last start, about two thirds of `--help`'s CPU time. Never fails.
const cache = module.enableCompileCache?.();
// Worker threads (CSV parsing, formatting, runs) compile the same modules: give them the cache too.
if (cache?.directory && process.env.NODE_COMPILE_CACHE === undefined) process.env.NODE_COMPILE_CACHE = cache.directory;

const source = new URL('../src/cli/main.ts', import.meta.url);
const useSource = existsSync(fileURLToPath(source)) && !fileURLToPath(source).includes('/node_modules/');
await import(useSource ? source.href : new URL('../dist/src/cli/main.js', import.meta.url).href);
