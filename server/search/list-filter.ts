/**
 * `_list` (https://hl7.org/fhir/R4/search.html#list): `_list=List/42` or `_list=42` matches the resources of the
 * searched type that the List's `entry.item` references point to (local references only). A List that does not
 * exist, is deleted or is one the caller may not read, matches nothing. Functional lists (`$current-problems`...) are not supported: 400.
 */
import type { List } from '@medplum/fhirtypes';
import type { Access } from '../access/access.ts';
import { badRequest } from '../errors/fhir-error.ts';
import { matchesFilter } from '../store/match-filter.ts';
import { isValidId } from '../validation/id-rule.ts';
import type { ResourceDocument } from '../store/documents.ts';
import type { Filter, Store } from '../store/port.ts';
import { localReference } from './execute-search.ts';
import { splitValues, unescapeValue } from './split-values.ts';

export async function listFilter(store: Store, access: Access, resourceType: string, value: string, baseUrl: string): Promise<Filter> {
  const ids = new Set<string>();
  const readable = access.filter('List', 'r');
  for (const raw of splitValues(value).map(unescapeValue)) {
    const listId = raw.startsWith('List/') ? raw.slice('List/'.length) : raw;
    if (!isValidId(listId)) throw badRequest(`_list takes List/[id] or [id], not '${raw}'`, '_list');
    const doc = await store.findOne<ResourceDocument>('resources', { _id: `List/${listId}`, deleted: false });
    if (!doc?.content || !readable || !matchesFilter(readable, doc)) continue;
    const list = JSON.parse(doc.content) as List;
    for (const entry of list.entry ?? []) {
      const reference = entry.item?.reference?.replace(/\/_history\/[^/]*$/, '');
      const target = reference === undefined ? undefined : localReference(reference, baseUrl);
      if (target?.startsWith(`${resourceType}/`)) ids.add(target);
    }
  }
  return { _id: { $in: [...ids] } };
}
