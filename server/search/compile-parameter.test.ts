import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getSearchParameter } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { FhirError } from '../errors/fhir-error.ts';
import { extractSearchValues } from '../search-index/extract.ts';
import type { ResourceDocument } from '../store/documents.ts';
import { EmbeddedStore } from '../store/embedded/embedded-store.ts';
import { loadDefinitions } from '../validation/definitions.ts';
import { compileParameter } from './compile-parameter.ts';
import { storeWith, type TestStore } from './testing/compile-test-store.ts';
import { sortField } from './sort-field.ts';

const resources: Resource[] = [
  { resourceType: 'Patient', id: 'a', gender: 'female', birthDate: '1990-01-01', name: [{ family: 'Young' }, { family: 'Alder' }] },
  { resourceType: 'Patient', id: 'b', gender: 'male', birthDate: '1970-05-05', name: [{ family: 'Brown' }] },
  { resourceType: 'Patient', id: 'c', birthDate: '1980', name: [{ family: 'Carter' }] },
];

describe('compileParameter', () => {
  let store: TestStore;
  before(async () => {
    store = await storeWith(resources);
  });
  after(() => store.close());

  it('_id matches the resource id (https://hl7.org/fhir/R4/search.html#id); comma is OR', async () => {
    assert.deepEqual(await store.search('Patient', '_id', 'a'), ['a']);
    assert.deepEqual(await store.search('Patient', '_id', 'a,c,zz'), ['a', 'c']);
    assert.deepEqual(await store.search('Patient', '_id:missing', 'false'), ['a', 'b', 'c']);
    await assert.rejects(store.search('Patient', '_id', 'a/b'), (e: unknown) => e instanceof FhirError && e.kind === 'invalid');
  });

  it('operator-looking values are data (no injection)', async () => {
    loadDefinitions();
    const definition = getSearchParameter('Patient', 'gender')!;
    const filter = compileParameter('Patient', { definition, code: 'gender', value: '{"$gt":""}' });
    assert.ok(!JSON.stringify(filter).includes('"$gt"'));
    assert.deepEqual(await store.search('Patient', 'gender', '$ne'), []);
  });

  it('selective searches are answered by an index (the embedded store plans as MongoDB would)', async () => {
    const plans: [string, string, string, RegExp][] = [
      ['Patient', 'gender', 'female', /IXSCAN.*tok/],
      ['Patient', 'gender', 'http://hl7.org/fhir/administrative-gender|female', /IXSCAN.*tok/],
      ['Patient', 'family', 'you', /IXSCAN.*str/],
      ['Patient', 'family:exact', 'Young', /IXSCAN resources \{resourceType, str\}/],
      ['Patient', 'birthdate', 'ge1980', /IXSCAN.*dt/],
      ['Patient', 'organization', 'Organization/1', /IXSCAN.*ref/],
      ['Patient', '_profile', 'http://x', /IXSCAN.*uri/],
      ['Patient', '_lastUpdated', 'gt2020', /IXSCAN.*lastUpdated/],
    ];
    for (const [type, p, v, plan] of plans) assert.match(await store.explain(type, p, v), plan, `${p}=${v}`);
  });

  it('400 names the parameter in issue.expression', () => {
    loadDefinitions();
    const definition = getSearchParameter('Patient', 'birthdate')!;
    assert.throws(
      () => compileParameter('Patient', { definition, code: 'birthdate', value: 'soon' }),
      (e: unknown) => e instanceof FhirError && e.kind === 'invalid' && e.outcome.issue?.[0]?.expression?.[0] === 'birthdate',
    );
  });
});

describe('sort keys extracted at write time (https://hl7.org/fhir/R4/search.html#sort)', () => {
  let dir: string;
  let store: EmbeddedStore;
  before(async () => {
    loadDefinitions();
    dir = await mkdtemp(join(tmpdir(), 'fhirline-sort-'));
    store = new EmbeddedStore(dir);
    await store.open();
    await store.write(
      resources.map((r, i) => ({
        op: 'insert' as const,
        collection: 'resources' as const,
        doc: {
          _id: `Patient/${r.id}`,
          resourceType: 'Patient',
          id: r.id!,
          versionId: 1,
          lastUpdated: `2024-01-0${3 - i}T00:00:00.000Z`,
          deleted: false,
          content: '{}',
          ...extractSearchValues(r),
        } satisfies ResourceDocument,
      })),
    );
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  const order = async (code: string, descending: boolean) =>
    (
      await store.find<ResourceDocument>(
        'resources',
        { resourceType: 'Patient' },
        { sort: { [sortField(code, descending)]: descending ? -1 : 1, _id: 1 } },
      )
    ).map((d) => d.id);

  it('a string sorts by its lowest value ascending and its highest descending', async () => {
    assert.deepEqual(await order('family', false), ['a', 'b', 'c']); // alder, brown, carter
    assert.deepEqual(await order('family', true), ['a', 'c', 'b']); // young, carter, brown
  });
  it('dates sort by the start of their range ascending and its end descending', async () => {
    assert.deepEqual(await order('birthdate', false), ['b', 'c', 'a']);
    assert.deepEqual(await order('birthdate', true), ['a', 'c', 'b']);
  });
  it('tokens by code; a resource without a value sorts first ascending and last descending', async () => {
    assert.deepEqual(await order('gender', false), ['c', 'a', 'b']);
    assert.deepEqual(await order('gender', true), ['b', 'a', 'c']);
  });
  it('_lastUpdated and _id sort on the document fields', async () => {
    assert.deepEqual(await order('_lastUpdated', false), ['c', 'b', 'a']);
    assert.deepEqual(await order('_id', true), ['c', 'b', 'a']);
  });
  it('has lists the parameters with values', () => {
    const values = extractSearchValues(resources[2]);
    assert.ok(values.has?.includes('birthdate') && values.has.includes('family') && !values.has.includes('gender'));
  });
});
