/** The deal models the engine calls: MEDDIC score, win model (fit and report), one open deal scored. */
export { MEDDIC_ELEMENTS, MEDDIC_LEVELS, DEAL_FIGURES } from './types.ts';
export type { ClosedDeal, DealFigure, DealInput, MeddicElement, MeddicLevel, MeddicLevels } from './types.ts';
export { dealModelSettingsSchema, type DealModelSettings } from './settings.ts';
export { meddicScore } from './meddic.ts';
export { fitWinModel, winProbability, type WinModel, type WinModelReport, type FittedWinModel, type FallbackWinModel } from './winModel.ts';
export { winModelSchema } from './modelSchema.ts';
export { scoreOpenDeal, winModelLabel, type DealScore } from './scoreDeal.ts';
export type { ValidationSummary, CalibrationBin } from './validation.ts';
