/**
 * The customer list: each customer's latest scores as the page lists them (searched, filtered, sorted,
 * paged), one row per customer, next to the score pages (scorePages.ts), which keep everything but cannot
 * be queried. The plan phase writes a page of rows with each page of scores, replacing the span it covers
 * (customers gone from the CRM drop out; a row as it was is not rewritten). Both stores share what is decided here: the rows, the query,
 * and what a search term means.
 */

/** One customer's row as the plan phase writes it: the values written (rounded), so band and figure agree. */
export interface CustomerListEntry {
  recordId: string;
  name: string | null;
  email: string | null;
  company: string | null;
  stage: string | null;
  churnRiskBand: string | null;
  valueTier: string | null;
  clv: number | null;
  churnRisk: number | null;
  ltv: number | null;
  /** A prospect's conversion likelihood as written (0–100); null for anyone else. */
  conversionLikelihood?: number | null;
  /** The run planned changes for this customer. */
  changed: boolean;
}

/** A row as listed: `changedInLastRun` when the run that last scored the customer planned changes for it. */
export type CustomerListRow = Omit<CustomerListEntry, 'changed'> & { changedInLastRun: boolean };

export const CUSTOMER_SORTS = ['clv', 'churnRisk', 'ltv', 'conversionLikelihood'] as const;
export type CustomerSort = (typeof CUSTOMER_SORTS)[number];

export interface CustomerListQuery {
  /** Name, e-mail or company (a case-insensitive substring), or a CRM record id (customerSearch). */
  search?: string;
  /** Any of these stages (the page's "at risk or churned" tile asks for two). */
  stages?: string[];
  churnRiskBand?: string;
  valueTier?: string;
  /** Churn risk (as written, 0–100) at least this… */
  churnRiskFrom?: number;
  /** …and below this (a bar of the page's histogram: 10 points wide). */
  churnRiskBelow?: number;
  /** Only customers the last run that scored them planned changes for. */
  changedInLastRun?: boolean;
  /** Only prospects (those with a conversion likelihood). */
  prospects?: boolean;
  sort: CustomerSort;
  order: 'asc' | 'desc';
  offset: number;
  limit: number;
  /**
   * Keyset paging (an export reads every page): the rows after this one in the query's order (its sort
   * figure and record id), `offset` then counting from there.
   */
  after?: { figure: number | null; recordId: string };
  /** Leave out the count (`total` is then -1): an export's later pages need none. */
  count?: boolean;
}

export interface CustomerListPage {
  /** Customers matching the query, all pages. */
  total: number;
  rows: CustomerListRow[];
}

/** The column each sort orders by (both stores name them alike). */
export const SORT_COLUMNS: Readonly<Record<CustomerSort, string>> = { clv: 'clv', churnRisk: 'churn_risk', ltv: 'ltv', conversionLikelihood: 'conversion_likelihood' };

/** What the list's search text holds: who the customer is and its id, lower case (JavaScript's, the same in both stores). */
export function searchText(entry: Pick<CustomerListEntry, 'recordId' | 'name' | 'email' | 'company'>): string {
  return [entry.name, entry.email, entry.company, entry.recordId]
    .filter((part): part is string => part !== null && part !== '')
    .join('\n')
    .toLowerCase();
}

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** Salesforce's 3-character case-safe suffix of a 15-character id: per 5 characters, a bit per upper-case letter. */
export function salesforceIdSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET[bits];
  }
  return suffix;
}

/** An 18-character id with its case restored from its suffix (ids pasted where case was lost), or null when the suffix does not fit. */
function caseRestored(id18: string): string | null {
  const suffix = id18.slice(15).toUpperCase();
  let id15 = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    const bits = SUFFIX_ALPHABET.indexOf(suffix[chunk]);
    if (bits < 0) return null;
    for (let i = 0; i < 5; i++) {
      const c = id18[chunk * 5 + i];
      id15 += bits & (1 << i) ? c.toUpperCase() : c.toLowerCase();
    }
  }
  return salesforceIdSuffix(id15) === suffix ? id15 + suffix : null;
}

/**
 * What a search term looks for. A Salesforce id (15 or 18 letters and digits, both kinds present) is
 * matched exactly, never as a substring of another id: its first 15 characters are case-sensitive, so
 * 001…aBc and 001…AbC are different records. A 15-character id finds the 18-character id the API returns
 * (the suffix is computed); an 18-character one is itself, or itself with the case its suffix says.
 * Anything else (a name, an e-mail, a company, a HubSpot id, which is a number) is a case-insensitive
 * substring of the search text. Null: no search.
 */
