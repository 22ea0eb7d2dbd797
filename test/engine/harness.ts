/**
 * What the engine's policy tests share: the memory CRM seeded with a fixed base of customers and deals,
 * an installation on a store of its own (a temporary SQLite file, or a Postgres schema: `store: 'postgres'`),
 * runs and rollbacks through the real engine, and a faithful kill. A kill stops the "process" at a chosen
 * step (a store call or a CRM request): from then on every store call and every CRM request throws, so
 * nothing after that point lands anywhere — no `finally`, no recorded end — and the next run gets a fresh
 * store object on the same database, its clock past the lease.
 */
import { allAudit } from '../storeReads.ts';
import { afterEach, vi } from 'vitest';
import type { FieldValues } from '../../connectors/contract/index.ts';
import { seededRandom } from '../../sandboxes/shared/seededRandom.ts';
import { simulateCustomers } from '../../src/classifier/simulate.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/log.ts';
import type { RunRecord, Store } from '../../src/store/types.ts';
import { runSync, type SyncRunOptions, type SyncSummary } from '../../src/sync/engine.ts';
import { dealFieldSpecs } from '../../src/sync/dealFields.ts';
import { fieldSpecs } from '../../src/sync/fields.ts';
import { rescoreCustomers, type RescoreOutcome } from '../../src/sync/rescore.ts';
import { runRollback } from '../../src/sync/rollback.ts';
import { watchCycle, type WatchCycle } from '../../src/sync/watch.ts';
import { storePlaces, temporarySqlitePlace, type StoreKind, type StorePlace } from '../stores.ts';
import { MemoryConnector, MemoryCrm, type MemorySettings } from './memoryCrm.ts';

export { STORE_KINDS, type StoreKind } from '../stores.ts';

export const DAY_MS = 86_400_000;
/** The memory CRM's clock starts at 2026-11-01 12:00 UTC: that day is "today". */
export const TODAY = Math.floor(Date.UTC(2026, 10, 1) / DAY_MS);
export const INSTALLATION = 'memory';

/** The CRM's names of the plugin's fields (the memory connector's default prefix). */
export const name = (key: keyof FieldValues): string => `lcs_${key}`;

export type ConfigOverrides = { sync?: Record<string, unknown>; classifier?: Record<string, unknown> };

/**
 * A base drawn from the Pareto/NBD and Gamma-Gamma models' own stories (so the models fit it), with
 * prospects, people with open deals only, lost and open deals beside purchases, and a few NPS ratings
 * and engagements. Ids sort in creation order.
 */
