/**
 * The sandboxes' datasets in CRM-neutral terms, so that HubSpot and Salesforce serve the same demo and
 * benchmark data: people (customers and prospects) and their deals. Each sandbox's seed.ts maps them
 * onto its own records. Deterministic for a seed: the random draws happen here, in a fixed order.
 *
 * - Demo: the CDNOW sample (demo/cdnow_sample.csv) as customers with one won deal per purchase row,
 *   dates shifted so that the sample's last day (1998-06-30) is two days before `today`; about 3 % of
 *   customers are promoters (NPS 9–10) and 1.5 % gave a lower rating; plus prospects, about half of them
 *   active (an open deal and/or engagement in the last 60 days), some with a lost deal.
 *   Everyone has a lead source; prospects with an open deal came more often by referral or phone, the
 *   inactive ones more often from paid ads and bought lists (drawn from a stream of their own, so the
 *   other draws, and every count the tests check, are as they were without it).
 * - Synthetic: customers simulated from Pareto/NBD with Gamma-Gamma spend (about 3.1 purchases each over
 *   two years), and about 3 % with an open deal as well.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Papa from 'papaparse';
import { simulateCustomers } from '../../src/classifier/simulate.ts';
import { pick, seededRandom, type Random } from './seededRandom.ts';

const DAY_MS = 86_400_000;

const FIRST_NAMES = [
  'Ada', 'Alan', 'Amara', 'Ben', 'Carla', 'Chen', 'Dana', 'Diego', 'Elena', 'Farah', 'Felix', 'Grace', 'Hana', 'Ivan',
  'Jonas', 'Julia', 'Kofi', 'Lena', 'Liam', 'Maya', 'Mei', 'Noah', 'Nora', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sam',
  'Sofia', 'Tariq', 'Uma', 'Victor', 'Wen', 'Yara', 'Zoe',
];
const LAST_NAMES = [
  'Adams', 'Baker', 'Costa', 'Dubois', 'Evans', 'Fischer', 'Garcia', 'Hughes', 'Ito', 'Jensen', 'Khan', 'Larsen',
  'Moreau', 'Nakamura', 'Okafor', 'Patel', 'Quist', 'Rossi', 'Silva', 'Tanaka', 'Underwood', 'Varga', 'Weber',
  'Xu', 'Young', 'Zimmer',
];
/** Open deals sit in one of five open stages of a sales funnel, 0 the earliest. */
const OPEN_STAGE_RANKS = [0, 1, 2, 3, 4];

/** Where a person came from, in neutral terms: each sandbox's seed.ts maps it onto its CRM's values. */
export const LEAD_SOURCES = ['organic_search', 'paid_search', 'email', 'social', 'referral', 'direct', 'phone', 'list'] as const;
export type DatasetLeadSource = (typeof LEAD_SOURCES)[number];

type SourceWeights = Record<DatasetLeadSource, number>;
const CUSTOMER_SOURCES: SourceWeights = { organic_search: 24, paid_search: 10, email: 12, social: 5, referral: 14, direct: 28, phone: 4, list: 3 };
const OPPORTUNITY_SOURCES: SourceWeights = { organic_search: 15, paid_search: 5, email: 10, social: 3, referral: 30, direct: 20, phone: 15, list: 2 };
const LEAD_ONLY_SOURCES: SourceWeights = { organic_search: 15, paid_search: 20, email: 10, social: 15, referral: 5, direct: 10, phone: 5, list: 20 };

function leadSource(random: Random, weights: SourceWeights): DatasetLeadSource {
  const total = LEAD_SOURCES.reduce((sum, s) => sum + weights[s], 0);
  let r = random() * total;
  for (const s of LEAD_SOURCES) {
    r -= weights[s];
    if (r < 0) return s;
  }
  return 'direct';
}

/** The lead sources' own stream, apart from the dataset's draws. */
const sourceRandom = (seed: number): Random => seededRandom(seed + 7919);

/** The sign-ups' own stream, apart from the dataset's draws (so no other value moves). */
const signupRandom = (seed: number): Random => seededRandom(seed + 15_485_863);

/**
 * The day a buyer's record was created: for most, the day of their first order (created at checkout);
 * for some, a lead who signed up 1–90 days before buying. Those are the past prospects who converted,
 * without whom a conversion model has nothing to learn from.
 */
