/**
 * `:in` / `:not-in` on a token (https://hl7.org/fhir/R4/search.html#modifiers): the value is the canonical URL of
 * a ValueSet. Expanded here, before compilation (which is pure), so compile-token.ts receives the codes.
 */
import type { SearchParameter } from '@medplum/fhirtypes';
import type { Store } from '../store/port.ts';
import { expandValueSet, type Code } from '../terminology/expand-value-set.ts';
import { terminologySource } from '../terminology/terminology-source.ts';
import { splitValues, unescapeValue } from './split-values.ts';

/** The codes of each ValueSet a `:in` / `:not-in` value names, by URL as written; undefined for other searches. */
export async function valueSetsOf(
  store: Store,
  definition: SearchParameter,
  code: string,
  modifier: string | undefined,
  value: string,
): Promise<Map<string, Code[]> | undefined> {
  if (definition.type !== 'token' || (modifier !== 'in' && modifier !== 'not-in')) return undefined;
  const source = terminologySource(store);
  const out = new Map<string, Code[]>();
  for (const url of splitValues(value).map(unescapeValue)) {
    if (!out.has(url)) out.set(url, await expandValueSet(url, source, code));
  }
  return out;
}
