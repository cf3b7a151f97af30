/**
 * String search matches "ignoring case and accents" (https://hl7.org/fhir/R4/search.html#string):
 * we store and query the NFD form without combining marks, lower-cased, so `Zoë` is found by `zoe`.
 */
export function normalizeString(value: string): string {
  return value.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}
