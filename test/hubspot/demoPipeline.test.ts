/**
 * The demo's simulated sales pipeline (sandboxes/hubspot/demoPipeline.ts) adds MEDDIC levels and lost
 * deals only: on the same CDNOW demo data, every contact's stage, LTV and churn risk are what they are
 * without it, and the pipeline's levels follow the generating model (won deals better qualified).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_MEDDIC_PROPERTIES, seedDemoPipeline } from '../../sandboxes/hubspot/demoPipeline.ts';
import { createHarness, type Harness } from './harness.ts';

const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

const DAY_MS = 86_400_000;

describe('the demo’s sales pipeline', () => {
  it('changes no customer’s scores: the same stages, LTVs and churn risks as the CDNOW demo without it', async () => {
    const plain = await createHarness({ dataset: 'demo' });
    harnesses.push(plain);
    const withPipeline = await createHarness({ dataset: 'demo' });
    harnesses.push(withPipeline);
    const counts = seedDemoPipeline(withPipeline.sandbox.data);
    expect(counts.won).toBe(6919);
    expect(counts.open).toBe(110);
    expect(counts.lost).toBeGreaterThan(0);

    // Won deals drew their levels from wins of the model, lost ones from its losses: wins are better qualified.
    const confirmed = (stage: string) => {
      const ids = withPipeline.sandbox.data.dealIds().filter((id) => withPipeline.sandbox.data.getDeal(id)?.properties.dealstage === stage);
      const total = ids.reduce((n, id) => n + Object.values(DEMO_MEDDIC_PROPERTIES).filter((p) => withPipeline.sandbox.data.getDeal(id)?.properties[p] === 'confirmed').length, 0);
      return total / ids.length;
    };
    expect(confirmed('closedwon')).toBeGreaterThan(confirmed('closedlost') + 0.3);

    const asOfDay = Math.floor(Date.now() / DAY_MS) - 14;
    expect((await plain.sync({ asOfDay })).status).toBe('succeeded');
    expect((await withPipeline.sync({ asOfDay })).status).toBe('succeeded');
    const a = plain.crmValues();
    const b = withPipeline.crmValues();
    expect(b.size).toBe(2657);
    expect(a.size).toBe(b.size);
    const n = plain.names;
    for (const [id, v] of a) {
      const w = b.get(id);
      expect({ stage: w?.[n.stage], ltv: w?.[n.ltv], churnRisk: w?.[n.churnRisk], clv: w?.[n.predictedClv] }, `contact ${id}`).toEqual({ stage: v[n.stage], ltv: v[n.ltv], churnRisk: v[n.churnRisk], clv: v[n.predictedClv] });
    }
  }, 180_000);
});
