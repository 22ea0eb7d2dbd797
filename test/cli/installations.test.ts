/**
 * `lifecycle-sync installations …` as an agency uses it: two HubSpot portals (two sandboxes, each with
 * its own private app token) added from the environment, synced by id with nothing of theirs in the
 * environment, each run writing to its own portal only; settings of their own, pause and resume,
 * removal; and no command reaching one installation's data through the other's id. The CLI runs as a
 * child process on one SQLite file.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubSpotSandbox, seedSyntheticDataset, type HubSpotSandbox } from '../../sandboxes/hubspot/index.ts';
import { createSalesforceSandbox, sandboxOrgId, type SalesforceSandbox } from '../../sandboxes/salesforce/index.ts';
import { TEST_CONFIG, TEST_ENCRYPTION_KEY } from '../hubspot/harness.ts';
import { runCli, type CliResult } from './run.ts';

interface Portal {
  sandbox: HubSpotSandbox;
  url: string;
  token: string;
}

let dir: string;
let base: Record<string, string>;
const portals: Portal[] = [];

async function portal(token: string, seed: number, portalId: number): Promise<Portal> {
  let offset = -3_600_000;
  const sandbox = createHubSpotSandbox({ limits: { tenSecondly: 100_000, searchPerSecond: 1000 }, clock: () => Date.now() + offset, privateAppTokens: [{ token }], portalId });
  seedSyntheticDataset(sandbox.data, { contacts: 40, seed, today: new Date() });
  offset = 0;
  return { sandbox, url: await sandbox.listen(), token };
}

/** Contacts of a portal that hold a stage written by the plugin. */
function scored(p: Portal): number {
  return p.sandbox.data.contactIds().filter((id) => p.sandbox.data.getContact(id)?.properties.lcs_stage).length;
}

const cli = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => runCli(args, { ...base, ...env });
const ok = (r: CliResult): CliResult => {
  expect(r.code, r.stderr).toBe(0);
  return r;
};
const fails = (r: CliResult, message: RegExp): void => {
  expect(r.code, r.stdout).toBe(1);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
};

