import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FhirError } from '../errors/fhir-error.ts';
import type { ResourceDocument } from '../store/documents.ts';
import { EmbeddedStore } from '../store/embedded/embedded-store.ts';
import { emptySearchValues } from '../search-index/extract.ts';
import { findIncludes } from './include.ts';
import { MAX_INCLUDE_ROUNDS, MAX_INCLUDES } from './limits.ts';
import type { IncludeSpec } from './parse-search.ts';
import { UNRESTRICTED } from '../access/access.ts';

const BASE = 'http://example.org/fhir';

function patient(id: string, refs: string[]): ResourceDocument {
  return {
    _id: `Patient/${id}`,
    resourceType: 'Patient',
    id,
    versionId: 1,
    lastUpdated: '2024-01-01T00:00:00.000Z',
    deleted: false,
    content: '{}',
    ...emptySearchValues(),
    ref: refs,
  };
}

const isTooCostly = (expression: string) => (err: unknown) =>
  err instanceof FhirError && err.kind === 'too-costly' && err.outcome.issue?.[0]?.expression?.[0] === expression;

describe('findIncludes limits (search.html#include)', () => {
  let dir: string;
  let store: EmbeddedStore;
  // A chain of links p0 -> p1 -> ... -> p7, and p0 referred to by MAX_INCLUDES + 1 patients.
  const chain = Array.from({ length: 8 }, (_, i) => patient(`p${i}`, i < 7 ? [`link|Patient/p${i + 1}`] : []));
  const referrers = Array.from({ length: MAX_INCLUDES + 1 }, (_, i) => patient(`r${i}`, ['general-practitioner|Patient/p0']));
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fhirline-include-'));
    store = new EmbeddedStore(dir);
    await store.open();
    await store.write([...chain, ...referrers].map((doc) => ({ op: 'insert' as const, collection: 'resources', doc })));
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  const link = (iterate: boolean): IncludeSpec => ({ sourceType: 'Patient', param: 'link', iterate });

  it(`:iterate follows ${MAX_INCLUDE_ROUNDS} rounds; a further round that would add resources is too-costly`, async () => {
    const fromP2 = await findIncludes(store, BASE, UNRESTRICTED, [chain[2]], [link(true)], []);
    assert.deepEqual(
      fromP2.map((d) => d.id),
      ['p3', 'p4', 'p5', 'p6', 'p7'],
    );
    await assert.rejects(findIncludes(store, BASE, UNRESTRICTED, [chain[1]], [link(true)], []), isTooCostly('_include:iterate'));
    assert.deepEqual(
      (await findIncludes(store, BASE, UNRESTRICTED, [chain[0]], [link(false)], [])).map((d) => d.id),
      ['p1'],
      'without :iterate one round',
    );
  });

  it(`more than ${MAX_INCLUDES} included resources is too-costly, for a parameter and for *`, async () => {
    await assert.rejects(
      findIncludes(store, BASE, UNRESTRICTED, [chain[0]], [], [{ sourceType: 'Patient', param: 'general-practitioner', iterate: false }]),
      isTooCostly('_revinclude'),
    );
    await assert.rejects(
      findIncludes(store, BASE, UNRESTRICTED, [chain[0]], [], [{ sourceType: '*', param: '*', iterate: false }]),
      isTooCostly('_revinclude'),
    );
    const one = await findIncludes(store, BASE, UNRESTRICTED, [referrers[0]], [{ sourceType: '*', param: '*', iterate: false }], []);
    assert.deepEqual(
      one.map((d) => d.id),
      ['p0'],
    );
  });
});