export function seedBase(crm: MemoryCrm, o: { customers: number; seed: number }): void {
  const random = seededRandom(o.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const buyers = simulateCustomers({
    model: 'pareto_nbd',
    params: [0.8, 6, 0.6, 10],
    spend: [6, 4, 15],
    customers: o.customers,
    seed: o.seed,
    unitDays: 7,
    firstDay: TODAY - 900,
    cohortDays: 600,
    endDay: TODAY - 1,
  });
  let deal = 0;
  const addDeal = (customerId: string, status: 'won' | 'open' | 'lost', closeDay: number | null, amount: number) =>
    crm.addDeal({ id: `d${String(deal++).padStart(4, '0')}`, customerIds: [customerId], status, amount, closeDay });
  let i = 0;
  for (const buyer of buyers) {
    const id = `c${String(i++).padStart(3, '0')}`;
    crm.addCustomer(id, {
      ...(random() < 0.2 ? { nps: int(0, 10) } : {}),
      ...(random() < 0.3 ? { lastEngagementDay: TODAY - int(1, 200) } : {}),
    });
    const kind = random();
    if (kind < 0.08) continue; // a prospect
    if (kind < 0.16) {
      addDeal(id, 'open', null, int(100, 900));
      continue;
    }
    for (const p of buyer.purchases) addDeal(id, 'won', p.day, p.amount);
    if (random() < 0.15) addDeal(id, 'lost', TODAY - int(1, 300), int(50, 400));
    if (random() < 0.15) addDeal(id, 'open', null, int(50, 400));
  }
}

/** Where a step of a run happened, for people replaying a trial. */
export type StepPhase = 'setup' | 'fields' | 'pull' | 'classify' | 'write' | 'rollback' | 'end';

/** The phase a step belongs to, from the first step of each phase (the engine's order). */
function phaseAfter(previous: StepPhase, what: string): StepPhase {
  switch (what) {
    case 'crm.fields':
      return 'fields';
    case 'store.getCursor':
      return previous === 'fields' ? 'pull' : previous; // the pull phase starts by reading the cursor
    case 'crm.pull':
      return 'pull';
    case 'store.countCustomers':
      return 'classify'; // the plan phase starts by sizing its feature table
    case 'crm.read':
      return 'rollback';
    case 'store.addAudit':
      return 'write';
    case 'store.addRequestUsage':
      return 'end';
    default:
      return previous;
  }
}

/** One step of a run: a store call or a CRM request, numbered from 1 within the run. */
export interface Step {
  n: number;
  phase: StepPhase;
  /** `store.upsertCustomers`, `crm.write`... */
  what: string;
  /** The n-th step of this kind in the run (from 1): `crm.write` #3 is the third write request. */
  nthOfKind: number;
}

export interface KilledRun {
  /** The run's id (given to the engine, so known even when the run never got to record itself). */
  runId: string;
  /** The step the process died at, or null when the run ended before it. */
  killedAt: Step | null;
  /** What the run's promise settled with (for a killed run, its own idea of its end, never recorded). */
  summary: SyncSummary | null;
  /** Every step the run took (up to the kill). */
  steps: Step[];
}

export interface WorldOptions {
  customers?: number;
  seed?: number;
  memory?: Partial<MemorySettings>;
  config?: ConfigOverrides;
  /** Where its store lives (a temporary SQLite file by default; removed when the world closes). */
  place?: Promise<StorePlace>;
}

export type SyncOptions = Partial<Pick<SyncRunOptions, 'dryRun' | 'full' | 'asOfDay'>>;

let runCounter = 0;

/** One installation on the memory CRM, with its own state database. */
export class World {
  readonly crm: MemoryCrm;
  config: Config;
  readonly settings: MemorySettings;
  private place: StorePlace | null = null;
  private removePlace: () => void = () => {};
  private current: Store | null = null;

  constructor(o: WorldOptions = {}) {
    this.crm = new MemoryCrm();
    seedBase(this.crm, { customers: o.customers ?? 64, seed: o.seed ?? 20261101 });
    // An hour passes before the first sync (the records are not all within the incremental pull's look-back).
    this.crm.now += 3_600_000;
    this.config = loadConfig({ overrides: o.config ?? {} });
    this.settings = { pageSize: 7, batchSize: 4, fieldPrefix: 'lcs_', ...o.memory };
    const place =
      o.place ??
      Promise.resolve().then(() => {
        const temporary = temporarySqlitePlace();
        this.removePlace = temporary.remove;
        return temporary;
      });
    this.ready = place.then(async (p) => {
      this.place = p;
      this.current = await this.openStore();
      await this.current.upsertInstallation({ id: INSTALLATION, crm: 'memory', name: 'Memory CRM' });
    });
  }

  /** The store opened and the installation's row written (runs wait for it). */
  readonly ready: Promise<void>;

  /** The store of the current "process"; replaced after a kill. */
  get store(): Store {
    if (!this.current) throw new Error('the world is not open yet: await w.ready (every run does)');
    return this.current;
  }

  /** The admin changes the configuration (`overrides` over the defaults) before the next run. */
  configure(overrides: ConfigOverrides): void {
    this.config = loadConfig({ overrides });
  }

  /** The store and the runs read the CRM's clock, so the cursor, the lease and the CRM agree on time. */
  private openStore(): Promise<Store> {
    if (!this.place) throw new Error('the world is not open yet');
    return this.place.open({ clock: () => this.crm.now });
  }

  /** A connector as a new process would make it (request counters from zero). */
  connector(): MemoryConnector {
    return new MemoryConnector(this.crm, this.settings, fieldSpecs(this.config.classifier, this.config.sync), this.config.sync.deals.enabled ? dealFieldSpecs() : undefined);
  }

  private syncOptions(store: Store, options: SyncOptions): SyncRunOptions {
    return {
      store,
      connector: this.connector(),
      installationId: INSTALLATION,
      classifier: this.config.classifier,
      sync: this.config.sync,
      log: silentLogger(),
      clock: () => this.crm.now,
      asOfDay: TODAY,
      ...options,
    };
  }

  async sync(options: SyncOptions = {}): Promise<SyncSummary> {
    await this.ready;
    return runSync(this.syncOptions(this.store, options));
  }

  /** A few customers rescored between runs (sync/rescore.ts), as the watch and webhooks do. */
  async rescore(customerIds: string[]): Promise<RescoreOutcome> {
    await this.ready;
    return rescoreCustomers({ store: this.store, connector: this.connector(), installationId: INSTALLATION, customerIds, classifier: this.config.classifier, sync: this.config.sync, log: silentLogger(), clock: () => this.crm.now });
  }

  /** One cycle of the light watch (sync/watch.ts). */
  async watch(connector: MemoryConnector = this.connector()): Promise<WatchCycle> {
    await this.ready;
    return watchCycle({ store: this.store, connector, installationId: INSTALLATION, classifier: this.config.classifier, sync: this.config.sync, log: silentLogger(), clock: () => this.crm.now });
  }

  async rollback(runId: string, store: Store = this.store): Promise<SyncSummary> {
    await this.ready;
    return runRollback({ store, connector: this.connector(), installationId: INSTALLATION, runId, sync: this.config.sync, log: silentLogger(), clock: () => this.crm.now });
  }

  /** The plugin's fields of every customer, canonical, as the CRM holds them: what an admin sees. */
  values(): Map<string, FieldValues> {
    const connector = this.connector();
    return new Map([...this.crm.customers.keys()].sort().map((id) => [id, connector.valuesOf(id)]));
  }

  /** Customers whose fields differ from `expected` (ids). */
  differing(expected: Map<string, FieldValues>): string[] {
    const now = this.values();
    return [...new Set([...now.keys(), ...expected.keys()])].filter((id) => JSON.stringify(now.get(id)) !== JSON.stringify(expected.get(id)));
  }

  async run(id: string): Promise<RunRecord> {
    await this.ready;
    const run = await this.store.getRun(id);
    if (!run) throw new Error(`no run ${id}`);
    return run;
  }

  /**
   * Runs `start` as a process that dies at the first step `killAt` picks. The run's promise is let
   * settle (its end retries run on fake timers) but nothing it does after the kill reaches the store or
   * the CRM; its store is closed. `restart` then plays the next process.
   */
  async killed(start: (store: Store, runId: string) => Promise<SyncSummary>, killAt: (step: Step) => boolean): Promise<KilledRun> {
    await this.ready;
    const raw = await this.openStore();
    const runId = `run_killed_${++runCounter}`;
    const steps: Step[] = [];
    const kinds = new Map<string, number>();
    let phase: StepPhase = 'setup';
    let dead: Step | null = null;
    const step = (what: string) => {
      if (dead) throw new Error(`the process died at step ${dead.n} (${dead.what})`);
      phase = phaseAfter(phase, what);
      const nthOfKind = (kinds.get(what) ?? 0) + 1;
      kinds.set(what, nthOfKind);
      const s: Step = { n: steps.length + 1, phase, what, nthOfKind };
      steps.push(s);
      if (killAt(s)) {
        dead = s;
        throw new Error(`the process died at step ${s.n} (${s.what})`);
      }
    };
    // Every store call is a step, also inside an explicit transaction (whose store is wrapped the same way):
    // after the kill, a transaction in flight fails and rolls back, as it would in a dead process.
    const deadly = (inner: Store): Store =>
      new Proxy(inner, {
        get(target, property, receiver) {
          const value: unknown = Reflect.get(target, property, receiver);
          if (typeof value !== 'function' || typeof property !== 'string') return value;
          if (property === 'transaction') {
            return (fn: (tx: Store) => Promise<unknown>): Promise<unknown> => {
              step('store.transaction');
              return target.transaction((tx) => fn(deadly(tx)));
            };
          }
          return (...args: unknown[]): unknown => {
            step(`store.${property}`);
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    const store = deadly(raw);
    const previousHook = this.crm.beforeRequest;
    this.crm.beforeRequest = (kind, n) => {
      step(`crm.${kind}`);
      previousHook?.(kind, n);
    };
    // The run's end is retried on timers (seconds): faked, and advanced only once the process is dead.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    let settled = false;
    let summary: SyncSummary | null = null;
    try {
      // A start that throws at once (the store died at its first call) settles like any other end.
      const running = new Promise<SyncSummary>((resolve) => resolve(start(store, runId)))
        .then(
          (s) => {
            summary = s;
          },
          () => {
            // a killed run rejects with the kill, or its start was refused: either way it is over
          },
        )
        .finally(() => {
          settled = true;
        });
      while (!settled) {
        if (dead) await vi.advanceTimersByTimeAsync(1000);
        else await new Promise((resolve) => setImmediate(resolve));
      }
      await running;
    } finally {
      vi.useRealTimers();
      this.crm.beforeRequest = previousHook;
      await raw.close();
    }
    const killedAt: Step | null = dead;
    return { runId, killedAt, summary, steps };
  }

  /** A sync in a process that dies at the step `killAt` picks. */
  killedSync(killAt: (step: Step) => boolean, options: SyncOptions = {}): Promise<KilledRun> {
    return this.killed((store, runId) => runSync({ ...this.syncOptions(store, options), runId }), killAt);
  }

  /** A rollback in a process that dies at the step `killAt` picks. */
  killedRollback(target: string, killAt: (step: Step) => boolean): Promise<KilledRun> {
    return this.killed(
      (store, runId) => runRollback({ store, connector: this.connector(), installationId: INSTALLATION, runId: target, newRunId: runId, sync: this.config.sync, log: silentLogger(), clock: () => this.crm.now }),
      killAt,
    );
  }

  /**
   * The next process after a kill: time moves past the dead run's lease (same process id, so only its
   * expiry frees it), and the state file is opened anew.
   */
  async restart(): Promise<void> {
    await this.ready;
    this.crm.now += (this.config.sync.lockTtlSeconds + 1) * 1000;
    await this.store.close();
    this.current = await this.openStore();
  }

  async close(): Promise<void> {
    await this.ready.catch(() => undefined);
    await this.current?.close();
    this.removePlace();
  }
}

/**
 * A test file's (or describe block's) way to open worlds on a kind of store: each is closed after the
 * test; their databases are removed after the block.
 */
export function worldsClosedAfterEach(kind: StoreKind = 'sqlite'): (o?: WorldOptions) => World {
  const places = storePlaces(kind);
  const open: World[] = [];
  afterEach(async () => {
    for (const w of open.splice(0)) await w.close();
  });
  return (o) => {
    const w = new World({ place: places(), ...o });
    open.push(w);
    return w;
  };
}

/** The CRM state a clean run leaves (a fresh world with the same base, one sync with `options`). */
export async function cleanEndState(o: WorldOptions = {}, options: SyncOptions = {}): Promise<Map<string, FieldValues>> {
  const w = new World(o);
  try {
    const run = await w.sync(options);
    if (run.status !== 'succeeded') throw new Error(`the clean run ${run.status}: ${run.message ?? ''}`);
    return w.values();
  } finally {
    await w.close();
  }
}

/** The distinct records of a run's audit in a state. */
export async function auditRecords(store: Store, runId: string, state: 'applied' | 'failed' | 'pending' | 'superseded'): Promise<Set<string>> {
  return new Set((await allAudit(store, runId)).filter((e) => e.state === state).map((e) => e.recordId));
}

/**
 * The seeds of a file's random trials: ENGINE_SEED=<seed> replays one; ENGINE_TRIALS=<n> runs n of them
 * (to hunt for a rare failure) instead of the `count` a normal run takes.
 */
export function trialSeeds(count: number): number[] {
  const replay = process.env.ENGINE_SEED;
  if (replay !== undefined && replay !== '') {
    const seed = Number(replay);
    if (!Number.isInteger(seed)) throw new Error(`ENGINE_SEED must be a whole number, not ${replay}`);
    return [seed];
  }
  const trials = process.env.ENGINE_TRIALS;
  const n = trials === undefined || trials === '' ? count : Number(trials);
  if (!Number.isInteger(n) || n < 1) throw new Error(`ENGINE_TRIALS must be a whole number from 1, not ${trials ?? ''}`);
  return Array.from({ length: n }, (_, i) => i + 1);
}

export { seededRandom };
