/**
 * Salesforce record ids: 15 case-sensitive base-62 characters (a 3-character key prefix naming the
 * object, 2 for the instance, 1 reserved, 9 for the record), plus the 3-character case-safe suffix the
 * API always returns. The API also accepts the 15-character form, and an 18-character id whose case was
 * lost (the suffix restores it), so ids pasted from spreadsheets keep working.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
/** Instance "5e", reserved "0": every id this sandbox issues has them (sequenceOf checks the char codes). */
const POD = '5e0';
const ID_PATTERN = /^[0-9A-Za-z]{15}(?:[A-Z0-5]{3})?$/;

/** The 3-character suffix: for each 5-character chunk, a bit per upper-case letter. */
export function idSuffix(id15: string): string {
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

/** Fixed-width base-62 digits: ids of one object then sort in creation order, as strings. */
function base62(n: number, width: number): string {
  let out = '';
  let rest = n;
  for (let i = 0; i < width; i++) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}

export function makeId(prefix: string, sequence: number): string {
  const id15 = prefix + POD + base62(sequence, 9);
  return id15 + idSuffix(id15);
}

/**
 * The canonical 18-character id for what a client sent, or undefined when it is not an id at all.
 * A 15-character id is case-sensitive; an 18-character one is matched case-insensitively (its suffix
 * says which letters are upper case).
 */
export function canonicalId(input: string): string | undefined {
  if (!ID_PATTERN.test(input) && !(input.length === 18 && /^[0-9A-Za-z]{18}$/.test(input))) return undefined;
  if (input.length === 15) return input + idSuffix(input);
  const suffix = input.slice(15).toUpperCase();
  let id15 = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    const bits = SUFFIX_ALPHABET.indexOf(suffix[chunk]);
    if (bits < 0) return undefined;
    for (let i = 0; i < 5; i++) {
      const c = input[chunk * 5 + i];
      id15 += bits & (1 << i) ? c.toUpperCase() : c.toLowerCase();
    }
  }
  // Digits have no case: a suffix claiming an upper-case digit is not a Salesforce id.
  return idSuffix(id15) === suffix ? id15 + suffix : undefined;
}

function digitValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 90) return c - 55;
  if (c >= 97 && c <= 122) return c - 61;
  return -1;
}

/**
 * The sequence number in an id this sandbox issued (`makeId(prefix, n)` → n), or undefined. Tables use
 * it as the record's position, so looking a record up by id needs no map.
 */
export function sequenceOf(id: string): number | undefined {
  if (id.length < 15 || id.charCodeAt(3) !== 53 || id.charCodeAt(4) !== 101 || id.charCodeAt(5) !== 48) return undefined;
  let n = 0;
  for (let i = 6; i < 15; i++) {
    const d = digitValue(id.charCodeAt(i));
    if (d < 0) return undefined;
    n = n * 62 + d;
  }
  return n;
}

export function keyPrefixOf(id: string): string {
  return id.slice(0, 3);
}

/** Hands out consecutive ids per key prefix. */
export class IdAllocator {
  private readonly next = new Map<string, number>();

  allocate(prefix: string): string {
    const n = (this.next.get(prefix) ?? 0) + 1;
    this.next.set(prefix, n);
    return makeId(prefix, n);
  }
}
