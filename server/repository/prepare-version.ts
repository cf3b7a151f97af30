/**
 * Preparing a new version for storage: validation (server/validation/) and search-value extraction
 * (server/search-index/). This is the pure, CPU-heavy part of the write path (about half of a write's server
 * CPU), so it can run in worker threads (prepare-pool.ts) while the main thread serves requests and commits.
 * Both ways give the same result; which one runs is the PREPARE_WORKERS setting.
 */
import type { Resource } from '@medplum/fhirtypes';
import { toPlain, type JsonObject } from '../fhir-json/fhir-json.ts';
import { extractSearchValues } from '../search-index/extract.ts';
import type { SearchValues } from '../store/documents.ts';
import { checkSearchValues, validateResource, type ValidationFailure } from '../validation/validate.ts';

/** A valid version's search values, or why it is not valid. */
export type PreparedVersion = { searchValues: SearchValues; failure?: undefined } | { failure: ValidationFailure };

/** Validates and indexes versions, in this thread or in worker threads. */
export interface VersionPreparer {
  /** Which preparer this is (`main thread`, `2 prepare workers`), for the start-up log and tests. */
  readonly name: string;
  /** `stored` is the version as it will be stored, `content` its JSON text (exactly what is stored). */
  prepare(stored: JsonObject, content: string): Promise<PreparedVersion>;
  /** Validation only (`$validate`): the resource's JSON text, `undefined` when it is valid. */
  validate(content: string): Promise<ValidationFailure | undefined>;
  close(): Promise<void>;
}

export function prepareVersion(resource: Resource): PreparedVersion {
  const failure = validateResource(resource);
  if (failure) return { failure };
  const searchValues = extractSearchValues(resource);
  const tooMany = checkSearchValues(resource.resourceType, searchValues);
  return tooMany ? { failure: tooMany } : { searchValues };
}

/** Prepares on the calling thread (PREPARE_WORKERS=0, and the default for code that stores without a server). */
export const prepareInThread: VersionPreparer = {
  name: 'main thread',
  prepare: async (stored) => prepareVersion(toPlain<Resource>(stored)),
  validate: async (content) => validateResource(JSON.parse(content)),
  close: async () => {},
};
