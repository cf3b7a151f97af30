/**
 * What one search may cost (server/search/README.md, "Limits"). A search beyond a limit is answered 400
 * `too-costly` naming the parameter, in both handling modes: each limit bounds the work of one request, so that
 * no request holds the event loop (and every other request, `/healthz` included) for long.
 */
import { tooCostly } from '../errors/fhir-error.ts';

/** Comma-separated values of one parameter (`family:contains=a,b,...`). */
export const MAX_VALUES_PER_PARAMETER = 100;
/** Characters of one value (one of the comma-separated values, escapes included). */
export const MAX_VALUE_LENGTH = 1024;
/** `name=value` pairs of one search (URL and form body together; `_format`/`_pretty` not counted). */
export const MAX_PARAMETERS = 50;
/** Levels of chaining and `_has` below the searched type: `subject:Patient.organization.name` is 2. */
export const MAX_CHAIN_DEPTH = 3;
/** Resources an inner search of a chain or `_has` may match. */
export const MAX_CHAIN_MATCHES = 1000;
/** Rounds of `_include:iterate` / `_revinclude:iterate` (the first round included). */
export const MAX_INCLUDE_ROUNDS = 5;
/** Resources `_include` and `_revinclude` may add to one page. */
export const MAX_INCLUDES = 1000;

/** Checks the number and length of one parameter's values (`values` as split on unescaped commas). */
export function checkValues(name: string, values: string[]): void {
  if (values.length > MAX_VALUES_PER_PARAMETER) {
    throw tooCostly(`'${name}' has ${values.length} values; at most ${MAX_VALUES_PER_PARAMETER} are allowed`, name);
  }
  if (values.some((v) => v.length > MAX_VALUE_LENGTH)) {
    throw tooCostly(`A value of '${name}' is longer than ${MAX_VALUE_LENGTH} characters`, name);
  }
}
