/**
 * `lifecycle-sync watch` as a user runs it: against the HubSpot sandbox, it prints a line for the cycle
 * that wrote a closed deal's contact (and none for idle ones), and stops cleanly on SIGTERM.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startChild, type LongChild } from '../cliChild.ts';
import { until } from '../until.ts';
import { createHarness, type Harness } from './harness.ts';

let h: Harness | undefined;
let child: LongChild | undefined;
afterEach(async () => {
  await child?.kill('SIGKILL');
  child = undefined;
  await h?.close();
  h = undefined;
});

describe('lifecycle-sync watch', () => {
  it('a line for the cycle that wrote, none for idle cycles; SIGTERM stops it after its cycle', async () => {
    h = await createHarness({ dataset: { contacts: 100 } });
    const harness = h;
    const contactId = harness.sandbox.data.createContact({ email: 'cli.prospect@example.com', firstname: 'Cleo' });
    const dealId = harness.sandbox.data.createDeal({ dealname: 'Cleo opportunity', amount: '275.00', pipeline: 'default', dealstage: 'qualifiedtobuy', closedate: new Date(Date.now() + 20 * 86_400_000).toISOString() }, [contactId]);
    expect((await harness.sync()).status).toBe('succeeded');
    const env = { ...harness.env, LIFECYCLE_SYNC_CONFIG: harness.configPath, ENCRYPTION_KEY: 'test-encryption-key-with-enough-entropy-0123456789', LOG_LEVEL: 'warn' };
    const running = await startChild(['watch', '--interval', '2'], env, /Watching hubspot every 2 s/);
    child = running;
    // The first cycle catches up with what changed since the run's pull (the deal made before it: nothing
    // to write); then idle cycles print nothing.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const lines = running.stdout();
    expect(lines).not.toMatch(/wrote [1-9]/);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect(running.stdout()).toBe(lines);
    harness.sandbox.data.updateDeal(dealId, { dealstage: 'closedwon', closedate: new Date().toISOString() });
    const line = await until('a line for the cycle that wrote', () => Promise.resolve(/rescored 1, wrote 1 \(run (run_\S+),/.exec(running.stdout())), 60_000, () => running.stderr());
    expect(harness.crmValues().get(contactId)).toMatchObject({ lcs_stage: 'purchase', lcs_ltv: '275' });
    expect((await harness.store.getRun(line[1]))?.kind).toBe('rescore');
    await running.kill('SIGTERM');
    expect(running.stdout()).toContain('Stopped.');
    expect(running.stderr()).toBe('');
  }, 120_000);
});