export function customerSearch(search: string | undefined): { ids: string[] } | { text: string } | null {
  const term = (search ?? '').trim();
  if (term === '') return null;
  if (/^(?:[0-9A-Za-z]{15}|[0-9A-Za-z]{18})$/.test(term) && /[0-9]/.test(term) && /[A-Za-z]/.test(term)) {
    if (term.length === 15) return { ids: [term, term + salesforceIdSuffix(term)] };
    const restored = caseRestored(term);
    return { ids: restored && restored !== term ? [term, restored] : [term] };
  }
  return { text: term.toLowerCase() };
}

/** A LIKE pattern matching `text` anywhere, its wildcards escaped (with `ESCAPE '\'`). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The query's WHERE conditions and ORDER BY, in SQL both stores run alike; `param` adds a value and
 * returns its placeholder (SQLite's `?n`, Postgres' `$n`: a value may appear twice).
 */
export function listSql(query: CustomerListQuery, param: (value: string | number) => string, installation: string): { where: string; orderBy: string } {
  const conditions: string[] = [];
  const search = customerSearch(query.search);
  if (search && 'ids' in search) conditions.push(`record_id IN (${search.ids.map(param).join(', ')})`);
  else if (search) conditions.push(`search_text LIKE ${param(containsPattern(search.text))} ESCAPE '\\'`);
  if (query.stages !== undefined && query.stages.length > 0) conditions.push(`stage IN (${query.stages.map(param).join(', ')})`);
  if (query.churnRiskBand !== undefined) conditions.push(`churn_band = ${param(query.churnRiskBand)}`);
  if (query.valueTier !== undefined) conditions.push(`value_tier = ${param(query.valueTier)}`);
  if (query.churnRiskFrom !== undefined) conditions.push(`churn_risk >= ${param(query.churnRiskFrom)}`);
  if (query.churnRiskBelow !== undefined) conditions.push(`churn_risk < ${param(query.churnRiskBelow)}`);
  if (query.prospects === true) conditions.push('conversion_likelihood IS NOT NULL');
  if (query.changedInLastRun === true) conditions.push(`changed_in_run = (${lastRun(installation)})`);
  if (query.changedInLastRun === false) conditions.push(`(changed_in_run IS NULL OR changed_in_run <> (${lastRun(installation)}))`);
  if (query.after) {
    const column = SORT_COLUMNS[query.sort];
    const { figure, recordId } = query.after;
    // After a row with the figure: the rest of its ties, the figures beyond it, then those without one.
    if (figure === null) conditions.push(`${column} IS NULL AND record_id > ${param(recordId)}`);
    else {
      const at = param(figure);
      const beyond = query.order === 'asc' ? '>' : '<';
      conditions.push(`(${column} ${beyond} ${at} OR (${column} = ${at} AND record_id > ${param(recordId)}) OR ${column} IS NULL)`);
    }
  }
  // Customers without the figure (no purchases yet) come last either way; ties in record order, so pages never overlap.
  const orderBy = `${SORT_COLUMNS[query.sort]} ${query.order === 'asc' ? 'ASC' : 'DESC'} NULLS LAST, record_id`;
  return { where: conditions.map((c) => ` AND ${c}`).join(''), orderBy };
}

/** The run that last wrote the installation's list (`installation`: its placeholder; read once per query, not per row). */
function lastRun(installation: string): string {
  return `SELECT r.run_id FROM customer_list_runs r WHERE r.installation_id = ${installation}`;
}

/** The list's columns, in the order both stores read them. */
export function listColumns(installation: string): string {
  return `record_id, name, email, company, stage, churn_band, value_tier, clv, churn_risk, ltv, conversion_likelihood, COALESCE(changed_in_run = (${lastRun(installation)}), FALSE) AS changed`;
}

/** The columns a row shows: a row whose every one is as stored is left alone (no write, no index entry moved). */
export const SHOWN_COLUMNS = ['name', 'email', 'company', 'search_text', 'stage', 'churn_band', 'value_tier', 'clv', 'churn_risk', 'ltv', 'conversion_likelihood', 'changed_in_run'] as const;

/**
 * The rows of a span, as a condition on record_id with only the bounds it has: `? IS NULL OR …` would
 * keep the planner from the key's range, and every page of a run would scan the installation's rows.
 */
export function spanSql(span: { after: string | null; through: string | null }, param: (value: string) => string): string {
  return `${span.after === null ? '' : ` AND record_id > ${param(span.after)}`}${span.through === null ? '' : ` AND record_id <= ${param(span.through)}`}`;
}
