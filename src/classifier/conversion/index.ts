/** The conversion-likelihood model the engine calls: fit (with its card), score prospects, backtest. */
export { CONVERSION_FACTORS } from './types.ts';
export type { ConversionFactor, EngagementReading, ProspectDeal, ProspectFeatures, ProspectRecord } from './types.ts';
export { conversionSettingsSchema, type ConversionSettings } from './settings.ts';
export { featuresAt, isProspectAt, convertedWithin } from './features.ts';
export { firstPurchaseDays } from './fromPurchases.ts';
export { trainingRows, cutoffDays, type TrainingRow } from './training.ts';
export { fitConversionModel, conversionProbability, type ConversionModel, type ConversionModelReport, type FittedConversionModel, type BaseRateConversionModel } from './model.ts';
export { scoreProspects, strongestFactor, factorContributions, describeFactor, type ProspectScore, type StrongestFactor } from './score.ts';
export { backtestConversion, type ConversionBacktestResult } from './backtest.ts';
export { conversionModelSchema } from './modelSchema.ts';
