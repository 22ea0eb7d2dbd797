#!/usr/bin/env node
// Runs the TypeScript sources in a clone of the project (Node 24 strips the types), and the compiled
// build where there are no sources or Node may not strip them (an installed package, the container).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = new URL('../src/cli/main.ts', import.meta.url);
const useSource = existsSync(fileURLToPath(source)) && !fileURLToPath(source).includes('/node_modules/');
await import(useSource ? source.href : new URL('../dist/src/cli/main.js', import.meta.url).href);
