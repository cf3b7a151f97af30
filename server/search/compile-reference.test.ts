import assert from 'node:assert/strict';
import type { Resource } from '@medplum/fhirtypes';
import { FhirError } from '../errors/fhir-error.ts';
import { BASE_URL, storeWith, type TestStore, errorKindOf } from './testing/compile-test-store.ts';

const obs = (id: string, subject: Record<string, unknown>): Resource =>
  ({ resourceType: 'Observation', id, status: 'final', code: { text: 'x' }, subject }) as Resource;

const resources: Resource[] = [
  obs('rel', { reference: 'Patient/123' }),
  obs('abs-here', { reference: `${BASE_URL}/Patient/123` }),
  obs('hist', { reference: 'Patient/123/_history/2' }),
  obs('group', { reference: 'Group/123' }),
  obs('other', { reference: 'Patient/456' }),
  obs('elsewhere', { reference: 'http://other.org/fhir/Patient/123' }),
  obs('ident', { identifier: { system: 'http://hospital/mrn', value: 'MRN-1' } }),
  obs('none', {}),
  { resourceType: 'Patient', id: 'p', managingOrganization: { reference: 'Organization/9' } },
  { resourceType: 'StructureDefinition', id: 's1', baseDefinition: 'http://example.org/StructureDefinition/base|1.0' } as Resource,
  { resourceType: 'StructureDefinition', id: 's2', baseDefinition: 'http://example.org/StructureDefinition/base|2.0' } as Resource,
  { resourceType: 'StructureDefinition', id: 's3', baseDefinition: 'http://example.org/StructureDefinition/base' } as Resource,
  { resourceType: 'StructureDefinition', id: 's4', baseDefinition: 'http://example.org/StructureDefinition/base-other' } as Resource,
];

describe('compileParameter: reference (https://hl7.org/fhir/R4/search.html#reference)', () => {
  let store: TestStore;
  before(async () => {
    store = await storeWith(resources);
  });
  after(() => store.close());
  const subject = (v: string, modifier = '') => store.search('Observation', `subject${modifier}`, v);

  it('[type]/[id]: relative, absolute on this server, and versioned references to it', async () => {
    assert.deepEqual(await subject('Patient/123'), ['abs-here', 'hist', 'rel']);
  });
  it('[id] with a :[type] modifier', async () => {
    assert.deepEqual(await subject('123', ':Patient'), ['abs-here', 'hist', 'rel']);
    assert.deepEqual(await subject('123', ':Group'), ['group']);
  });
  it('[id] alone: any of the target types of the parameter', async () => {
    assert.deepEqual(await subject('123'), ['abs-here', 'group', 'hist', 'rel']);
  });
  it('[id] alone on a parameter with one target type', async () => {
    assert.deepEqual(await store.search('Patient', 'organization', '9'), ['p']);
  });
  it('an absolute URL on this server is a local reference; elsewhere it is taken as written', async () => {
    assert.deepEqual(await subject(`${BASE_URL}/Patient/123`), ['abs-here', 'hist', 'rel']);
    assert.deepEqual(await subject('http://other.org/fhir/Patient/123'), ['elsewhere']);
    assert.deepEqual(await subject('Patient/123/_history/7'), ['abs-here', 'hist', 'rel']);
  });
  it(':identifier matches Reference.identifier like a token', async () => {
    assert.deepEqual(await subject('http://hospital/mrn|MRN-1', ':identifier'), ['ident']);
    assert.deepEqual(await subject('MRN-1', ':identifier'), ['ident']);
    assert.deepEqual(await subject('http://other|MRN-1', ':identifier'), []);
  });
  it('canonical references: without a version any version matches; url|version that version', async () => {
    assert.deepEqual(await store.search('StructureDefinition', 'base', 'http://example.org/StructureDefinition/base'), ['s1', 's2', 's3']);
    assert.deepEqual(await store.search('StructureDefinition', 'base', 'http://example.org/StructureDefinition/base|2.0'), ['s2']);
  });
  it('comma is OR; :missing', async () => {
    assert.deepEqual(await subject('Patient/456,Group/123'), ['group', 'other']);
    assert.deepEqual(await store.search('Observation', 'subject:missing', 'true'), ['none']);
  });
  it('values are data: no pattern from the value', async () => {
    assert.deepEqual(await subject('Patient/.*').catch(() => 'bad'), 'bad');
  });
  it('400 for a malformed reference, a type the parameter cannot refer to, or an unsupported modifier', async () => {
    for (const [p, v] of [
      ['subject', 'not a reference'],
      ['subject:Patient', 'Group/1'],
      ['subject:Medication', '1'],
      ['subject:below', 'Patient/1'],
      ['subject', 'Patient/1|2|3'],
    ]) {
      await assert.rejects(store.search('Observation', p, v), (e: unknown) => e instanceof FhirError && e.kind === errorKindOf(p));
    }
  });
});
