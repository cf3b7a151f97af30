/**
 * The document field a `_sort` key sorts on. `sortField` (sort-field.ts) is owned by the parameter compiler;
 * until it lands, `_id` and `_lastUpdated` are answered here and other keys are refused (400 / ignored).
 */
import { FhirError } from '../fhir/outcome.ts';

export function sortFieldOf(code: string, _descending: boolean): string {
  if (code === '_id') return 'id';
  if (code === '_lastUpdated') return 'lastUpdated';
  throw FhirError.of(400, 'not-supported', `Sorting by '${code}' is not supported yet`, '_sort');
}
