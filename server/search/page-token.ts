/**
 * Keyset paging of search results (https://hl7.org/fhir/R4/search.html#count, http.html#paging).
 *
 * Choice: a page is keyed on the sort values and `_id` of the entry it continues from, never on an offset.
 * Every search sorts by its `_sort` keys then `_id` (a total order), so a `next` page is "the first `count`
 * documents after this key" and a `previous` page is "the last `count` documents before that key". Resources
 * created, updated or deleted between pages only appear or disappear where they sort; the entries already
 * shown never shift, so paging has no duplicates and no gaps. The token is opaque to clients (base64url JSON).
 */
import { badRequest } from '../errors/fhir-error.ts';
import type { Filter, Sort } from '../store/port.ts';

/** Values are what the documents hold at the sort fields (null when missing), `_id` last. */
export interface PageToken {
  /** `n`: entries after `key`; `p`: entries before `key`. */
  direction: 'n' | 'p';
  key: (string | number | boolean | null)[];
}

export function encodePageToken(token: PageToken): string {
  return Buffer.from(JSON.stringify([token.direction, ...token.key])).toString('base64url');
}

export function decodePageToken(text: string, fields: number): PageToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    (parsed[0] !== 'n' && parsed[0] !== 'p') ||
    parsed.length !== fields + 1 ||
    !parsed.slice(1).every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v)) ||
    typeof parsed[parsed.length - 1] !== 'string'
  ) {
    throw badRequest('_page is not a page token of this search', '_page');
  }
  return { direction: parsed[0], key: parsed.slice(1) as PageToken['key'] };
}

/** The value of a dotted field of a document (`sk.birthdate`), null when missing. */
export function fieldValue(doc: Record<string, unknown>, field: string): string | number | boolean | null {
  let v: unknown = doc;
  for (const part of field.split('.')) {
    if (v === null || typeof v !== 'object') return null;
    v = (v as Record<string, unknown>)[part];
  }
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : null;
}

/**
 * The filter "sorts strictly after `key` in `sort` order", with MongoDB's ordering: a missing (null) value sorts
 * before every value ascending and after every value descending. The last sort field must be unique (`_id`).
 */
export function afterKey(sort: Sort, key: PageToken['key']): Filter {
  const fields = Object.keys(sort);
  const or: Filter[] = [];
  for (let i = 0; i < fields.length; i++) {
    const and: Filter[] = [];
    for (let j = 0; j < i; j++) and.push({ [fields[j]]: key[j] === null ? null : key[j] });
    const f = fields[i];
    const v = key[i];
    if (sort[f] === 1) {
      and.push(v === null ? { [f]: { $ne: null } } : { [f]: { $gt: v } });
    } else {
      if (v === null) continue; // nothing sorts after a missing value descending
      and.push({ $or: [{ [f]: { $lt: v } }, { [f]: null }] });
    }
    or.push(and.length === 1 ? and[0] : { $and: and });
  }
  return or.length === 0 ? { _id: { $in: [] } } : { $or: or };
}

export function reverseSort(sort: Sort): Sort {
  const out: Sort = {};
  for (const [f, d] of Object.entries(sort)) out[f] = d === 1 ? -1 : 1;
  return out;
}
