/**
 * The conversion model as stored JSON, validated when it is read back (a stored fit is external data):
 * the engine keeps the model with its fit and scores prospects with it between refits.
 */
import { z } from 'zod';
import { columnShape, count, finite } from '../deals/modelSchema.ts';
import { designColumnNames } from './design.ts';
import type { ConversionModel } from './model.ts';
import { CONVERSION_FACTORS } from './types.ts';

const counts = { horizonDays: z.number().int().min(1), rows: count, converted: count, people: count, cutoffs: count };

const column = z.object(columnShape).strict();

export const conversionModelSchema: z.ZodType<ConversionModel> = z.discriminatedUnion('basis', [
  z
    .object({
      basis: z.literal('fitted'),
      design: z.object({ factors: z.array(z.enum(CONVERSION_FACTORS)), leadSources: z.array(z.string().min(1)) }).strict(),
      intercept: finite,
      columns: z.array(column),
      converged: z.boolean(),
      iterations: count,
      ...counts,
    })
    .strict()
    // The columns are the design's, in its order (design.ts).
    .refine((m) => JSON.stringify(m.columns.map((c) => c.name)) === JSON.stringify(designColumnNames(m.design)), { message: 'columns do not match the design', path: ['columns'] }),
  z.object({ basis: z.enum(['base_rate', 'prior']), rate: z.number().min(0).max(1), reason: z.string().min(1), ...counts }).strict(),
]);
