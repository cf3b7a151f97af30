/**
 * Token `:in` / `:not-in` over HTTP (https://hl7.org/fhir/R4/search.html#modifiers): the value is a ValueSet's
 * canonical URL, an R4 one or one stored on this server.
 */
import assert from 'node:assert/strict';
import { fhirClient } from './support/fhir-client.ts';
import { useTestServer } from './support/in-process-server.ts';

const GENDER_VS = 'http://hl7.org/fhir/ValueSet/administrative-gender';

describe('token :in / :not-in with a known ValueSet (search.html#modifiers)', () => {
  const { http } = useTestServer();
  const { create, ids } = fhirClient(http);
  /** The test's name of each resource, by id. */
  const nameOf: Record<string, string> = {};
  before(async () => {
    const obs = (code: string) => ({
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code }] },
    });
    for (const [name, resource] of Object.entries({
      female: { resourceType: 'Patient', gender: 'female' },
      unknown: { resourceType: 'Patient', gender: 'unknown' },
      none: { resourceType: 'Patient' },
      systolic: obs('8480-6'),
      diastolic: obs('8462-4'),
      glucose: obs('2339-0'),
      vs: {
        resourceType: 'ValueSet',
        url: 'http://example.org/fhir/ValueSet/blood-pressure',
        status: 'active',
        compose: { include: [{ system: 'http://loinc.org', concept: [{ code: '8480-6' }, { code: '8462-4' }] }] },
      },
    })) {
      nameOf[(await create(resource)).id] = name;
    }
  });

  const get = (url: string, headers: Record<string, string> = {}) => http.get(url).set(headers);
  const names = async (url: string) => (await ids(url)).map((id) => nameOf[id]).sort();

  it(':in an R4 ValueSet (from the definitions): codes of the code system it includes', async () => {
    assert.deepEqual(await names(`/fhir/Patient?gender:in=${encodeURIComponent(GENDER_VS)}`), ['female', 'unknown']);
  });

  it(':in a ValueSet stored on this server, found by its url', async () => {
    assert.deepEqual(await names('/fhir/Observation?code:in=http://example.org/fhir/ValueSet/blood-pressure'), ['diastolic', 'systolic']);
  });

  it(':not-in: no coding in the ValueSet, also a resource with no value (as :not)', async () => {
    assert.deepEqual(await names('/fhir/Observation?code:not-in=http://example.org/fhir/ValueSet/blood-pressure'), ['glucose']);
    assert.deepEqual(await names('/fhir/Patient?gender:not-in=http://hl7.org/fhir/ValueSet/administrative-gender'), ['none']);
  });

  it('an unknown ValueSet: 400 in both modes, never dropped (search.html#errors)', async () => {
    for (const headers of [{ prefer: 'handling=strict' }, {}] as Record<string, string>[]) {
      const res = await get('/fhir/Observation?code:in=http://example.org/unknown', headers);
      assert.equal(res.status, 400);
      assert.equal(res.body.resourceType, 'OperationOutcome');
      assert.match(JSON.stringify(res.body), /Unknown ValueSet/);
    }
  });

  it('a ValueSet larger than the expansion cap: 400 too-costly in both modes', async () => {
    // The v3 ActCode ValueSet includes the whole v3 ActCode code system: 1,116 concepts.
    const res = await get(`/fhir/Encounter?class:in=${encodeURIComponent('http://terminology.hl7.org/ValueSet/v3-ActCode')}`);
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.issue[0].code, 'too-costly');
  });
});
