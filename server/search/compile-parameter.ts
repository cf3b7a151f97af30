/**
 * Compiles one search parameter of a search (https://hl7.org/fhir/R4/search.html) into a MongoDB filter over
 * the search values extracted at write time (server/store/documents.ts). Pure: no I/O.
 */
import type { SearchParameter } from '@medplum/fhirtypes';
import type { Filter } from '../store/port.ts';

export interface ParameterClause {
  /** The SearchParameter being searched (R4's or the project's own). */
  definition: SearchParameter;
  /** The search code as the client wrote it, without modifier (e.g. `birthdate`). */
  code: string;
  /** The modifier after `:` (e.g. `exact`, `missing`, `not`, `Patient` for a reference type), if any. */
  modifier?: string;
  /** The raw value, still holding its prefix and its commas (`ge2020,lt2019`); `\,` escapes a comma. */
  value: string;
}

/**
 * One parameter -> one filter (commas are OR). Throws a FhirError (400, with `issue.expression` naming the
 * parameter) for a malformed value or an unsupported modifier.
 */
export function compileParameter(_resourceType: string, _clause: ParameterClause): Filter {
  throw new Error('compileParameter: being written (issue 3)');
}
