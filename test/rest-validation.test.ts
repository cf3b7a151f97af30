/**
 * Validation on every write, and $validate (https://hl7.org/fhir/R4/validation.html,
 * https://hl7.org/fhir/R4/resource-operation-validate.html).
 */
import assert from 'node:assert/strict';
import { useTestServer } from './support/in-process-server.ts';

const FHIR = 'application/fhir+json';
const PROFILE = 'http://fhirline.org/fhir/StructureDefinition/fhirline-patient';

describe('validation on write', () => {
  const { http } = useTestServer();

  const post = (body: object, path = '/fhir/Patient') => http.post(path).set('content-type', FHIR).send(JSON.stringify(body));

  it('rejects an unknown element (400) and writes nothing', async () => {
    const res = await post({ resourceType: 'Patient', id: 'x', favouriteColour: 'blue' });
    assert.equal(res.status, 400);
    assert.equal(res.body.resourceType, 'OperationOutcome');
    assert.deepEqual(res.body.issue[0].expression, ['Patient.favouriteColour']);
    const history = await http.get('/fhir/Patient/_history');
    assert.equal((history.body.entry ?? []).length, 0);
  });

  it('rejects a wrong type and a bad code with the element in issue.expression (400)', async () => {
    const wrongType = await post({ resourceType: 'Patient', active: 'yes' });
    assert.equal(wrongType.status, 400);
    assert.deepEqual(wrongType.body.issue[0].expression, ['Patient.active']);
    const badCode = await post({ resourceType: 'Patient', gender: 'robot' });
    assert.equal(badCode.status, 400);
    assert.deepEqual(badCode.body.issue[0].expression, ['Patient.gender']);
  });

  it('rejects a missing required element (400)', async () => {
    const res = await post({ resourceType: 'Observation', code: { text: 'x' } }, '/fhir/Observation');
    assert.equal(res.status, 400);
    assert.ok(res.body.issue.some((i: { expression?: string[] }) => i.expression?.[0] === 'Observation.status'));
  });

  it('validates a resource that claims a known profile against it: 422 when it does not conform', async () => {
    const bad = await post({ resourceType: 'Patient', meta: { profile: [PROFILE] }, birthDate: '1970-01-01' });
    assert.equal(bad.status, 422);
    assert.ok(bad.body.issue.some((i: { expression?: string[] }) => i.expression?.[0] === 'Patient.identifier'));
    const good = await post({ resourceType: 'Patient', meta: { profile: [PROFILE] }, birthDate: '1970-01-01', identifier: [{ system: 'urn:mrn', value: '1' }] });
    assert.equal(good.status, 201);
  });

  it('validates updates too', async () => {
    const created = await post({ resourceType: 'Patient' });
    const res = await http.put(`/fhir/Patient/${created.body.id}`).set('content-type', FHIR).send(JSON.stringify({ ...created.body, birthDate: '1970-13-45' }));
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.issue[0].expression, ['Patient.birthDate']);
  });

  describe('$validate', () => {
    it('POST [type]/$validate answers 200 with "All OK" for a valid resource and writes nothing', async () => {
      const res = await post({ resourceType: 'Patient', gender: 'female' }, '/fhir/Patient/$validate');
      assert.equal(res.status, 200);
      assert.equal(res.body.resourceType, 'OperationOutcome');
      assert.equal(res.body.issue[0].severity, 'information');
      const history = await http.get('/fhir/Patient/_history?_count=100');
      assert.ok(!(history.body.entry ?? []).some((e: { resource?: { gender?: string } }) => e.resource?.gender === 'female'));
    });

    it('answers 200 with the errors for an invalid resource, also inside Parameters and on an instance', async () => {
      const direct = await post({ resourceType: 'Patient', gender: 'robot' }, '/fhir/Patient/$validate');
      assert.equal(direct.status, 200);
      assert.equal(direct.body.issue[0].severity, 'error');
      assert.deepEqual(direct.body.issue[0].expression, ['Patient.gender']);
      const wrapped = await post(
        { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: { resourceType: 'Patient', foo: 1 } }] },
        '/fhir/Patient/abc/$validate',
      );
      assert.equal(wrapped.status, 200);
      assert.deepEqual(wrapped.body.issue[0].expression, ['Patient.foo']);
    });
  });
});
