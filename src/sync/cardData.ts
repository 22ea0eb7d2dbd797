/**
 * What the HubSpot app card on a contact or company record shows (hubspot-app/src/app/cards/): the same knowledge as
 * GET /api/customers/:id and `explain` — the last scores, the stage's reason, the next action and the
 * stage values written — cut to what a sales rep reads at a glance, with labels and money already in
 * words (describe.ts), so the card only lays them out. Pure: an explanation (or none) in, plain data out.
 * Nothing about who the person is (name, e-mail, purchases) leaves here: the record page shows that.
 */
import type { FieldValues } from '../../connectors/contract/index.ts';
import { dateTimeText, moneyText, valueText, type DescribeOptions } from './describe.ts';
import type { Explanation } from './explain.ts';

/** The newest stage writes the card's timeline shows. */
export const CARD_HISTORY_LIMIT = 12;

export interface CardStageChange {
  /** ISO time of the write. */
  at: string;
  /** "2026-11-19 02:00 UTC". */
  when: string;
  from: string;
  to: string;
  /** "Sync", "Rollback of run_…". */
  run: string;
  /** A rollback restored what this write replaced. */
  rolledBack: boolean;
}

export interface ScoredCard {
  /** The record's id and its kind (the card is on contacts and companies). */
  recordId: string;
  object: CardObject;
  scored: true;
  stage: { value: string; label: string; reason: string | null; since: string | null } | null;
  churnRisk: { percent: number; band: string | null; bandLabel: string | null } | null;
  predictedClv: { amount: number; text: string; horizonMonths: number } | null;
  ltv: { amount: number; text: string } | null;
  valueTier: { value: string; label: string } | null;
  expectedPurchases: { count: number; days: number } | null;
  /** A prospect's chance (%) of a first purchase within `days`; null for a buyer or before it is scored. */
  conversionLikelihood: { percent: number; days: number } | null;
  nextAction: string | null;
  /** When it was scored ("2026-11-19 02:00 UTC") and the day the scores are as of. */
  scoredAt: string | null;
  asOf: string;
  /** Stage values written to the CRM, newest first. */
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

/** The records the card is on: HubSpot's object names, and each one's word. */
export const CARD_OBJECTS = ['contacts', 'companies'] as const;
export type CardObject = (typeof CARD_OBJECTS)[number];
const WORD: Record<CardObject, string> = { contacts: 'contact', companies: 'company' };

const present = (v: string | null | undefined): v is string => v !== null && v !== undefined && v !== '';

function number(v: string | null | undefined): number | null {
  if (!present(v)) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

function money(v: string | null | undefined, currency: string): { amount: number; text: string } | null {
  const amount = number(v);
  return amount === null || !present(v) ? null : { amount, text: moneyText(v, currency) };
}

function option(field: 'valueTier' | 'churnRiskBand' | 'stage', v: string | null | undefined, o: DescribeOptions): { value: string; label: string } | null {
  return present(v) ? { value: v, label: valueText(field, v, o) } : null;
}

function stageHistory(e: Explanation, o: DescribeOptions): CardStageChange[] {
  return e.history
    .filter((h) => h.field === 'stage' && h.state === 'applied' && h.runKind !== 'dry_run')
    .slice(0, CARD_HISTORY_LIMIT)
    .map((h) => ({
      at: new Date(h.at).toISOString(),
      when: dateTimeText(h.at),
      from: valueText('stage', h.previous, o),
      to: valueText('stage', h.next, o),
      run: h.runKind === 'rollback' ? (h.rollbackOf ? `Rollback of ${h.rollbackOf}` : 'Rollback') : 'Sync',
      rolledBack: h.rolledBackBy !== null,
    }));
}

/** A customer the store does not know (null) or has not scored yet. */
export function unscoredCard(recordId: string, object: CardObject, known: boolean): UnscoredCard {
  const word = WORD[object];
  return {
    recordId,
    object,
    scored: false,
    elsewhere: false,
    message: known
      ? `Not scored yet: the next sync scores this ${word}.`
      : `Not scored yet: Lifecycle Sync has not seen this ${word}; the next sync reads and scores it.`,
  };
}

/**
 * A record of another kind than the installation's customers (`customers`: their word, e.g. "company"):
 * its scores are on the customers, so the card says where to look instead of looking the id up.
 */
export function otherCustomersCard(recordId: string, object: CardObject, customers: string): UnscoredCard {
  const word = WORD[object];
  const where = object === 'contacts' ? `see the contact's ${customers}` : `see the company's ${customers}s`;
  return { recordId, object, scored: false, elsewhere: true, message: `Not scored here: Lifecycle Sync scores ${customers} records in this account, not ${word} records; ${where}.` };
}

/** Whether the installation's customers (their word) are the card's record kind. */
export function cardShowsCustomers(object: CardObject, customers: string): boolean {
  return WORD[object] === customers;
}

export function cardData(e: Explanation | null, recordId: string, object: CardObject, o: DescribeOptions): CardData {
  if (!e?.scores) return unscoredCard(recordId, object, e !== null);
  const s = e.scores;
  const v: FieldValues = s.values;
  const reason = typeof s.features.reason === 'string' ? s.features.reason : (v.stageReason ?? null);
  const since = v.stageChangedAt ?? e.inCrm.stageChangedAt ?? null;
  const stage = option('stage', v.stage, o);
  const percent = number(v.churnRisk);
  const band = option('churnRiskBand', v.churnRiskBand, o);
  const clv = money(v.predictedClv, o.currency);
  const expected = number(v.expectedPurchases);
  const conversion = number(v.conversionLikelihood);
  return {
    recordId,
    object,
    scored: true,
    stage: stage && { ...stage, reason, since: present(since) ? dateTimeText(since) : null },
    churnRisk: percent === null ? null : { percent, band: band?.value ?? null, bandLabel: band?.label ?? null },
    predictedClv: clv && { ...clv, horizonMonths: o.clvHorizonMonths },
    ltv: money(v.ltv, o.currency),
    valueTier: option('valueTier', v.valueTier, o),
    expectedPurchases: expected === null ? null : { count: expected, days: o.expectedDays },
    conversionLikelihood: conversion === null ? null : { percent: conversion, days: o.conversionDays },
    nextAction: present(v.nextAction) ? v.nextAction : null,
    scoredAt: present(v.scoredAt) ? dateTimeText(v.scoredAt) : null,
    asOf: s.asOf,
    history: stageHistory(e, o),
  };
}
