/**
 * The deal field set: the contract's MEDDIC lists are the deal models' lists, every deal key has one
 * specification, and the engine's field policy plans the deal set as it plans the customer set (a
 * mapped input checked, never created; the plugin's own fields created with the mark).
 */
import { describe, expect, it } from 'vitest';
import { DEAL_FIELD_KEYS, type DealFieldKey, type FieldsState, MEDDIC_ELEMENTS, MEDDIC_LEVELS } from '../../connectors/contract/index.ts';
import { MEDDIC_ELEMENTS as MODEL_ELEMENTS, MEDDIC_LEVELS as MODEL_LEVELS } from '../../src/classifier/deals/types.ts';
import { dealFieldSpecs } from '../../src/sync/dealFields.ts';
import { planFields } from '../../src/sync/fieldPolicy.ts';

describe('deal fields', () => {
  it('share the deal models\' elements and levels, one specification per key', () => {
    expect([...MEDDIC_ELEMENTS]).toEqual([...MODEL_ELEMENTS]);
    expect([...MEDDIC_LEVELS]).toEqual([...MODEL_LEVELS]);
    const specs = dealFieldSpecs();
    expect(specs.map((s) => s.key)).toEqual([...DEAL_FIELD_KEYS]);
    expect(specs.find((s) => s.key === 'biggestGap')?.options?.map((o) => o.value)).toEqual([...MEDDIC_ELEMENTS]);
    for (const s of specs.filter((x) => x.key.startsWith('meddic') && x.type === 'enumeration')) expect(s.options?.map((o) => o.value)).toEqual([...MEDDIC_LEVELS]);
  });

  it('are planned by the same field policy: a mapped input is checked, never created', () => {
    const specs = dealFieldSpecs();
    const names = Object.fromEntries(DEAL_FIELD_KEYS.map((k) => [k, { name: k === 'meddicChampion' ? 'team_champion' : `lcs_${k}`, mapped: k === 'meddicChampion' }])) as FieldsState<DealFieldKey>['names'];
    const state: FieldsState<DealFieldKey> = {
      names,
      existing: {
        meddicChampion: { key: 'meddicChampion', name: 'team_champion', crmType: 'enumeration', compatible: true, label: 'Champion', description: 'Ours', options: MEDDIC_LEVELS.map((v) => ({ value: v, label: v, active: true })), maxLength: null, decimals: null, readable: true },
      },
      setup: ['create deal property group lifecycle_sync'],
      labelMaxLength: null,
      inPlace: false,
    };
    const plan = planFields(specs, state, 'CRM');
    expect(plan.ok).toEqual([{ key: 'meddicChampion', name: 'team_champion' }]);
    expect(plan.create.map((c) => c.spec.key)).toEqual(DEAL_FIELD_KEYS.filter((k) => k !== 'meddicChampion'));
    expect(plan.update).toEqual([]);
    const lacking = { ...state, existing: { meddicChampion: { ...state.existing.meddicChampion!, options: state.existing.meddicChampion!.options.slice(0, 2) } } };
    expect(() => planFields(specs, lacking, 'CRM')).toThrow(/team_champion \(mapped for meddicChampion\) lacks the options confirmed/);
  });
});
