/**
 * Test support for the compile-*.test.ts files: resources written with their extracted search values into a
 * real EmbeddedStore in a temporary directory, and a search of one parameter answered with the ids it finds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { extractSearchValues } from '../../search-index/extract.ts';
import type { ResourceDocument } from '../../store/documents.ts';
import { EmbeddedStore } from '../../store/embedded/embedded-store.ts';
import { loadDefinitions } from '../../validation/definitions.ts';
import { compileParameter } from '../compile-parameter.ts';
import { searchParameterOf } from '../search-parameter.ts';

export const BASE_URL = 'http://example.org/fhir';

export interface TestStore {
  /** Ids of the resources of `type` that `code[:modifier]=value` finds, sorted. */
  search(type: string, parameter: string, value: string): Promise<string[]>;
  /** The store's plan for the same search (`IXSCAN ...` or `COLLSCAN`). */
  explain(type: string, parameter: string, value: string): Promise<string>;
  close(): Promise<void>;
}

export async function storeWith(resources: Resource[]): Promise<TestStore> {
  loadDefinitions();
  const dir = await mkdtemp(join(tmpdir(), 'fhirline-search-'));
  const store = new EmbeddedStore(dir);
  await store.open();
  const docs: ResourceDocument[] = resources.map((r) => ({
    _id: `${r.resourceType}/${r.id}`,
    resourceType: r.resourceType,
    id: r.id!,
    versionId: 1,
    lastUpdated: r.meta?.lastUpdated ?? '2024-01-01T00:00:00.000Z',
    deleted: false,
    content: JSON.stringify(r),
    ...extractSearchValues(r),
  }));
  await store.write(docs.map((doc) => ({ op: 'insert', collection: 'resources', doc })));
  const compile = (type: string, parameter: string, value: string) => {
    const [code, modifier] = parameter.split(':');
    const definition = searchParameterOf(type, code);
    if (!definition) throw new Error(`no search parameter ${type}.${code}`);
    return { $and: [{ resourceType: type }, compileParameter(type, { definition, code, modifier, value, baseUrl: BASE_URL })] };
  };
  return {
    async search(type, parameter, value) {
      const found = await store.find<ResourceDocument>('resources', compile(type, parameter, value));
      return found.map((d) => d.id).sort();
    },
    explain(type, parameter, value) {
      return store.explain('resources', compile(type, parameter, value));
    },
    async close() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The error kind a rejected parameter should have: an unsupported modifier is `not-supported`, a malformed value `invalid`. */
export function errorKindOf(parameter: string): string {
  return /:(exact|text|contains|below)$/.test(parameter) ? 'not-supported' : 'invalid';
}
