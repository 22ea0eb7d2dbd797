/**
 * The win model as stored JSON, validated when it is read back (a stored fit is external data): the
 * engine keeps the model with its fit and scores open deals with it between refits.
 */
import { z } from 'zod';
import { DEAL_FIGURES } from './types.ts';
import type { WinModel } from './winModel.ts';

export const finite = z.number().refine(Number.isFinite, 'must be a finite number');
export const count = z.number().int().min(0);

/** A standardised design column with its prior and coefficient (logistic.ts): what every stored logistic model keeps per column. */
export const columnShape = {
  name: z.string().min(1),
  mean: finite,
  scale: finite.refine((v) => v > 0, 'must be positive'),
  varies: z.boolean(),
  priorRaw: finite,
  coefficient: finite,
};

const fittedColumn = z
  .object({
    ...columnShape,
    prior: finite,
    rawCoefficient: finite,
  })
  .strict();

export const winModelSchema: z.ZodType<WinModel> = z.discriminatedUnion('basis', [
  z
    .object({
      basis: z.literal('fitted'),
      figures: z.array(z.enum(DEAL_FIGURES)),
      intercept: finite,
      columns: z.array(fittedColumn),
      closedDeals: count,
      won: count,
      converged: z.boolean(),
      iterations: count,
    })
    .strict()
    // Two columns per element and two per figure, in that order (design.ts).
    .refine((m) => m.columns.length === 12 + 2 * m.figures.length, { message: 'columns do not match the figures', path: ['columns'] }),
  z.object({ basis: z.literal('meddic_fallback'), reason: z.string().min(1), closedDeals: count, won: count }).strict(),
]);
