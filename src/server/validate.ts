/** Request input through zod: a 400 whose message names what is wrong, e.g. `body.dryRun: expected boolean`. */
import type { z } from 'zod';
import { HttpError } from './errors.ts';

export function parseInput<T extends z.ZodType>(schema: T, value: unknown, where: 'body' | 'query' | 'params'): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const message = result.error.issues
    .map((issue) => {
      const path = [where, ...issue.path.map(String)].join('.');
      if (issue.code === 'unrecognized_keys') return `${where}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
      return `${path}: ${issue.message}`;
    })
    .join('; ');
  throw new HttpError(400, 'INVALID_REQUEST', message);
}
