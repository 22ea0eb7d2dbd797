/**
 * Datasets: the demo (the CDNOW sample as HubSpot contacts and closed-won deals, plus prospects) and a
 * synthetic base for the benchmark. Deterministic for a seed; written through SandboxData, so every
 * value is validated as the API would.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Papa from 'papaparse';
import { simulateCustomers } from '../../../src/classifier/simulate.ts';
import type { SandboxData } from './data.ts';
import { pick, seededRandom, type Random } from './random.ts';

const DAY_MS = 86_400_000;
const OPEN_STAGES = ['appointmentscheduled', 'qualifiedtobuy', 'presentationscheduled', 'decisionmakerboughtin', 'contractsent'];

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

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'demo', 'cdnow_sample.csv'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (demo/cdnow_sample.csv) above the sandbox');
    dir = parent;
  }
}

function utcDay(date: Date): number {
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

function person(random: Random): { firstname: string; lastname: string } {
  return { firstname: pick(random, FIRST_NAMES), lastname: pick(random, LAST_NAMES) };
}

function money(random: Random, min: number, max: number): string {
  return (min + random() * (max - min)).toFixed(2);
}

function openDeal(data: SandboxData, random: Random, contactId: string, name: string, today: number): void {
  data.createDeal({
    dealname: name,
    amount: money(random, 40, 1500),
    pipeline: 'default',
    dealstage: pick(random, OPEN_STAGES),
    createdate: atHour(today - 1 - Math.floor(random() * 45), 11),
    closedate: atHour(today + 1 + Math.floor(random() * 60), 12),
  }, [contactId]);
}

interface CdnowRow {
  customer_id: string;
  date: string;
  amount: string;
}

export function seedDemoDataset(data: SandboxData, options: { today?: Date; prospects?: number; seed?: number } = {}): { contacts: number; deals: number } {
  const random = seededRandom(options.seed ?? 1);
  const today = utcDay(options.today ?? new Date(data.now()));
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
    const props: Record<string, string> = {
      email: `customer${customer}@example.com`,
      ...person(random),
      lifecyclestage: 'customer',
      createdate: atHour(purchases[0].day + shift, 9),
    };
    const r = random();
    if (r < 0.03) props.hs_feedback_last_nps_rating = String(9 + Math.floor(random() * 2));
    else if (r < 0.045) props.hs_feedback_last_nps_rating = String(Math.floor(random() * 9));
    const contactId = data.createContact(props);
    contacts++;
    purchases.forEach((p, i) => {
      const when = atHour(p.day + shift, 12);
      data.createDeal({
        dealname: `CDNOW order ${customer}-${i + 1}`,
        amount: p.amount,
        pipeline: 'default',
        dealstage: 'closedwon',
        closedate: when,
        createdate: when,
      }, [contactId]);
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
    const props: Record<string, string> = {
      email: `prospect${tag}@example.com`,
      ...person(random),
      lifecyclestage: withDeal ? 'opportunity' : 'lead',
      createdate: atHour(today - 30 - Math.floor(random() * 335), 9),
    };
    if (engaged) props.notes_last_updated = new Date((today - random() * 60) * DAY_MS).toISOString();
    const contactId = data.createContact(props);
    contacts++;
    if (withDeal) {
      openDeal(data, random, contactId, `Prospect ${tag} opportunity`, today);
      deals++;
    } else if (!active && r < 0.56) {
      const lost = today - 10 - Math.floor(random() * 300);
      data.createDeal({
        dealname: `Prospect ${tag} (lost)`,
        amount: money(random, 40, 800),
        pipeline: 'default',
        dealstage: 'closedlost',
        createdate: atHour(lost - 20, 11),
        closedate: atHour(lost, 12),
      }, [contactId]);
      deals++;
    }
  }
  return { contacts, deals };
}

export function seedSyntheticDataset(data: SandboxData, options: { contacts: number; seed?: number; today?: Date }): { contacts: number; deals: number } {
  const seed = options.seed ?? 1;
  const random = seededRandom(seed + 101);
  const today = utcDay(options.today ?? new Date(data.now()));
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
    const contactId = data.createContact({
      email: `contact${tag}@example.com`,
      ...person(random),
      lifecyclestage: 'customer',
      createdate: atHour(customer.purchases[0].day, 9),
    });
    contacts++;
    customer.purchases.forEach((p, i) => {
      data.createDeal({
        dealname: `Order ${tag}-${i + 1}`,
        amount: p.amount.toFixed(2),
        pipeline: 'default',
        dealstage: 'closedwon',
        closedate: noon(p.day),
        createdate: noon(p.day),
      }, [contactId]);
      deals++;
    });
    if (random() < 0.03) {
      openDeal(data, random, contactId, `Opportunity ${tag}`, today);
      deals++;
    }
  }
  return { contacts, deals };
}