function createdBeforeFirstOrder(random: Random, firstDay: number): number {
  return random() < 0.35 ? firstDay - 1 - Math.floor(random() * 90) : firstDay;
}

export interface DatasetPerson {
  email: string;
  firstName: string;
  lastName: string;
  /** ISO-8601 with millis and Z. */
  createdAt: string;
  /** customer: has purchases; opportunity: a prospect with an open deal; lead: any other prospect. */
  lifecycle: 'customer' | 'opportunity' | 'lead';
  /** Last NPS rating given (0–10), if any. */
  npsRating?: number;
  /** Last engagement (an email, a call, a meeting), if any: ISO-8601. */
  lastEngagedAt?: string;
  /** Where they came from. */
  leadSource: DatasetLeadSource;
}

export interface DatasetDeal {
  name: string;
  /** Decimal string with two places. */
  amount: string;
  createdAt: string;
  closeAt: string;
  outcome: 'won' | 'lost' | 'open';
  /** For open deals: 0–4, early to late in the funnel. */
  openStage?: number;
}

/** Where a generator puts what it makes; `addPerson` returns the person's record id. */
export interface DatasetSink {
  addPerson(person: DatasetPerson): string;
  addDeal(deal: DatasetDeal, personId: string): void;
}

export interface DatasetCounts {
  contacts: number;
  deals: number;
}

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'demo', 'cdnow_sample.csv'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (demo/cdnow_sample.csv) above the sandbox');
    dir = parent;
  }
}

export function utcDay(date: Date): number {
  return Math.floor(date.getTime() / DAY_MS);
}

/** A timestamp on a day at a fixed UTC hour: purchases stay on their day in any nearby time zone. */
function atHour(day: number, hour: number): string {
  return new Date(day * DAY_MS + hour * 3_600_000).toISOString();
}

function yyyymmddDay(text: string): number {
  const ms = Date.UTC(Number(text.slice(0, 4)), Number(text.slice(4, 6)) - 1, Number(text.slice(6, 8)));
  if (!/^\d{8}$/.test(text) || Number.isNaN(ms)) throw new Error(`bad date in the CDNOW sample: ${text}`);
  return ms / DAY_MS;
}

function names(random: Random): { firstName: string; lastName: string } {
  return { firstName: pick(random, FIRST_NAMES), lastName: pick(random, LAST_NAMES) };
}

function money(random: Random, min: number, max: number): string {
  return (min + random() * (max - min)).toFixed(2);
}

function openDeal(random: Random, name: string, today: number): DatasetDeal {
  const amount = money(random, 40, 1500);
  const openStage = pick(random, OPEN_STAGE_RANKS);
  const createdAt = atHour(today - 1 - Math.floor(random() * 45), 11);
  const closeAt = atHour(today + 1 + Math.floor(random() * 60), 12);
  return { name, amount, createdAt, closeAt, outcome: 'open', openStage };
}

interface CdnowRow {
  customer_id: string;
  date: string;
  amount: string;
}

