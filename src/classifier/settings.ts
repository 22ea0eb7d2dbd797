/**
 * The classifier's settings: every threshold of the stage rules, the models and the value figures.
 * Defaults live in config/default.yaml; this schema validates them and any override.
 */
import { z } from 'zod';
import { conversionSettingsSchema } from './conversion/settings.ts';
import { dealModelSettingsSchema } from './deals/settings.ts';
import { inputLimitsSchema } from './inputLimits.ts';
import { MODEL_CHOICES, STAGE_RULE_ORDER } from './types.ts';

const probability = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');
const wholeDays = z.number().int('must be a whole number of days').min(0, 'must not be negative');
const text = z.string().trim().min(1, 'must not be empty');

const stageSettings = z
  .object({
    label: text.max(100, 'must be at most 100 characters'),
    nextAction: text.max(1000, 'must be at most 1000 characters'),
    enabled: z.boolean(),
  })
  .strict();

export const classifierSettingsSchema = z
  .object({
    model: z.enum(MODEL_CHOICES),
    timeUnit: z.enum(['day', 'week']),
    expectedDays: z.number().positive('must be a positive number of days'),
    clv: z
      .object({
        horizonMonths: z.number().int('must be a whole number of months').min(1, 'must be at least 1').max(240, 'must be at most 240'),
        monthlyDiscountRate: z.number().min(0, 'must not be negative').max(1, 'must be at most 1 (100 % a month)'),
        grossMargin: z.number().gt(0, 'must be above 0').max(1, 'must be at most 1').nullable(),
      })
      .strict(),
    fit: z
      .object({
        minCustomers: z.number().int().min(2, 'must be at least 2'),
        minRepeatBuyers: z.number().int().min(1, 'must be at least 1'),
        maxIterations: z.number().int().min(10, 'must be at least 10'),
        subsampleAbove: z.number().int().min(1000, 'must be at least 1000'),
      })
      .strict(),
    backtest: z
      .object({
        holdoutDays: z.number().int('must be a whole number of days').min(7, 'must be at least 7 days'),
        autoMinCustomers: z.number().int().min(30, 'must be at least 30'),
        autoMinRepeatBuyers: z.number().int().min(10, 'must be at least 10'),
      })
      .strict(),
    heuristic: z
      .object({
        halfLifeIntervals: z.number().positive('must be positive'),
        defaultIntervalDays: z.number().positive('must be positive'),
      })
      .strict(),
    rules: z
      .object({
        churnedMaxPAlive: probability,
        churnedMinDaysSinceLastPurchase: wholeDays,
        atRiskMaxPAlive: probability,
        advocacyMinNps: z.number().min(0, 'must be between 0 and 10').max(10, 'must be between 0 and 10'),
        advocacyMinReferrals: z.number().int().min(1, 'must be at least 1'),
        loyaltyMinRepeatPurchases: z.number().int().min(1, 'must be at least 1'),
        retentionMinDaysSinceFirstPurchase: wholeDays,
        recentPurchaseDays: wholeDays,
        recentEngagementDays: wholeDays,
        naturalChurnReasons: z.array(text),
      })
      .strict()
      .refine((r) => r.churnedMaxPAlive <= r.atRiskMaxPAlive, {
        message: 'churnedMaxPAlive must not exceed atRiskMaxPAlive',
        path: ['churnedMaxPAlive'],
      }),
    churnRiskBands: z
      .object({ mediumFrom: z.number().min(0).max(100), highFrom: z.number().min(0).max(100) })
      .strict()
      .refine((b) => b.mediumFrom < b.highFrom, { message: 'mediumFrom must be below highFrom', path: ['mediumFrom'] }),
    valueTiers: z
      .object({ topShare: z.number().gt(0).lt(1), nextShare: z.number().gt(0).lt(1) })
      .strict()
      .refine((t) => t.topShare + t.nextShare < 1, { message: 'topShare + nextShare must be below 1', path: ['nextShare'] }),
    ltv: z
      .object({
        periodDays: z.number().int().min(1, 'must be at least 1 day'),
        acquisitionSpend: z.number().min(0, 'must not be negative').nullable(),
        currency: z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code such as USD'),
      })
      .strict(),
    input: inputLimitsSchema,
    deals: dealModelSettingsSchema,
    conversion: conversionSettingsSchema,
    stages: z.object(Object.fromEntries(STAGE_RULE_ORDER.map((s) => [s, stageSettings])) as Record<(typeof STAGE_RULE_ORDER)[number], typeof stageSettings>).strict(),
  })
  .strict()
  .refine((c) => c.stages.awareness.enabled, {
    message: 'awareness is the catch-all stage and cannot be disabled',
    path: ['stages', 'awareness', 'enabled'],
  });

export type ClassifierSettings = z.infer<typeof classifierSettingsSchema>;
