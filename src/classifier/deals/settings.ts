/**
 * Settings of the deal models (`classifier.deals` in config/default.yaml): the MEDDIC score's weights,
 * the win model's prior, minimums and validation, and the next action per gap.
 */
import { z } from 'zod';
import { DEAL_FIGURES, MEDDIC_ELEMENTS, type MeddicElement } from './types.ts';

const text = z.string().trim().min(1, 'must not be empty').max(1000, 'must be at most 1000 characters');
const weight = z.number().min(0, 'must not be negative').max(1000, 'must be at most 1000');

const perElement = <T extends z.ZodType>(schema: T) =>
  z.object(Object.fromEntries(MEDDIC_ELEMENTS.map((e) => [e, schema])) as Record<MeddicElement, T>).strict();

export const dealModelSettingsSchema = z
  .object({
    meddic: z
      .object({
        /** Share of an element's weight an `identified` element earns (`confirmed` earns all of it). */
        identifiedCredit: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1'),
        weights: perElement(weight).refine((w) => Object.values(w).some((v) => v > 0), 'at least one weight must be above 0'),
      })
      .strict(),
    winModel: z
      .object({
        /** Below this many closed deals (or minPerOutcome won or lost) the MEDDIC score is the win probability. */
        minClosedDeals: z.number().int().min(4, 'must be at least 4'),
        minPerOutcome: z.number().int().min(2, 'must be at least 2'),
        /** The CRM figures the model may use (each still optional per deal). */
        figures: z.array(z.enum(DEAL_FIGURES)).refine((f) => new Set(f).size === f.length, 'must not repeat a figure'),
        /** Prior standard deviation of every standardised coefficient (the ridge penalty is 1 / priorScale²). */
        priorScale: z.number().positive('must be positive').max(1e6, 'must be at most 1e6'),
        /** The prior's log-odds between a deal with every element confirmed and one with none. */
        priorMeddicLogOdds: z.number().min(0, 'must not be negative').max(10, 'must be at most 10'),
        maxIterations: z.number().int().min(10, 'must be at least 10'),
        crossValidationFolds: z.number().int().min(2, 'must be at least 2').max(20, 'must be at most 20'),
        /** Seed of the folds' shuffle, so the model card's AUC is repeatable. */
        crossValidationSeed: z.number().int().min(1, 'must be at least 1').max(2 ** 31 - 1, 'must be below 2^31'),
        calibrationBins: z.number().int().min(2, 'must be at least 2').max(20, 'must be at most 20'),
      })
      .strict()
      .refine((w) => w.minPerOutcome * 2 <= w.minClosedDeals, { message: 'minPerOutcome must be at most half of minClosedDeals', path: ['minPerOutcome'] }),
    nextActions: perElement(text).extend({ allConfirmed: text }).strict(),
  })
  .strict();

export type DealModelSettings = z.infer<typeof dealModelSettingsSchema>;
