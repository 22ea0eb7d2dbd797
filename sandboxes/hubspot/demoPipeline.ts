/**
 * The demo's sales pipeline (issue #14), on top of the CDNOW demo dataset: MEDDIC levels a sales team
 * would have recorded, SIMULATED from a known logistic model (src/classifier/deals/simulate.ts), so that
 * deal scoring has something to show. The team's own MEDDIC properties (`meddic_*` on deals, not the
 * plugin's: the demo maps them with `hubspot.dealFieldNames`) are created and filled:
 * - every open deal (the prospects' opportunities) gets levels drawn from the model's qualification;
 * - every closed-won deal (the CDNOW orders) gets the levels of a simulated deal the model made won, and
 *   each simulated deal the model made lost becomes a closed-lost deal of a CDNOW customer (the buyer of a
 *   won order picked in turn), dated and priced like the orders, so won and lost differ only by what the
 *   model put in their MEDDIC levels.
 * Nothing here changes who is a customer or their purchases: lost deals are not purchases and no deal is
 * opened, so every stage, LTV and customer count of the demo stays what the CDNOW sample gives.
 * Deterministic: the same dataset gets the same levels and lost deals.
 */
import { MEDDIC_ELEMENTS, MEDDIC_LEVELS, type MeddicElement, type MeddicLevel } from '../../connectors/contract/index.ts';
import { simulateClosedDeals, type DealGeneratingModel } from '../../src/classifier/deals/simulate.ts';
import type { SandboxData } from './data.ts';

/** The generating model: each element's identified and confirmed steps add log-odds; figures add none. */
export const DEMO_DEAL_MODEL: DealGeneratingModel = {
  intercept: -0.3,
  meddic: {
    metrics: [0.2, 0.3],
    economicBuyer: [0.35, 0.45],
    decisionCriteria: [0.1, 0.2],
    decisionProcess: [0.15, 0.25],
    identifyPain: [0.2, 0.3],
    champion: [0.4, 0.5],
  },
  figures: {},
};

/** The team's MEDDIC properties on deals, by element: what `hubspot.dealFieldNames` maps for the demo. */
export const DEMO_MEDDIC_PROPERTIES: Readonly<Record<MeddicElement, string>> = {
  metrics: 'meddic_metrics',
  economicBuyer: 'meddic_economic_buyer',
  decisionCriteria: 'meddic_decision_criteria',
  decisionProcess: 'meddic_decision_process',
  identifyPain: 'meddic_identify_pain',
  champion: 'meddic_champion',
};

const LABELS: Readonly<Record<MeddicElement, string>> = {
  metrics: 'Metrics',
  economicBuyer: 'Economic buyer',
  decisionCriteria: 'Decision criteria',
  decisionProcess: 'Decision process',
  identifyPain: 'Identify pain',
  champion: 'Champion',
};

export interface DemoPipelineCounts {
  /** Open deals given MEDDIC levels. */
  open: number;
  /** Closed-won deals given MEDDIC levels. */
  won: number;
  /** Closed-lost deals added. */
  lost: number;
}

function levelProperties(meddic: Partial<Record<MeddicElement, MeddicLevel>>): Record<string, string> {
  return Object.fromEntries(MEDDIC_ELEMENTS.map((e) => [DEMO_MEDDIC_PROPERTIES[e], meddic[e] ?? 'unknown']));
}

/** Simulated deals in seeded chunks, as long as asked for. */
interface Draw {
  won: boolean;
  meddic: Partial<Record<MeddicElement, MeddicLevel>>;
}

function* simulated(seed: number): Generator<Draw, never> {
  for (let chunk = 0; ; chunk++) {
    for (const s of simulateClosedDeals({ model: DEMO_DEAL_MODEL, deals: 2000, seed: seed + chunk })) yield { won: s.deal.won, meddic: s.deal.meddic };
  }
}

export function seedDemoPipeline(data: SandboxData, options: { seed?: number } = {}): DemoPipelineCounts {
  for (const e of MEDDIC_ELEMENTS) {
    data.createProperty('deals', {
      name: DEMO_MEDDIC_PROPERTIES[e],
      label: `MEDDIC: ${LABELS[e]}`,
      type: 'enumeration',
      fieldType: 'select',
      groupName: 'dealinformation',
      description: 'The sales team\u2019s MEDDIC qualification (demo: simulated from a known model).',
      options: MEDDIC_LEVELS.map((level, i) => ({ label: level[0].toUpperCase() + level.slice(1), value: level, displayOrder: i })),
    });
  }
  const won: string[] = [];
  const open: string[] = [];
  for (const id of data.dealIds()) {
    const stage = data.getDeal(id)?.properties.dealstage;
    if (stage === 'closedwon') won.push(id);
    else if (stage !== 'closedlost') open.push(id);
  }
  const draws = simulated(options.seed ?? 14);
  const counts: DemoPipelineCounts = { open: 0, won: 0, lost: 0 };
  for (const id of open) {
    data.updateDeal(id, levelProperties(draws.next().value.meddic));
    counts.open++;
  }
  // Walk the simulated deals: a win labels the next order, a loss becomes a lost deal beside it.
  let next = 0;
  while (next < won.length) {
    const draw = draws.next().value;
    const order = won[next];
    if (draw.won) {
      data.updateDeal(order, levelProperties(draw.meddic));
      counts.won++;
      next++;
      continue;
    }
    const props = data.getDeal(order)?.properties ?? {};
    const contacts = data.dealContactIds(order);
    const companies = data.dealCompanyIds(order);
    data.createDeal(
      {
        dealname: `Simulated lost deal ${counts.lost + 1}`,
        amount: props.amount ?? '0',
        pipeline: 'default',
        dealstage: 'closedlost',
        createdate: props.createdate ?? props.closedate ?? '',
        closedate: props.closedate ?? '',
        ...levelProperties(draw.meddic),
      },
      contacts,
      companies,
    );
    counts.lost++;
  }
  return counts;
}
