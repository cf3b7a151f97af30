import assert from 'node:assert/strict';
import type { Resource } from '@medplum/fhirtypes';
import { FhirError } from '../errors/fhir-error.ts';
import { storeWith, type TestStore, errorKindOf } from './testing/compile-test-store.ts';

const vs = (id: string, url: string): Resource => ({ resourceType: 'ValueSet', id, status: 'active', url }) as Resource;

const resources: Resource[] = [
  vs('root', 'http://acme.org/fhir/'),
  vs('vs123', 'http://acme.org/fhir/ValueSet/123'),
  vs('vs1234', 'http://acme.org/fhir/ValueSet/1234'),
  vs('other', 'http://other.org/fhir/ValueSet/123'),
  vs('dots', 'urn:a.b'),
  {
    resourceType: 'ValueSet',
    id: 'none',
    status: 'draft',
    meta: { profile: ['http://example.org/StructureDefinition/vs-profile'], source: 'http://src#1' },
  } as Resource,
];

describe('compileParameter: uri (https://hl7.org/fhir/R4/search.html#uri)', () => {
  let store: TestStore;
  before(async () => {
    store = await storeWith(resources);
  });
  after(() => store.close());
  const url = (v: string, modifier = '') => store.search('ValueSet', `url${modifier}`, v);

  it('exact match by default (no prefix match)', async () => {
    assert.deepEqual(await url('http://acme.org/fhir/ValueSet/123'), ['vs123']);
    assert.deepEqual(await url('http://acme.org/fhir/ValueSet/12'), []);
    assert.deepEqual(await url('urn:a.b,urn:axb'), ['dots']);
    assert.deepEqual(await url('urn:axb'), []);
  });
  it(':below: stored URIs that start with the search value', async () => {
    assert.deepEqual(await url('http://acme.org/fhir/', ':below'), ['root', 'vs123', 'vs1234']);
    assert.deepEqual(await url('http://acme.org/fhir/ValueSet/123', ':below'), ['vs123', 'vs1234']);
  });
  it(':above: stored URIs the search value starts with', async () => {
    assert.deepEqual(await url('http://acme.org/fhir/ValueSet/123/_history/5', ':above'), ['root', 'vs123']);
  });
  it('_profile and _source (Resource.meta) are uri parameters on every type; :missing', async () => {
    assert.deepEqual(await store.search('ValueSet', '_profile', 'http://example.org/StructureDefinition/vs-profile'), ['none']);
    assert.deepEqual(await store.search('ValueSet', '_source', 'http://src#1'), ['none']);
    assert.deepEqual(await store.search('ValueSet', 'url:missing', 'true'), ['none']);
  });
  it('400 for an empty value or an unsupported modifier', async () => {
    for (const [p, v] of [
      ['url', ''],
      ['url:contains', 'acme'],
    ]) {
      await assert.rejects(store.search('ValueSet', p, v), (e: unknown) => e instanceof FhirError && e.kind === errorKindOf(p));
    }
  });
});
