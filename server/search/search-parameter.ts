/**
 * The one lookup of a search parameter by its code. `@medplum/core`'s `getSearchParameter` reads a plain
 * object, so `constructor`, `toString` or `__proto__` would "find" `Object.prototype` members: codes come from
 * clients, so only the table's own entries count.
 */
import { getSearchParameters } from '@medplum/core';
import type { SearchParameter } from '@medplum/fhirtypes';

export function searchParameterOf(resourceType: string, code: string): SearchParameter | undefined {
  const table = getSearchParameters(resourceType);
  return table && Object.hasOwn(table, code) ? table[code] : undefined;
}
