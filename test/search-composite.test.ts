/**
 * Composite search parameters over HTTP (https://hl7.org/fhir/R4/search.html#composite): values written through
 * the REST API are extracted at write time and the components match within the same element.
 */
import assert from 'node:assert/strict';
import { fhirClient, type ResourceToSend } from './support/fhir-client.ts';
import { useTestServer } from './support/in-process-server.ts';

const FHIR = 'application/fhir+json';
const LOINC = 'http://loinc.org';

describe('composite search parameters (search.html#composite)', () => {
  const { http } = useTestServer();
  const { create: createResource, ids } = fhirClient(http);
  const create = async (resource: ResourceToSend) => (await createResource(resource)).id;
  const bp = (systolic: number, diastolic: number) =>
    create({
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: LOINC, code: '85354-9' }] },
      component: [
        {
          code: { coding: [{ system: LOINC, code: '8480-6' }] },
          valueQuantity: { value: systolic, system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
        },
        {
          code: { coding: [{ system: LOINC, code: '8462-4' }] },
          valueQuantity: { value: diastolic, system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
        },
      ],
    });

  it('component-code-value-quantity=http://loinc.org|8480-6$gt140 matches within one component only', async () => {
    const high = await bp(150, 90);
    const crossed = await bp(120, 145);
    assert.deepEqual(await ids(`/fhir/Observation?component-code-value-quantity=${encodeURIComponent(`${LOINC}|8480-6$gt140`)}`), [high]);
    assert.deepEqual(await ids(`/fhir/Observation?component-code-value-quantity=${encodeURIComponent(`${LOINC}|8462-4$gt140`)}`), [
      crossed,
    ]);
  });

  it('an update re-extracts the tuples: the old value no longer matches', async () => {
    const id = await create({
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: LOINC, code: '718-7' }] },
      valueQuantity: { value: 7 },
    });
    assert.deepEqual(await ids(`/fhir/Observation?code-value-quantity=718-7$lt8`), [id]);
    const res = await http
      .put(`/fhir/Observation/${id}`)
      .set('content-type', FHIR)
      .send(
        JSON.stringify({
          resourceType: 'Observation',
          id,
          status: 'final',
          code: { coding: [{ system: LOINC, code: '718-7' }] },
          valueQuantity: { value: 13 },
        }),
      );
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(await ids(`/fhir/Observation?code-value-quantity=718-7$lt8`), []);
    assert.deepEqual(await ids(`/fhir/Observation?code-value-quantity=718-7$13`), [id]);
  });

  it('a composite value without its $ parts is malformed: 400 with Prefer: handling=strict (search.html#errors)', async () => {
    const res = await http.get('/fhir/Observation?code-value-quantity=718-7').set('prefer', 'handling=strict');
    assert.equal(res.status, 400);
    assert.equal(res.body.issue[0].expression[0], 'code-value-quantity');
  });
});
