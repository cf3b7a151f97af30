/**
 * The document field a `_sort` key sorts on (https://hl7.org/fhir/R4/search.html#sort): `_id` -> `id`,
 * `_lastUpdated` -> `lastUpdated`, any other parameter -> its sort key extracted at write time: `sk.<code>`
 * (its lowest value) ascending, `skd.<code>` (its highest value) descending. A resource without a value sorts
 * first ascending and last descending (a missing field is the lowest, as in MongoDB).
 */
export function sortField(code: string, descending: boolean): string {
  if (code === '_id') return 'id';
  if (code === '_lastUpdated') return 'lastUpdated';
  return `${descending ? 'skd' : 'sk'}.${code}`;
}
