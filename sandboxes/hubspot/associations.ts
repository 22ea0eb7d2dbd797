/**
 * Association details shared by the v3 `associations=` reads and the v4 batch read (contacts–deals and
 * companies–deals): HubSpot's default type ids, type names and the opaque per-record paging cursor.
 */
import { badRequest } from './errors.ts';
import type { ObjectType } from './schema.ts';

export const SINGULAR: Record<ObjectType, string> = { contacts: 'contact', companies: 'company', deals: 'deal' };

/**
 * HubSpot-defined default (unlabelled) association type ids, by direction (the v4 associations guide's
 * table): contact→deal 4, deal→contact 3, company→deal 342, deal→company 341. HubSpot also defines the
 * "primary" ones (deal→company 5, company→deal 6), which the sandbox accepts on create but does not model.
 */
const TYPE_IDS: Record<string, number> = { 'contacts/deals': 4, 'deals/contacts': 3, 'companies/deals': 342, 'deals/companies': 341 };
const PRIMARY_TYPE_IDS: Record<string, number> = { 'deals/companies': 5, 'companies/deals': 6 };

/** The modelled pairs: contacts–deals and companies–deals (contacts–companies is not modelled). */
export function associable(from: ObjectType, to: ObjectType): boolean {
  return TYPE_IDS[`${from}/${to}`] !== undefined;
}

/** The default type id from `from` to `to` (only for associable pairs). */
export function associationTypeId(from: ObjectType, to: ObjectType): number {
  const id = TYPE_IDS[`${from}/${to}`];
  if (id === undefined) throw badRequest(`Associations from ${from} to ${to} are not supported by the sandbox`);
  return id;
}

/** The type ids a create may name from `from` to `to`: the default one, and the primary one where there is one. */
export function acceptedTypeIds(from: ObjectType, to: ObjectType): number[] {
  const primary = PRIMARY_TYPE_IDS[`${from}/${to}`];
  return primary === undefined ? [associationTypeId(from, to)] : [associationTypeId(from, to), primary];
}

/** The v3 `associations` block's type name, as HubSpot spells it (deal_to_company). */
export function associationTypeName(from: ObjectType, to: ObjectType): string {
  return `${SINGULAR[from]}_to_${SINGULAR[to]}`;
}

/**
 * Cursors name the last id returned (so they stay valid while associations are added), base64 and
 * URL-encoded like the documented `MC0yLTE1OTc0MDA2NTg%3D`.
 */
export function encodeCursor(lastId: string): string {
  return encodeURIComponent(Buffer.from(`0-${lastId}`).toString('base64'));
}

export function decodeCursor(after: string): number {
  let text: string;
  try {
    text = Buffer.from(decodeURIComponent(after), 'base64').toString('utf8');
  } catch {
    throw badRequest(`Invalid after cursor: ${after}`);
  }
  const m = /^0-(\d+)$/.exec(text);
  if (m === null) throw badRequest(`Invalid after cursor: ${after}`);
  return Number(m[1]);
}

/** One page of associated ids after a cursor: ids are sorted, so the page starts past the cursor's id. */
export function pageOf(ids: readonly string[], after: string | undefined, size: number): { page: readonly string[]; next?: string } {
  let start = 0;
  if (after !== undefined) {
    const last = decodeCursor(after);
    while (start < ids.length && Number(ids[start]) <= last) start++;
  }
  const page = ids.slice(start, start + size);
  return start + size < ids.length ? { page, next: encodeCursor(page[page.length - 1]) } : { page };
}
