/**
 * The store writes no secret the process knows into a run's message or errors, even when the text
 * came from somewhere that did not mask it (a per-record error that quotes a token, a proxy's page).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/sqlite.ts';
import { emptyRunStats } from '../../src/store/types.ts';

const KEY = 'a-very-long-test-passphrase-1234567890';

describe('run text in the store', () => {
  it('masks stored CRM credentials (once loaded or saved) and token shapes in run messages and run errors', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lcs-redaction-')), 'state.db');
    const writer = openStore(path, { encryptionKey: KEY });
    await writer.upsertInstallation({ id: 'i', crm: 'hubspot', name: 'I' });
    const access = 'stored-access-token-7c1e9a0b2d4f';
    const refresh = 'stored-refresh-token-3b5d7f9a1c2e';
    await writer.saveCredentials('i', { kind: 'oauth', accessToken: access, refreshToken: refresh, expiresAt: 1 });
    await writer.close();

    // Another process: it learns the credentials when it loads them.
    const store = openStore(path, { encryptionKey: KEY });
    expect((await store.loadCredentials('i'))?.accessToken).toBe(access);
    await store.createRun({ id: 'r1', installationId: 'i', kind: 'sync', mode: null, status: 'running', asOf: '2026-01-01', startedAt: 1, stats: emptyRunStats(), rollbackOf: null, scoredAt: null });
    await store.updateRun('r1', { status: 'failed', message: `the CRM said: token ${access} is invalid (Authorization: Bearer ${refresh})` });
    await store.addRunErrors([{ runId: 'r1', recordId: 'c1', phase: 'write', code: 'ERROR', message: `rejected ${refresh}; key pat-na1-0000-1111-2222`, at: 2 }]);

    expect((await store.getRun('r1'))?.message).toBe('the CRM said: token [redacted] is invalid (Authorization: [redacted])');
    expect((await store.listRunErrors('r1'))[0].message).toBe('rejected [redacted]; key [redacted-token]');
    await store.close();
    for (const file of [path, `${path}-wal`]) {
      if (!existsSync(file)) continue;
      const bytes = readFileSync(file);
      for (const secret of [access, refresh]) expect(bytes.includes(secret), `${file} holds ${secret}`).toBe(false);
    }
  });
});
