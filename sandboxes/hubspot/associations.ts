/**
 * Contact–deal association details shared by the v3 `associations=` reads and the v4 batch read:
 * HubSpot's default type ids, type names and the opaque per-record paging cursor.
 */
import { badRequest } from './errors.ts';
import type { ObjectType } from './schema.ts';

/** Default (unlabelled) association type ids: contact→deal 4, deal→contact 3. */
export const ASSOCIATION_TYPE_ID: Record<ObjectType, number> = { contacts: 4, deals: 3 };
export const ASSOCIATION_TYPE_NAME: Record<ObjectType, string> = { contacts: 'contact_to_deal', deals: 'deal_to_contact' };
export const SINGULAR: Record<ObjectType, string> = { contacts: 'contact', deals: 'deal' };
export const OTHER: Record<ObjectType, ObjectType> = { contacts: 'deals', deals: 'contacts' };

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
