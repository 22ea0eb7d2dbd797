/**
 * A sync killed anywhere resumes to the CRM state of a clean run with the same as-of day: killed in each
 * phase by name (fields, customer pages, deal pages, classify, between write batches, mid-batch), and at
 * steps a seeded generator picks (a failing trial names its seed; ENGINE_SEED=<seed> replays it alone).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FIELD_KEYS, type FieldValues } from '../../connectors/contract/index.ts';
import type { SyncSummary } from '../../src/sync/engine.ts';
import { auditRecords, name, seededRandom, STORE_KINDS, TODAY, trialSeeds, World, worldsClosedAfterEach, type KilledRun, type Step, type WorldOptions } from './harness.ts';

/** The CRM state a clean run leaves, and how many steps it takes (the random trials' range). */
interface Reference {
  values: Map<string, FieldValues>;
  steps: number;
  customers: number;
  deals: number;
}

/**
 * A nightly run's situation: synced a week ago; since then new purchases, a new customer, an NPS given,
 * a reason and a stage people changed by hand (the run sets the stage back).
 */
async function aWeekLater(w: World): Promise<void> {
  const first = await w.sync({ asOfDay: TODAY - 7 });
  if (first.status !== 'succeeded') throw new Error(`the first run ${first.status}`);
  const ids = [...w.crm.customers.keys()].sort();
  w.crm.addDeal({ id: 'later-1', customerIds: [ids[2]], status: 'won', amount: 250, closeDay: TODAY - 2 });
  w.crm.addDeal({ id: 'later-2', customerIds: [ids[40]], status: 'won', amount: 80, closeDay: TODAY - 1 });
  w.crm.addCustomer('c900', { nps: 9 });
  w.crm.addDeal({ id: 'later-3', customerIds: ['c900'], status: 'won', amount: 500, closeDay: TODAY - 3 });
  const customer = w.crm.customers.get(ids[30]);
  if (customer) customer.signals = { ...customer.signals, nps: 10 };
  w.crm.edit(ids[30], name('stageReason'), 'typed by hand');
  w.crm.edit(ids[20], name('stage'), 'advocacy');
}

const scenarios = { 'a first sync': async () => {}, 'a nightly sync a week later': aWeekLater } as const;
type Scenario = keyof typeof scenarios;
const references = new Map<Scenario, Reference>();
const reference = (scenario: Scenario): Reference => {
  const r = references.get(scenario);
  if (!r) throw new Error(`no reference for ${scenario}`);
  return r;
};
/** A world in the scenario's situation, just before the run that will be killed. */
async function prepared(world: (o?: WorldOptions) => World, scenario: Scenario): Promise<World> {
  const w = world();
  await scenarios[scenario](w);
  return w;
}

beforeAll(async () => {
  for (const scenario of Object.keys(scenarios) as Scenario[]) {
    const w = new World();
    await scenarios[scenario](w);
    // The reference: one clean run, traced so the random trials know how many steps a run takes.
    const traced = await w.killedSync(() => false);
    if (traced.summary?.status !== 'succeeded') throw new Error(`the clean run of ${scenario} did not succeed`);
    references.set(scenario, { values: w.values(), steps: traced.steps.length, customers: w.crm.customers.size, deals: w.crm.deals.size });
    await w.close();
  }
});

const describeStep = (s: Step | null) => (s ? `step ${s.n} (${s.phase}: ${s.what} #${s.nthOfKind})` : 'no step (the run finished first)');

/** Whether the killed run got as far as a step (before the one it died at). */
const reached = (killed: KilledRun, what: string, phase?: Step['phase']) =>
  killed.steps.some((s) => s.what === what && (phase === undefined || s.phase === phase) && s.n < (killed.killedAt?.n ?? Infinity));

/**
 * A killed run, once the next run has started: interrupted, with the counts its audit shows — unless it
 * died after recording its own end (giving its lease back was all that was left).
 */