beforeAll(async () => {
  portals.push(await portal('pat-na1-portal-a-0000000000000000', 1, 30_000_001), await portal('pat-na1-portal-b-1111111111111111', 2, 30_000_002));
  dir = mkdtempSync(join(tmpdir(), 'lcs-installations-'));
  const configPath = join(dir, 'config.yaml');
  writeFileSync(configPath, stringify(TEST_CONFIG));
  base = { LIFECYCLE_SYNC_CONFIG: configPath, LIFECYCLE_SYNC_DB: join(dir, 'state.db'), ENCRYPTION_KEY: TEST_ENCRYPTION_KEY };
});
afterAll(async () => {
  for (const p of portals) await p.sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

const credentialsOf = (p: Portal) => ({ HUBSPOT_ACCESS_TOKEN: p.token, HUBSPOT_BASE_URL: p.url });

describe('lifecycle-sync installations', () => {
  const ids: string[] = [];

  it('adds an installation per portal from the environment\u2019s credentials, checked first; bad ones add nothing', async () => {
    const [a, b] = portals;
    fails(await cli(['sync']), /no CRM configured: .*add an installation \(`lifecycle-sync installations add`\)/);
    expect(existsSync(join(dir, 'state.db'))).toBe(false);
    for (const [p, name] of [[a, 'Client A'], [b, 'Client B']] as const) {
      const added = ok(await cli(['installations', 'add', '--crm', 'hubspot', '--name', name, '--json'], credentialsOf(p)));
      ids.push((JSON.parse(added.stdout) as { id: string }).id);
    }
    expect(ids[0]).toMatch(/^in_[0-9a-f]{16}$/);
    expect(ids[1]).not.toBe(ids[0]);
    fails(await cli(['installations', 'add', '--crm', 'hubspot', '--name', 'Wrong'], { HUBSPOT_ACCESS_TOKEN: 'pat-na1-not-a-token-of-this-portal', HUBSPOT_BASE_URL: a.url }), /do not work.*nothing was added/);
    fails(await cli(['installations', 'add', '--crm', 'hubspot', '--name', 'None']), /no HubSpot credentials in the environment/);
    fails(await cli(['installations', 'add', '--crm', 'hubspot', '--name', 'No key'], { ...credentialsOf(a), ENCRYPTION_KEY: '' }), /ENCRYPTION_KEY is not set/);
    const list = JSON.parse(ok(await cli(['installations', 'list', '--json'])).stdout) as { id: string; name: string; crm: string; accountId: string | null; status: string; lastRun: unknown }[];
    expect(list.map((i) => ({ id: i.id, name: i.name, crm: i.crm, accountId: i.accountId, status: i.status, lastRun: i.lastRun })).sort((x, y) => x.name.localeCompare(y.name))).toEqual([
      { id: ids[0], name: 'Client A', crm: 'hubspot', accountId: String(a.sandbox.portalId), status: 'active', lastRun: null },
      { id: ids[1], name: 'Client B', crm: 'hubspot', accountId: String(b.sandbox.portalId), status: 'active', lastRun: null },
    ]);
    // The table shows the portal id next to each installation.
    const table = ok(await cli(['installations', 'list'])).stdout;
    expect(table).toMatch(new RegExp(`${ids[0]}\\s+hubspot\\s+30000001\\s+active`));
    expect(ok(await cli(['installations', 'show', ids[1]])).stdout).toMatch(new RegExp(`${ids[1]}\\s+hubspot\\s+30000002\\s`));
    // The tokens are stored encrypted, never as text in the file.
    expect(readFileSync(join(dir, 'state.db')).includes(Buffer.from(a.token))).toBe(false);
  });

  it('refuses a second installation of a portal that has one, naming it; nothing is added or renamed', async () => {
    const [a] = portals;
    fails(
      await cli(['installations', 'add', '--crm', 'hubspot', '--name', 'Client A again'], credentialsOf(a)),
      new RegExp(`HubSpot account 30000001 already has installation ${ids[0]} \\("Client A", active\\); nothing was added`),
    );
    const list = JSON.parse(ok(await cli(['installations', 'list', '--json'])).stdout) as { id: string; name: string }[];
    expect(list.map((i) => i.name).sort()).toEqual(['Client A', 'Client B']);
  });

  it('syncs each installation with its own credentials: another portal\u2019s token in the environment is not used', async () => {
    const [a, b] = portals;
    fails(await cli(['sync']), new RegExp(`2 installations: pass --installation ID \\(.*${ids[0]}.*\\)`));
    // Portal A's credentials in the environment while installation B runs: B's portal is written, A's not.
    const first = JSON.parse(ok(await cli(['sync', '--installation', ids[1], '--json'], credentialsOf(a))).stdout) as { status: string; written: number };
    expect(first.status).toBe('succeeded');
    expect(first.written).toBeGreaterThan(0);
    expect(scored(b)).toBe(40);
    expect(scored(a)).toBe(0);
    ok(await cli(['sync', '--installation', ids[0], '--json']));
    expect(scored(a)).toBe(40);
  });

  it('reads one installation\u2019s runs and customers only through its own id', async () => {
    const runsOf = async (id: string) => JSON.parse(ok(await cli(['runs', '--installation', id, '--json'])).stdout) as { id: string; installationId: string }[];
    const [runA] = await runsOf(ids[0]);
    const [runB] = await runsOf(ids[1]);
    expect([runA.installationId, runB.installationId]).toEqual([ids[0], ids[1]]);
    fails(await cli(['runs', '--installation', ids[0], '--errors', runB.id]), new RegExp(`no run ${runB.id} for ${ids[0]}`));
    fails(await cli(['runs', '--installation', ids[0], '--abandon', runB.id]), new RegExp(`no run ${runB.id} for ${ids[0]}`));
    fails(await cli(['rollback', runB.id, '--installation', ids[0]]), new RegExp(`no run ${runB.id} for ${ids[0]}`));
    const contactOfB = portals[1].sandbox.data.contactIds()[0];
    const explained = await cli(['explain', contactOfB, '--installation', ids[0], '--json']);
    const contactOfA = portals[0].sandbox.data.contactIds()[0];
    // The portals' record ids may coincide: only an id that is not A's is asked for A.
    if (!portals[0].sandbox.data.contactIds().includes(contactOfB)) fails(explained, /no customer/);
    expect(ok(await cli(['explain', contactOfA, '--installation', ids[0], '--json'])).stdout).toContain(contactOfA);
    fails(await cli(['sync', '--installation', 'in_0000000000000000']), /no installation in_0000000000000000/);
  });

  it('keeps settings of an installation\u2019s own, checked as the configuration file\u2019s', async () => {
    ok(await cli(['installations', 'set', ids[0], 'schedule.cron', '0 3 * * *']));
    ok(await cli(['installations', 'set', ids[0], 'schedule.timezone', 'Europe/Berlin']));
    const shown = JSON.parse(ok(await cli(['installations', 'show', ids[0], '--json'])).stdout) as { settings: unknown; schedule: { cron: string; timezone: string } };
    expect(shown.settings).toEqual({ schedule: { cron: '0 3 * * *', timezone: 'Europe/Berlin' } });
    expect(shown.schedule).toMatchObject({ cron: '0 3 * * *', timezone: 'Europe/Berlin' });
    const other = JSON.parse(ok(await cli(['installations', 'show', ids[1], '--json'])).stdout) as { schedule: { cron: string; timezone: string } };
    expect(other.schedule.cron).not.toBe('0 3 * * *');
    fails(await cli(['installations', 'set', ids[0], 'schedule.cron', 'every night']), /installation in_[0-9a-f]+ settings: schedule\.cron: must be a cron expression/);
    fails(await cli(['installations', 'set', ids[0], 'schedule.timezone', 'Mars/Olympus']), /schedule\.timezone: must be an IANA time zone/);
    fails(await cli(['installations', 'set', ids[0], 'server.port', '1']), /"server\.port" is not a setting an installation can change/);
    fails(await cli(['installations', 'set', ids[0], 'sync.noSuchSetting', '1']), /sync: unknown key "noSuchSetting"/);
    // A refused setting leaves the others as they were.
    expect((JSON.parse(ok(await cli(['installations', 'show', ids[0], '--json'])).stdout) as { settings: unknown }).settings).toEqual(shown.settings);
    // Unset: the file's value applies again.
    ok(await cli(['installations', 'unset', ids[0], 'schedule.timezone']));
    const after = JSON.parse(ok(await cli(['installations', 'show', ids[0], '--json'])).stdout) as { settings: unknown; schedule: { timezone: string } };
    expect(after.settings).toEqual({ schedule: { cron: '0 3 * * *' } });
    expect(after.schedule.timezone).toBe(other.schedule.timezone);
  });

  it('pauses (no run starts) and resumes an installation', async () => {
    ok(await cli(['installations', 'pause', ids[0]]));
    fails(await cli(['sync', '--installation', ids[0]]), /is paused/);
    ok(await cli(['sync', '--installation', ids[1], '--dry-run']));
    ok(await cli(['installations', 'resume', ids[0]]));
    ok(await cli(['sync', '--installation', ids[0], '--dry-run']));
  });

  it('removes an installation: gone from every command, its runs kept; the other works as before', async () => {
    const removed = ok(await cli(['installations', 'remove', ids[0]]));
    expect(removed.stdout).toContain('removed');
    fails(await cli(['sync', '--installation', ids[0]]), /no installation .* \(it was removed\)/);
    fails(await cli(['installations', 'show', ids[0]]), /it was removed/);
    const list = JSON.parse(ok(await cli(['installations', 'list', '--json'])).stdout) as { id: string; name: string; status: string; lastRun: unknown }[];
    expect(list.find((i) => i.id === ids[0])).toMatchObject({ name: 'removed', status: 'uninstalled' });
    expect(list.find((i) => i.id === ids[0])?.lastRun).not.toBeNull();
    // With one installation left and no credentials in the environment, commands need no --installation.
    const next = JSON.parse(ok(await cli(['sync', '--json'])).stdout) as { status: string; runId: string };
    expect(next.status).toBe('succeeded');
    const runs = JSON.parse(ok(await cli(['runs', '--json'])).stdout) as { id: string; installationId: string }[];
    expect(runs[0]).toMatchObject({ id: next.runId, installationId: ids[1] });
  });
});

describe('lifecycle-sync installations add with Salesforce orgs', () => {
  const orgs: { sandbox: SalesforceSandbox; url: string }[] = [];
  const orgsDb = () => ({ LIFECYCLE_SYNC_DB: join(dir, 'orgs.db') });
  const credentialsOfOrg = (o: { sandbox: SalesforceSandbox; url: string }) => ({ ...orgsDb(), SALESFORCE_ACCESS_TOKEN: o.sandbox.accessToken, SALESFORCE_INSTANCE_URL: o.url, SALESFORCE_LOGIN_URL: o.url });

  beforeAll(async () => {
    for (const n of [2, 3]) {
      const sandbox = createSalesforceSandbox({ orgId: sandboxOrgId(n) });
      orgs.push({ sandbox, url: await sandbox.listen() });
    }
  });
  afterAll(async () => {
    for (const o of orgs) await o.sandbox.close();
  });

  it('stores each org\u2019s 18-character id; the same org again is refused, naming its installation', async () => {
    const added: { id: string; accountId: string }[] = [];
    for (const [i, o] of orgs.entries()) {
      added.push(JSON.parse(ok(await cli(['installations', 'add', '--crm', 'salesforce', '--name', `Org ${i}`, '--json'], credentialsOfOrg(o))).stdout) as { id: string; accountId: string });
    }
    expect(added.map((a) => a.accountId)).toEqual([orgs[0].sandbox.orgId, orgs[1].sandbox.orgId]);
    expect(added[0].accountId).toMatch(/^00D[0-9A-Za-z]{15}$/);
    const list = JSON.parse(ok(await cli(['installations', 'list', '--json'], orgsDb())).stdout) as { id: string; crm: string; accountId: string }[];
    expect(list.map((i) => ({ id: i.id, crm: i.crm, accountId: i.accountId })).sort((x, y) => x.accountId.localeCompare(y.accountId))).toEqual(
      added.map((a) => ({ id: a.id, crm: 'salesforce', accountId: a.accountId })).sort((x, y) => x.accountId.localeCompare(y.accountId)),
    );
    fails(
      await cli(['installations', 'add', '--crm', 'salesforce', '--name', 'Org 1 again'], credentialsOfOrg(orgs[1])),
      new RegExp(`Salesforce account ${orgs[1].sandbox.orgId} already has installation ${added[1].id} \\("Org 1", active\\); nothing was added`),
    );
    // Paused, it is still the org's installation: refused the same way.
    ok(await cli(['installations', 'pause', added[0].id], orgsDb()));
    fails(await cli(['installations', 'add', '--crm', 'salesforce', '--name', 'Org 0 again'], credentialsOfOrg(orgs[0])), new RegExp(`already has installation ${added[0].id} \\("Org 0", paused\\)`));
    // Removed, the org can be added again: as a new installation.
    ok(await cli(['installations', 'remove', added[0].id], orgsDb()));
    const again = JSON.parse(ok(await cli(['installations', 'add', '--crm', 'salesforce', '--name', 'Org 0', '--json'], credentialsOfOrg(orgs[0]))).stdout) as { id: string; accountId: string };
    expect(again.accountId).toBe(orgs[0].sandbox.orgId);
    expect(again.id).not.toBe(added[0].id);
    expect((JSON.parse(ok(await cli(['installations', 'list', '--json'], orgsDb())).stdout) as unknown[]).length).toBe(3);
  });
});
