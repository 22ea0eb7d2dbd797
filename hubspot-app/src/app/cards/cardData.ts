/**
 * What the server answers the card (src/sync/cardData.ts builds it; GET /hubspot/card/{contacts|companies}/:id), and
 * its check: the card trusts nothing it did not check, and the server's tests parse their real answers
 * with this same function, so the two cannot drift apart unnoticed. No imports: the card's bundle stays
 * React and the UI extensions SDK only.
 */

export interface CardStageChange {
  at: string;
  when: string;
  from: string;
  to: string;
  run: string;
  rolledBack: boolean;
}

/** The records the card is on (HubSpot's object names). */
export type CardObject = 'contacts' | 'companies';

export interface ScoredCard {
  recordId: string;
  object: CardObject;
  scored: true;
  stage: { value: string; label: string; reason: string | null; since: string | null } | null;
  churnRisk: { percent: number; band: string | null; bandLabel: string | null } | null;
  predictedClv: { amount: number; text: string; horizonMonths: number } | null;
  ltv: { amount: number; text: string } | null;
  valueTier: { value: string; label: string } | null;
  expectedPurchases: { count: number; days: number } | null;
  conversionLikelihood: { percent: number; days: number } | null;
  nextAction: string | null;
  scoredAt: string | null;
  asOf: string;
  history: CardStageChange[];
}

export interface UnscoredCard {
  recordId: string;
  object: CardObject;
  scored: false;
  /** The installation's customers are another kind of record: this one is never scored here. */
  elsewhere: boolean;
  message: string;
}

export type CardData = ScoredCard | UnscoredCard;

export class CardDataError extends Error {
  constructor(where: string) {
    super(`unexpected answer from the server: ${where}`);
    this.name = 'CardDataError';
  }
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function obj(v: unknown, where: string): Json {
  if (!isObject(v)) throw new CardDataError(where);
  return v;
}
function str(v: unknown, where: string): string {
  if (typeof v !== 'string') throw new CardDataError(where);
  return v;
}
function num(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new CardDataError(where);
  return v;
}
function nullableStr(v: unknown, where: string): string | null {
  return v === null ? null : str(v, where);
}
function nullable<T>(v: unknown, where: string, read: (o: Json) => T): T | null {
  return v === null ? null : read(obj(v, where));
}

/** The answer, checked field by field; a CardDataError names the first thing that is not as expected. */
export function parseCardData(value: unknown): CardData {
  const o = obj(value, 'not an object');
  const recordId = str(o.recordId, 'recordId');
  if (o.object !== 'contacts' && o.object !== 'companies') throw new CardDataError('object');
  const object: CardObject = o.object;
  if (o.scored === false) {
    if (typeof o.elsewhere !== 'boolean') throw new CardDataError('elsewhere');
    return { recordId, object, scored: false, elsewhere: o.elsewhere, message: str(o.message, 'message') };
  }
  if (o.scored !== true) throw new CardDataError('scored');
  if (!Array.isArray(o.history)) throw new CardDataError('history');
  return {
    recordId,
    object,
    scored: true,
    stage: nullable(o.stage, 'stage', (s) => ({ value: str(s.value, 'stage.value'), label: str(s.label, 'stage.label'), reason: nullableStr(s.reason, 'stage.reason'), since: nullableStr(s.since, 'stage.since') })),
    churnRisk: nullable(o.churnRisk, 'churnRisk', (c) => ({ percent: num(c.percent, 'churnRisk.percent'), band: nullableStr(c.band, 'churnRisk.band'), bandLabel: nullableStr(c.bandLabel, 'churnRisk.bandLabel') })),
    predictedClv: nullable(o.predictedClv, 'predictedClv', (c) => ({ amount: num(c.amount, 'predictedClv.amount'), text: str(c.text, 'predictedClv.text'), horizonMonths: num(c.horizonMonths, 'predictedClv.horizonMonths') })),
    ltv: nullable(o.ltv, 'ltv', (c) => ({ amount: num(c.amount, 'ltv.amount'), text: str(c.text, 'ltv.text') })),
    valueTier: nullable(o.valueTier, 'valueTier', (t) => ({ value: str(t.value, 'valueTier.value'), label: str(t.label, 'valueTier.label') })),
    expectedPurchases: nullable(o.expectedPurchases, 'expectedPurchases', (e) => ({ count: num(e.count, 'expectedPurchases.count'), days: num(e.days, 'expectedPurchases.days') })),
    conversionLikelihood: nullable(o.conversionLikelihood, 'conversionLikelihood', (c) => ({ percent: num(c.percent, 'conversionLikelihood.percent'), days: num(c.days, 'conversionLikelihood.days') })),
    nextAction: nullableStr(o.nextAction, 'nextAction'),
    scoredAt: nullableStr(o.scoredAt, 'scoredAt'),
    asOf: str(o.asOf, 'asOf'),
    history: o.history.map((h: unknown, i) => {
      const c = obj(h, `history[${i}]`);
      if (typeof c.rolledBack !== 'boolean') throw new CardDataError(`history[${i}].rolledBack`);
      return { at: str(c.at, `history[${i}].at`), when: str(c.when, `history[${i}].when`), from: str(c.from, `history[${i}].from`), to: str(c.to, `history[${i}].to`), run: str(c.run, `history[${i}].run`), rolledBack: c.rolledBack };
    }),
  };
}
