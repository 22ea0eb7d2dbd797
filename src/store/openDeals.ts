/**
 * The open-deal pipeline (issue #14): each open deal's scores as the last real sync with deal scoring
 * made them, one row per deal, replaced as a set by each such run (deals closed or gone since drop out).
 * Both stores share what is decided here: the rows, the sorts and the pipeline grid's bands.
 */
import type { ColumnReaders } from './rowMappers.ts';

export interface OpenDealScore {
  /** The CRM's id (not prefixed). */
  dealId: string;
  name: string | null;
  /** The stage as the CRM labels it. */
  stage: string | null;
  amount: number | null;
  /** 0–100, whole points as written. */
  meddicScore: number;
  /** 0–100, whole points as written. */
  winProbability: number;
  /** A MEDDIC element, null when every element is confirmed. */
  biggestGap: string | null;
  nextAction: string;
  basis: 'fitted' | 'meddic_fallback';
  scoredAt: number;
}

export interface StoredOpenDeal extends OpenDealScore {
  /** The run that scored it. */
  runId: string;
}

export const OPEN_DEAL_SORTS = ['winProbability', 'meddicScore', 'amount'] as const;
export type OpenDealSort = (typeof OPEN_DEAL_SORTS)[number];

export interface OpenDealQuery {
  sort: OpenDealSort;
  order: 'asc' | 'desc';
  offset: number;
  limit: number;
}

export interface OpenDealPage {
  total: number;
  rows: StoredOpenDeal[];
}

/** The lower bounds of the grid's bands, on both axes (0–100): five of 20 points. */
export const PIPELINE_BAND_FROM = [0, 20, 40, 60, 80] as const;

export interface PipelineCell {
  /** Index into PIPELINE_BAND_FROM of the MEDDIC score's band and of the win probability's. */
  meddicBand: number;
  winBand: number;
  deals: number;
  /** The sum of the amounts the CRM has (deals without one count in `deals` only). */
  amount: number;
}

export interface OpenDealPipeline {
  deals: number;
  amount: number;
  /** The run that stored the set, and when it scored (null: no set stored). */
  runId: string | null;
  scoredAt: number | null;
  /** Non-empty cells only. */
  cells: PipelineCell[];
}

/** The column each sort orders by. */
export const OPEN_DEAL_SORT_COLUMNS: Readonly<Record<OpenDealSort, string>> = { winProbability: 'win_probability', meddicScore: 'meddic_score', amount: 'amount' };

/** ORDER BY of a query: deals without the figure last either way, ties by deal id (SQL both stores run). */
export function openDealOrder(query: Pick<OpenDealQuery, 'sort' | 'order'>): string {
  return `${OPEN_DEAL_SORT_COLUMNS[query.sort]} ${query.order === 'asc' ? 'ASC' : 'DESC'} NULLS LAST, deal_id ASC`;
}

/** A column's band index as SQL both stores run (a CASE, no dialect's functions). */
export function bandSql(column: string): string {
  const cases = PIPELINE_BAND_FROM.map((from, i) => ({ from, i }))
    .slice(1)
    .reverse()
    .map(({ from, i }) => `WHEN ${column} >= ${from} THEN ${i}`);
  return `CASE ${cases.join(' ')} ELSE 0 END`;
}

/** The grid's query over the installation's rows (`$installation` is the dialect's first placeholder). */
export function pipelineSql(installation: string): string {
  return `SELECT ${bandSql('meddic_score')} AS meddic_band, ${bandSql('win_probability')} AS win_band, COUNT(*) AS deals, COALESCE(SUM(amount), 0) AS amount
    FROM open_deals WHERE installation_id = ${installation} GROUP BY 1, 2 ORDER BY 1, 2`;
}

/** The pipeline from the grid's rows and the set's run (newest scoring time). */
export function pipelineOf(cells: PipelineCell[], head: { runId: string | null; scoredAt: number | null }): OpenDealPipeline {
  return {
    deals: cells.reduce((n, c) => n + c.deals, 0),
    amount: cells.reduce((n, c) => n + c.amount, 0),
    runId: head.runId,
    scoredAt: head.scoredAt,
    cells,
  };
}

/** The columns in the order both stores insert them (after installation_id). */
export const OPEN_DEAL_COLUMNS = ['deal_id', 'name', 'stage', 'amount', 'meddic_score', 'win_probability', 'biggest_gap', 'next_action', 'basis', 'scored_at', 'run_id'] as const;

/** A stored row read back (both stores pass their column readers). */
export function openDealFromRow<R>(c: Omit<ColumnReaders<R>, 'json'>, r: R): StoredOpenDeal {
  return {
    dealId: c.text(r, 'deal_id'),
    name: c.textOrNull(r, 'name'),
    stage: c.textOrNull(r, 'stage'),
    amount: c.numOrNull(r, 'amount'),
    meddicScore: c.num(r, 'meddic_score'),
    winProbability: c.num(r, 'win_probability'),
    biggestGap: c.textOrNull(r, 'biggest_gap'),
    nextAction: c.text(r, 'next_action'),
    basis: c.text(r, 'basis') === 'fitted' ? 'fitted' : 'meddic_fallback',
    scoredAt: c.num(r, 'scored_at'),
    runId: c.text(r, 'run_id'),
  };
}
