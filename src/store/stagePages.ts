/**
 * Each scored run's stage per customer, kept so the page can show the flow between any two runs
 * (GET /api/history/flow). A run of a million customers stores it a page at a time, the plan phase's
 * page (2,000 customers), in the same transaction as their scores: one row holds the page's record ids
 * (JSON, deflated: sorted CRM ids share most of their digits) and one byte per customer indexing the
 * page's distinct stages. Measured on a million customers with sequential numeric ids (SQLite): 3.7
 * bytes a customer, 0.3 s to encode a run (deflate's fastest level: its default saved a tenth of the
 * bytes for 2.5 times the time), 0.8 s and 25 MB of heap to compare two runs: both are streamed in record
 * order (service/stageFlow.ts), never loaded whole.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { z } from 'zod';

export interface EncodedStagePage {
  /** '' for the empty page that marks the end of a run that scored no one (a run's record ends with `last`). */
  firstRecordId: string;
  lastRecordId: string;
  customers: number;
  ids: Uint8Array;
  /** JSON array of the page's distinct stages. */
  stages: string;
  codes: Uint8Array;
}

export interface StagePageRows {
  recordIds: string[];
  /** Each customer's stage, in the order of `recordIds`. */
  stages: string[];
}

/** A page of customers' stages, built customer by customer in record order. */
export class StagePage {
  private readonly ids: string[] = [];
  private readonly codes: number[] = [];
  private readonly dict = new Map<string, number>();

  add(recordId: string, stage: string): void {
    let code = this.dict.get(stage);
    if (code === undefined) {
      code = this.dict.size;
      if (code > 0xff) throw new Error(`stage page: more than 256 distinct stages (${stage})`);
      this.dict.set(stage, code);
    }
    this.ids.push(recordId);
    this.codes.push(code);
  }

  get size(): number {
    return this.ids.length;
  }

  encode(): EncodedStagePage {
    return {
      firstRecordId: this.ids[0] ?? '',
      lastRecordId: this.ids.at(-1) ?? '',
      customers: this.ids.length,
      ids: deflateRawSync(JSON.stringify(this.ids), { level: 1 }),
      stages: JSON.stringify([...this.dict.keys()]),
      codes: Uint8Array.from(this.codes),
    };
  }
}

const idsSchema = z.array(z.string());
const stagesSchema = z.array(z.string());

/** A stored page read back: its customers and their stages; an error names what does not fit. */
export function decodeStagePage(row: { ids: Uint8Array; stages: string; codes: Uint8Array }): StagePageRows {
  const recordIds = idsSchema.parse(JSON.parse(inflateRawSync(row.ids).toString('utf8')));
  const dict = stagesSchema.parse(JSON.parse(row.stages));
  if (row.codes.length !== recordIds.length) throw new Error(`stage page: ${row.codes.length} stages for ${recordIds.length} customers`);
  const stages = Array.from(row.codes, (code) => {
    const stage = dict[code];
    if (stage === undefined) throw new Error(`stage page: stage ${code} of ${dict.length}`);
    return stage;
  });
  return { recordIds, stages };
}

/** The page without some customers (a person deleted in the CRM), the others' stages as they were. */
export function stagePageWithout(row: { ids: Uint8Array; stages: string; codes: Uint8Array }, remove: ReadonlySet<string>): EncodedStagePage {
  const { recordIds, stages } = decodeStagePage(row);
  const page = new StagePage();
  recordIds.forEach((recordId, i) => {
    if (!remove.has(recordId)) page.add(recordId, stages[i]);
  });
  return page.encode();
}
