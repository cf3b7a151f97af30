/**
 * A malformed value of a parameter the server supports is 400 `invalid` naming the parameter, in lenient mode
 * too: dropping it would turn a narrow search into "every resource of the type". Only an unknown parameter or
 * modifier is left out under `handling=lenient` (https://hl7.org/fhir/R4/search.html#errors).
 */
import assert from 'node:assert/strict';
import { assertOutcome, fhirClient } from './support/fhir-client.ts';
import { useTestServer } from './support/in-process-server.ts';

describe('malformed values of supported parameters (search.html#errors)', () => {
  const { http } = useTestServer();
  const { create, ids } = fhirClient(http);
  before(async () => {
    await create({ resourceType: 'Patient', name: [{ family: 'Malformed' }], birthDate: '1970-01-01' });
    await create({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, valueQuantity: { value: 5, code: 'mg' } });
  });

  const cases: [string, string][] = [
    ['/fhir/Patient?_id={"$gt":""}', '_id'],
    ['/fhir/Patient?birthdate=not-a-date', 'birthdate'],
    ['/fhir/Patient?birthdate=ge2020,not-a-date', 'birthdate'],
    ['/fhir/RiskAssessment?probability=high', 'probability'],
    ['/fhir/Observation?value-quantity=lots', 'value-quantity'],
    ['/fhir/Patient?family:missing=perhaps', 'family'],
    ['/fhir/Patient?general-practitioner=a|b|c', 'general-practitioner'],
    ['/fhir/Observation?code:in=http://example.org/unknown-value-set', 'code'],
  ];

  for (const strict of [false, true]) {
    it(`answers 400 invalid with the parameter named ${strict ? 'with' : 'without'} Prefer: handling=strict`, async () => {
      for (const [url, expression] of cases) {
        const req = http.get(encodeURI(url));
        const res = await (strict ? req.set('prefer', 'handling=strict') : req);
        assertOutcome(res, 400, 'invalid', expression, url);
      }
    });
  }

  it('an unknown parameter or modifier is still left out in lenient mode', async () => {
    assert.ok((await ids('/fhir/Patient?family=malformed&not-a-param=1')).length === 1);
    assert.ok((await ids('/fhir/Patient?family=malformed&gender:bogus=male')).length === 1);
    assert.ok(
      (await ids(`/fhir/Patient?family=malformed&${encodeURIComponent('_id[$ne]')}=x`)).length === 1,
      'a name is never an operator',
    );
  });
});
