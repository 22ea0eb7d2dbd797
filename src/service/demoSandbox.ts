/**
 * Finds the demo's sandboxes (sandboxes/demo.ts) at run time. They are not product code: they live
 * beside src/ in a clone of the repository and are left out of the build, the package and the image.
 * The path is computed from this module's own location, so the compiler does not follow it into the
 * build, and a build (dist/src/...) looks in dist/, where there is never a sandbox: only the sources of
 * a clone (`npm start`) run the demo.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { StartDemoSandbox } from './demo.ts';

/** sandboxes/demo.ts of the tree this module runs from (src/service/ → the tree's root). */
export const DEMO_SANDBOX_MODULE = new URL(['..', '..', 'sandboxes', 'demo.ts'].join('/'), import.meta.url);

const demoModule = z.object({
  startDemoSandbox: z.custom<StartDemoSandbox>((v) => typeof v === 'function', { message: 'expected a function' }),
});

/** The demo's sandbox starter, or null where there is none (the build, an installed package, the image). */
export async function loadDemoSandbox(url: URL = DEMO_SANDBOX_MODULE): Promise<StartDemoSandbox | null> {
  if (!existsSync(fileURLToPath(url))) return null;
  const loaded: unknown = await import(url.href);
  const parsed = demoModule.safeParse(loaded);
  // A bug in the clone, not the user's configuration.
  if (!parsed.success) throw new Error(`${fileURLToPath(url)} does not export startDemoSandbox: ${z.prettifyError(parsed.error)}`);
  return parsed.data.startDemoSandbox;
}