async function expectInterrupted(w: World, killed: KilledRun, context: string): Promise<void> {
  if (!reached(killed, 'store.createRun')) {
    expect(await w.store.getRun(killed.runId), context).toBeNull();
    return;
  }
  const dead = await w.run(killed.runId);
  if (reached(killed, 'store.updateRun', 'end')) {
    expect(dead.status, context).toBe('succeeded');
    return;
  }
  const applied = (await auditRecords(w.store, killed.runId, 'applied')).size;
  const inFlight = (await auditRecords(w.store, killed.runId, 'superseded')).size;
  expect(dead.status, context).toBe('interrupted');
  expect(dead.stats.written, `${context}: counts from the audit`).toBe(applied);
  expect(dead.message, context).toContain(`${applied} records written`);
  if (inFlight > 0) expect(dead.message, context).toContain(`${inFlight} in flight when it stopped`);
  else expect(dead.message, context).not.toMatch(/in flight/);
}

/**
 * What a person checks after a kill: the dead run stays "running" until the next process; that process
 * is refused while the dead run's lease lasts, then marks it interrupted with what its audit says it
 * wrote, and writes exactly the records the CRM does not hold yet. Returns the resumed run.
 */
async function resumeAfter(w: World, killed: KilledRun, context: string, clean = reference('a first sync')): Promise<SyncSummary> {
  expect(killed.killedAt, context).not.toBeNull();
  // Nothing after the kill ran: no recorded end, no released lease.
  if (reached(killed, 'store.createRun') && !reached(killed, 'store.updateRun', 'end')) expect((await w.store.getRun(killed.runId))?.status, context).toBe('running');
  if (reached(killed, 'store.acquireLock')) await expect(w.sync(), context).rejects.toMatchObject({ code: 'SYNC_LOCKED' });
  await w.restart();
  const missing = w.differing(clean.values);
  const resumed = await w.sync();
  expect(resumed, context).toMatchObject({ status: 'succeeded', failed: 0 });
  expect(resumed.written, `${context}: the resumed run writes exactly the records the CRM does not hold yet`).toBe(missing.length);
  await expectInterrupted(w, killed, context);
  return resumed;
}

