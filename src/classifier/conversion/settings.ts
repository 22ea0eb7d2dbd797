/**
 * Settings of the conversion-likelihood model (`classifier.conversion` in config/default.yaml): the
 * horizon, the past cut-offs it trains on, its minimums and fallback, the prior and the validation.
 */
import { z } from 'zod';
import { CONVERSION_FACTORS } from './types.ts';

export const conversionSettingsSchema = z
  .object({
    /** The likelihood is of a first purchase within this many days. */
    horizonDays: z.number().int().min(1, 'must be at least 1').max(3650, 'must be at most 3650'),
    /** Days between past cut-offs. */
    cutoffSpacingDays: z.number().int().min(1, 'must be at least 1').max(3650, 'must be at most 3650'),
    /** How far back (before the latest labelled cut-off) cut-offs go. */
    trainingWindowDays: z.number().int().min(0, 'must not be negative').max(36500, 'must be at most 36500'),
    /** The features the model may use (each still optional per person). */
    factors: z.array(z.enum(CONVERSION_FACTORS)).refine((f) => new Set(f).size === f.length, 'must not repeat a factor'),
    /** Lead sources with a column of their own (the most frequent in training); the rest are `other`. */
    leadSourceTopK: z.number().int().min(0, 'must not be negative').max(50, 'must be at most 50'),
    /** Below this many training rows that converted (or did not), the base rate stands in for the model. */
    minPositives: z.number().int().min(2, 'must be at least 2'),
    minNegatives: z.number().int().min(2, 'must be at least 2'),
    /** The likelihood when there is no past prospect at all to take a base rate from (0–1). */
    priorRate: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1'),
    /** Prior standard deviation of every standardised coefficient (ridge towards 0). */
    priorScale: z.number().positive('must be positive').max(1e6, 'must be at most 1e6'),
    maxIterations: z.number().int().min(10, 'must be at least 10'),
    crossValidationFolds: z.number().int().min(2, 'must be at least 2').max(20, 'must be at most 20'),
    crossValidationSeed: z.number().int().min(1, 'must be at least 1').max(2 ** 31 - 1, 'must be below 2^31'),
    calibrationBins: z.number().int().min(2, 'must be at least 2').max(20, 'must be at most 20'),
  })
  .strict();

export type ConversionSettings = z.infer<typeof conversionSettingsSchema>;
