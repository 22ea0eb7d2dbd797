/**
 * Which installation a route works on. Every per-installation router is mounted twice: under
 * `/api/installations/:installationId/…` (the installation in the path) and at `/api/…` (the default
 * installation, as before there were several; with several it answers 409 and names them). A route reads
 * and changes only its scope's installation: the path's id is the only way to reach another one.
 */
import type { Request } from 'express';
import { z } from 'zod';
import type { InstallationScope } from '../service/installation.ts';
import type { AdminContext } from './context.ts';
import { parseInput } from './validate.ts';

export type ScopeOf = (req: Request) => Promise<InstallationScope>;

export const installationIdParam = z.string().regex(/^[\w-]{1,80}$/, 'must be an installation id such as in_5f0c2a9e41b7d3c8');
const params = z.object({ installationId: installationIdParam });

/** The default installation (unscoped routes). */
export function defaultScope(ctx: AdminContext): ScopeOf {
  return () => ctx.installations.defaultScope();
}

/** The installation named in the path (routers mounted with mergeParams). */
export function pathScope(ctx: AdminContext): ScopeOf {
  return (req) => ctx.installations.scope(parseInput(params, req.params, 'params').installationId);
}