describe.each(STORE_KINDS)('on the %s store', (kind) => {
  const world = worldsClosedAfterEach(kind);

  describe('a first sync killed in each phase resumes to the clean run\u2019s CRM state', () => {
    const clean = () => reference('a first sync');
    it('killed while creating fields: the next run creates the rest', async () => {
      const w = world();
      // Request 1 reads the fields, 2 and 3 create two of them, the process dies sending the third.
      const killed = await w.killedSync((s) => s.what === 'crm.fields' && s.nthOfKind === 4);
      expect(w.crm.definitions.size).toBe(2);
      const resumed = await resumeAfter(w, killed, 'fields');
      expect(resumed.fields?.created).toHaveLength(FIELD_KEYS.length - 2);
      expect(resumed.written).toBe(clean().customers);
      expect(w.values()).toEqual(clean().values);
    });

    it('killed between pages of customers: the next run resumes the full pull after the last stored page', async () => {
      const w = world();
      const killed = await w.killedSync((s) => s.what === 'crm.pull' && s.nthOfKind === 3);
      const resumed = await resumeAfter(w, killed, 'customer pages');
      expect(resumed.mode).toBe('full');
      expect(resumed.pulled).toEqual({ customers: clean().customers - 2 * w.settings.pageSize, deals: clean().deals });
      expect(w.values()).toEqual(clean().values);
    });

    it('killed between pages of deals: the next run pulls the remaining deals only', async () => {
      const w = world();
      const customerPages = Math.floor(clean().customers / w.settings.pageSize) + 1;
      const killed = await w.killedSync((s) => s.what === 'crm.pull' && s.nthOfKind === customerPages + 3);
      const resumed = await resumeAfter(w, killed, 'deal pages');
      expect(resumed.mode).toBe('full');
      expect(resumed.pulled).toEqual({ customers: 0, deals: clean().deals - 2 * w.settings.pageSize });
      expect(w.values()).toEqual(clean().values);
    });

    it('killed while classifying: nothing was written; the next run writes every record', async () => {
      const w = world();
      const killed = await w.killedSync((s) => s.what === 'store.saveModelFit');
      expect(w.differing(clean().values)).toHaveLength(clean().customers);
      const resumed = await resumeAfter(w, killed, 'classify');
      expect(resumed.written).toBe(clean().customers);
      expect((await w.run(killed.runId)).stats.written).toBe(0);
      expect(w.values()).toEqual(clean().values);
    });

    it('killed between write batches: the next run writes the rest, none twice', async () => {
      const w = world({ config: { sync: { writeConcurrency: 1 } } });
      const batch = w.settings.batchSize;
      const killed = await w.killedSync((s) => s.what === 'crm.write' && s.nthOfKind === 3);
      expect(w.differing(clean().values)).toHaveLength(clean().customers - 2 * batch);
      const resumed = await resumeAfter(w, killed, 'between batches');
      expect((await w.run(killed.runId)).stats.written).toBe(2 * batch);
      // The third batch's intents were recorded before its request, which never left.
      expect((await w.run(killed.runId)).message).toContain(`${batch} in flight when it stopped`);
      expect(resumed.written).toBe(clean().customers - 2 * batch);
      const resumedApplied = await auditRecords(w.store, resumed.runId, 'applied');
      const both = [...(await auditRecords(w.store, killed.runId, 'applied'))].filter((id) => resumedApplied.has(id));
      expect(both).toEqual([]);
      expect(w.values()).toEqual(clean().values);
    });

    it('killed mid-batch (the CRM took the batch, the process died before recording it): the batch is not written again', async () => {
      const w = world({ config: { sync: { writeConcurrency: 1 } } });
      const batch = w.settings.batchSize;
      // Each batch records its applied, then its failed entries: the third call records the second batch.
      const killed = await w.killedSync((s) => s.what === 'store.setAuditState' && s.nthOfKind === 3);
      expect(w.differing(clean().values)).toHaveLength(clean().customers - 2 * batch);
      const resumed = await resumeAfter(w, killed, 'mid-batch');
      expect((await w.run(killed.runId)).stats.written).toBe(batch);
      expect(resumed.written).toBe(clean().customers - 2 * batch);
      expect(w.values()).toEqual(clean().values);
    });

    it('killed twice, the second time while resuming, then run to the end', async () => {
      const w = world();
      const first = await w.killedSync((s) => s.what === 'crm.pull' && s.nthOfKind === 5);
      expect(first.killedAt).not.toBeNull();
      await w.restart();
      const second = await w.killedSync((s) => s.what === 'crm.write' && s.nthOfKind === 2);
      expect((await w.run(first.runId)).status).toBe('interrupted');
      await resumeAfter(w, second, 'second kill');
      expect(w.values()).toEqual(clean().values);
    });
  });

  describe.each(Object.keys(scenarios) as Scenario[])('%s killed at random steps resumes to the clean run\u2019s CRM state (ENGINE_SEED=<seed> replays one)', (scenario) => {
    // Postgres runs fewer of them: its store calls are round trips, and the named kills above cover each phase.
    it.each(trialSeeds(kind === 'sqlite' ? 24 : 4))('seed %i', async (seed) => {
      const clean = reference(scenario);
      const random = seededRandom(seed);
      const stepOf = () => 1 + Math.floor(random() * clean.steps);
      const w = await prepared(world, scenario);
      const trail: string[] = [];
      const killedRuns: KilledRun[] = [];
      const context = () => `${scenario}, seed ${seed} (replay: ENGINE_SEED=${seed} npx vitest run test/engine/resume.test.ts): ${trail.join('; then ')}`;
      // One kill, or two (the second while resuming), then a run to the end.
      const kills = random() < 0.5 ? 1 : 2;
      for (let k = 0; k < kills; k++) {
        const at = stepOf();
        const killed = await w.killedSync((s) => s.n === at);
        trail.push(`run ${k + 1} killed at ${describeStep(killed.killedAt)}`);
        if (!killed.killedAt) break;
        killedRuns.push(killed);
        if (k < kills - 1) await w.restart();
        else await resumeAfter(w, killed, context(), clean);
      }
      for (const killed of killedRuns) await expectInterrupted(w, killed, context());
      expect(w.differing(clean.values), context()).toEqual([]);
    });
  });
});
