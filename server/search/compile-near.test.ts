import assert from 'node:assert/strict';
import type { Resource } from '@medplum/fhirtypes';
import { FhirError } from '../errors/fhir-error.ts';
import { storeWith, type TestStore, errorKindOf } from './testing/compile-test-store.ts';

const location = (id: string, latitude?: number, longitude?: number): Resource => ({
  resourceType: 'Location',
  id,
  ...(latitude !== undefined && longitude !== undefined ? { position: { latitude, longitude } } : {}),
});

const resources: Resource[] = [
  location('amsterdam', 52.3676, 4.9041),
  location('haarlem', 52.3874, 4.6462), // about 17.6 km west of Amsterdam
  location('utrecht', 52.0907, 5.1214), // about 34 km south-east
  location('fiji-east', -17.8, 179.9),
  location('fiji-west', -17.8, -179.9),
  location('nowhere'),
];

describe('compileParameter: Location near (https://hl7.org/fhir/R4/search.html#special, location.html#positional)', () => {
  let store: TestStore;
  before(async () => {
    store = await storeWith(resources);
  });
  after(() => store.close());
  const near = (v: string) => store.search('Location', 'near', v);

  it('latitude|longitude|distance|units: locations within the distance (km when units are omitted)', async () => {
    assert.deepEqual(await near('52.3676|4.9041|5|km'), ['amsterdam']);
    assert.deepEqual(await near('52.3676|4.9041|20'), ['amsterdam', 'haarlem']);
    assert.deepEqual(await near('52.3676|4.9041|40|km'), ['amsterdam', 'haarlem', 'utrecht']);
    assert.deepEqual(await near('52.3676|4.9041|15|[mi_i]'), ['amsterdam', 'haarlem']);
    assert.deepEqual(await near('52.3676|4.9041|3000|m'), ['amsterdam']);
  });

  it('without a distance the server decides (10 km here); a comma ORs points', async () => {
    assert.deepEqual(await near('52.3676|4.9041'), ['amsterdam']);
    assert.deepEqual(await near('52.3676|4.9041|1,52.0907|5.1214|1'), ['amsterdam', 'utrecht']);
  });

  it('a box across the antimeridian wraps around', async () => {
    assert.deepEqual(await near('-17.8|179.95|20'), ['fiji-east', 'fiji-west']);
  });

  it('malformed coordinates, units or modifiers are 400', async () => {
    for (const [param, value] of [
      ['near', '52.3676'],
      ['near', 'north|4.9'],
      ['near', '91|4.9|1'],
      ['near', '52|4.9|1|parsec'],
      ['near:exact', '52|4.9'],
    ]) {
      await assert.rejects(
        store.search('Location', param, value),
        (err: FhirError) => err.kind === errorKindOf(param),
        `${param}=${value}`,
      );
    }
  });
});