export function generateDemoDataset(sink: DatasetSink, options: { today: Date; prospects?: number; seed?: number }): DatasetCounts {
  const random = seededRandom(options.seed ?? 1);
  const sources = sourceRandom(options.seed ?? 1);
  const signups = signupRandom(options.seed ?? 1);
  const today = utcDay(options.today);
  const parsed = Papa.parse<CdnowRow>(readFileSync(join(repoRoot(), 'demo', 'cdnow_sample.csv'), 'utf8'), { header: true, skipEmptyLines: true, transform: (v) => v.trim() });
  const byCustomer = new Map<string, { day: number; amount: string }[]>();
  let lastDay = -Infinity;
  for (const row of parsed.data) {
    const day = yyyymmddDay(row.date);
    lastDay = Math.max(lastDay, day);
    const list = byCustomer.get(row.customer_id) ?? [];
    list.push({ day, amount: row.amount });
    byCustomer.set(row.customer_id, list);
  }
  // The sample ends on 1998-06-30; that day becomes two days ago.
  const shift = today - 2 - lastDay;
  let contacts = 0;
  let deals = 0;
  for (const [customer, purchases] of byCustomer) {
    purchases.sort((a, b) => a.day - b.day);
    const person: DatasetPerson = { email: `customer${customer}@example.com`, ...names(random), createdAt: atHour(createdBeforeFirstOrder(signups, purchases[0].day + shift), 9), lifecycle: 'customer', leadSource: leadSource(sources, CUSTOMER_SOURCES) };
    const r = random();
    if (r < 0.03) person.npsRating = 9 + Math.floor(random() * 2);
    else if (r < 0.045) person.npsRating = Math.floor(random() * 9);
    const id = sink.addPerson(person);
    contacts++;
    purchases.forEach((p, i) => {
      const when = atHour(p.day + shift, 12);
      sink.addDeal({ name: `CDNOW order ${customer}-${i + 1}`, amount: p.amount, createdAt: when, closeAt: when, outcome: 'won' }, id);
      deals++;
    });
  }
  const prospects = options.prospects ?? 300;
  for (let i = 1; i <= prospects; i++) {
    const tag = String(i).padStart(4, '0');
    const r = random();
    const active = r < 0.5;
    const kind = random();
    const withDeal = active && kind < 0.7;
    const engaged = active && kind >= 0.4;
    const person: DatasetPerson = {
      email: `prospect${tag}@example.com`,
      ...names(random),
      lifecycle: withDeal ? 'opportunity' : 'lead',
      createdAt: atHour(today - 30 - Math.floor(random() * 335), 9),
      leadSource: leadSource(sources, withDeal ? OPPORTUNITY_SOURCES : LEAD_ONLY_SOURCES),
    };
    if (engaged) person.lastEngagedAt = new Date((today - random() * 60) * DAY_MS).toISOString();
    let deal: DatasetDeal | null = null;
    if (withDeal) deal = openDeal(random, `Prospect ${tag} opportunity`, today);
    else if (!active && r < 0.56) {
      const lost = today - 10 - Math.floor(random() * 300);
      deal = { name: `Prospect ${tag} (lost)`, amount: money(random, 40, 800), createdAt: atHour(lost - 20, 11), closeAt: atHour(lost, 12), outcome: 'lost' };
    }
    // Nobody engages or gets a deal before their record exists: the record is as old as the earliest of
    // them (drawn in the same order as before, so every other value is unchanged).
    const earliest = Math.min(...[person.createdAt, person.lastEngagedAt, deal?.createdAt].filter((t): t is string => t !== undefined).map((t) => Date.parse(t)));
    person.createdAt = new Date(earliest).toISOString();
    const id = sink.addPerson(person);
    contacts++;
    if (deal !== null) {
      sink.addDeal(deal, id);
      deals++;
    }
  }
  return { contacts, deals };
}

export function generateSyntheticDataset(sink: DatasetSink, options: { contacts: number; seed?: number; today: Date }): DatasetCounts {
  const seed = options.seed ?? 1;
  const random = seededRandom(seed + 101);
  const sources = sourceRandom(seed);
  const signups = signupRandom(seed);
  const today = utcDay(options.today);
  const noonOf = new Map<number, string>();
  const noon = (day: number): string => {
    let s = noonOf.get(day);
    if (s === undefined) {
      s = atHour(day, 12);
      noonOf.set(day, s);
    }
    return s;
  };
  let contacts = 0;
  let deals = 0;
  const customers = simulateCustomers({
    model: 'pareto_nbd',
    params: [1, 18, 0.5, 30],
    spend: [6, 4, 15],
    customers: options.contacts,
    seed,
    unitDays: 7,
    firstDay: today - 730,
    cohortDays: 730,
    endDay: today,
  });
  for (const customer of customers) {
    const tag = String(contacts + 1).padStart(6, '0');
    const id = sink.addPerson({ email: `contact${tag}@example.com`, ...names(random), createdAt: atHour(createdBeforeFirstOrder(signups, customer.purchases[0].day), 9), lifecycle: 'customer', leadSource: leadSource(sources, CUSTOMER_SOURCES) });
    contacts++;
    customer.purchases.forEach((p, i) => {
      sink.addDeal({ name: `Order ${tag}-${i + 1}`, amount: p.amount.toFixed(2), createdAt: noon(p.day), closeAt: noon(p.day), outcome: 'won' }, id);
      deals++;
    });
    if (random() < 0.03) {
      sink.addDeal(openDeal(random, `Opportunity ${tag}`, today), id);
      deals++;
    }
  }
  return { contacts, deals };
}
