/**
 * A third CRM takes a definition and one registration, nothing else: the memory CRM is registered
 * through the same path as HubSpot and Salesforce, and is then configured, chosen, connected and synced
 * by the program's generic code (config sections, credentials in the environment, connect, the engine).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorDefinition, register } from '../../connectors/registry.ts';
import { loadConfig } from '../../src/config/load.ts';
import { connect, resolveCrm } from '../../src/crm.ts';
import { silentLogger } from '../../src/log.ts';
import { openStore, type SqliteStore } from '../../src/store/sqlite.ts';
import { runSync } from '../../src/sync/engine.ts';
import { MemoryConnector, MemoryCrm, memoryCrms, memoryDefinition } from './memoryCrm.ts';

const DAY = 86_400_000;
const today = Math.floor(Date.UTC(2026, 10, 1) / DAY);
let store: SqliteStore;

beforeAll(() => {
  register(memoryDefinition);
  store = openStore(join(mkdtempSync(join(tmpdir(), 'lcs-registry-')), 'state.db'));
});
afterAll(() => store.close());

describe('the connector registry', () => {
  it('configures, chooses, connects and syncs a registered connector through the generic path', async () => {
    const crm = new MemoryCrm();
    for (let i = 0; i < 30; i++) crm.addCustomer(`c${String(i).padStart(2, '0')}`);
    for (let i = 0; i < 20; i++) crm.addDeal({ id: `d${i}`, customerIds: [`c${String(i).padStart(2, '0')}`], status: 'won', amount: 100 + i, closeDay: today - 30 - i });
    crm.addDeal({ id: 'd-open', customerIds: ['c25'], status: 'open', amount: 50, closeDay: null });
    memoryCrms.set('one', crm);
    expect(connectorDefinition('memory')).toBe(memoryDefinition);

    const config = loadConfig({ overrides: { memory: { pageSize: 7, batchSize: 4 } } });
    const env = { MEMORY_CRM: 'one' };
    expect(resolveCrm(config, env)).toBe('memory');
    const { installationId, connector } = await connect({ config, env, store, crm: 'memory', log: silentLogger() });
    expect(connector).toBeInstanceOf(MemoryConnector);
    expect(await store.getInstallation(installationId)).toMatchObject({ crm: 'memory', name: 'Memory CRM one' });

    const base = { store, connector, installationId, classifier: config.classifier, sync: config.sync, log: silentLogger(), asOfDay: today };
    const first = await runSync(base);
    expect(first).toMatchObject({ status: 'succeeded', failed: 0, pulled: { customers: 30, deals: 21 } });
    const memory = connector as MemoryConnector;
    for (let i = 0; i < 20; i++) expect(memory.valuesOf(`c${String(i).padStart(2, '0')}`).ltv).toBe(String(100 + i));
    expect(memory.valuesOf('c25').stage).toBe('consideration');
    const second = await runSync(base);
    expect(second).toMatchObject({ status: 'succeeded', written: 0 });
  });

  it('refuses a section key its schema does not know, and a CRM it does not list', () => {
    expect(() => loadConfig({ overrides: { memory: { pageSise: 7 } } })).toThrow(/memory: unknown key "pageSise"/);
    expect(() => loadConfig({ overrides: { crm: 'pipedrive' } })).toThrow(/crm: must be hubspot, salesforce or memory/);
  });
});
