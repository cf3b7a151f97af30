/**
 * Validation on every write, and $validate (https://hl7.org/fhir/R4/validation.html,
 * https://hl7.org/fhir/R4/resource-operation-validate.html).
 */
import assert from 'node:assert/strict';
import { startChildServer, type ChildServer } from './support/child-server.ts';
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
    const good = await post({
      resourceType: 'Patient',
      meta: { profile: [PROFILE] },
      birthDate: '1970-01-01',
      identifier: [{ system: 'urn:mrn', value: '1' }],
    });
    assert.equal(good.status, 201);
  });

  it('validates updates too', async () => {
    const created = await post({ resourceType: 'Patient' });
    const res = await http
      .put(`/fhir/Patient/${created.body.id}`)
      .set('content-type', FHIR)
      .send(JSON.stringify({ ...created.body, birthDate: '1970-13-45' }));
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

  describe('hostile element names and bodies', () => {
    it('members named after Object.prototype are unknown elements (400 with their expression), not a crash', async () => {
      for (const name of ['constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
        const res = await http
          .post('/fhir/Patient')
          .set('content-type', FHIR)
          .send(`{"resourceType":"Patient","${name}":{"prototype":{}}}`);
        assert.equal(res.status, 400, `${name}: ${res.text}`);
        assert.deepEqual(res.body.issue[0].expression, [`Patient.${name}`]);
      }
      const nested = await post({ resourceType: 'Patient', name: [{ family: 'x', toString: 'y' }] });
      assert.equal(nested.status, 400);
      assert.deepEqual(nested.body.issue[0].expression, ['Patient.name[0].toString']);
      const resourceType = await http.post('/fhir/Patient').set('content-type', FHIR).send('{"resourceType":{"toString":1}}');
      assert.equal(resourceType.status, 400);
      assert.equal(resourceType.body.resourceType, 'OperationOutcome');
    });

    it('$validate of a body that is not an object (null, [], 1) answers 400 with an OperationOutcome', async () => {
      for (const text of ['null', '[]', '1', '"Patient"']) {
        const res = await http.post('/fhir/Patient/$validate').set('content-type', FHIR).send(text);
        assert.equal(res.status, 400, `${text}: ${res.text}`);
        assert.equal(res.body.resourceType, 'OperationOutcome');
      }
    });

    it('a body nested deeper than 500 levels answers 400 too-costly before it is parsed', async () => {
      const deep = `{"resourceType":"QuestionnaireResponse","status":"completed","item":[${'{"linkId":"a","item":['.repeat(3000)}{"linkId":"b"}${']}'.repeat(3000)}]}`;
      for (const path of ['/fhir/QuestionnaireResponse', '/fhir/QuestionnaireResponse/$validate']) {
        const res = await http.post(path).set('content-type', FHIR).send(deep);
        assert.equal(res.status, 400, res.text);
        assert.equal(res.body.issue[0].code, 'too-costly');
      }
    });

    it('a JSON Patch through __proto__ or toString answers 400, not a crash', async () => {
      const created = await post({ resourceType: 'Patient', name: [{ family: 'P' }] });
      const ops = [{ op: 'move', from: '/__proto__', path: '/toString' }];
      const res = await http
        .patch(`/fhir/Patient/${created.body.id}`)
        .set('content-type', 'application/json-patch+json')
        .send(JSON.stringify(ops));
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.resourceType, 'OperationOutcome');
    });
  });

  describe('the cost of validation is bounded', function () {
    this.timeout(120_000);

    it('a resource with 20,000 unknown elements gets 100 issues, the last saying more were left out (400)', async () => {
      const body: Record<string, unknown> = { resourceType: 'Patient' };
      for (let i = 0; i < 20_000; i++) body[`x${i}`] = 'v';
      const res = await post(body);
      assert.equal(res.status, 400);
      assert.equal(res.body.issue.length, 100);
      assert.deepEqual(res.body.issue[0].expression, ['Patient.x0']);
      const last = res.body.issue[99];
      assert.equal(last.code, 'too-costly');
      assert.match(last.diagnostics, /left out/);
      assert.deepEqual(last.expression, ['Patient.x99']);
      const viaValidate = await post(body, '/fhir/Patient/$validate');
      assert.equal(viaValidate.status, 200);
      assert.equal(viaValidate.body.issue.length, 100);
    });

    it('20,000 names with an unknown element each: 100 issues (ajv with every error is quadratic; 400)', async () => {
      const res = await post({
        resourceType: 'Patient',
        name: Array.from({ length: 20_000 }, (_, i) => ({ family: `f${i}`, nickname: 'x' })),
      });
      assert.equal(res.status, 400);
      assert.equal(res.body.issue.length, 100);
      assert.deepEqual(res.body.issue[0].expression, ['Patient.name[0].nickname']);
    });

    it('a resource nested deeper than 200 levels is too-costly (400), in a write and in $validate', async () => {
      let extension: object = { url: 'http://example.org/leaf', valueString: 'x' };
      for (let i = 0; i < 120; i++) extension = { url: 'http://example.org/branch', extension: [extension] };
      const body = { resourceType: 'Patient', extension: [extension] };
      const res = await post(body);
      assert.equal(res.status, 400);
      assert.equal(res.body.issue[0].code, 'too-costly');
      assert.match(res.body.issue[0].diagnostics, /MAX_RESOURCE_DEPTH/);
      assert.match(res.body.issue[0].expression[0], /^Patient\.extension\[0\](\.extension\[0\])+/);
      const viaValidate = await post(body, '/fhir/Patient/$validate');
      assert.equal(viaValidate.status, 200);
      assert.equal(viaValidate.body.issue[0].code, 'too-costly');
    });

    it('a resource with more search values than MAX_SEARCH_VALUES is too-costly (400) and not stored', async () => {
      // 10,000 given names: name, given and phonetic, each normalised and exact, make 60,000 search values.
      const res = await post({
        resourceType: 'Patient',
        name: [{ family: 'Many', given: Array.from({ length: 10_000 }, (_, i) => `g${i}`) }],
      });
      assert.equal(res.status, 400);
      assert.equal(res.body.issue[0].code, 'too-costly');
      assert.match(res.body.issue[0].diagnostics, /MAX_SEARCH_VALUES/);
      const found = await http.get('/fhir/Patient?family=Many');
      assert.equal((found.body.entry ?? []).length, 0);
    });
  });
});

describe('$validate on the shipped configuration (child process, prepare workers on)', function () {
  this.timeout(120_000);
  let child: ChildServer;
  before(async () => {
    child = await startChildServer();
  });
  after(async () => {
    await child?.cleanup();
  });

  it('runs in a prepare worker: /healthz answers while a costly $validate is still being validated', async () => {
    const body = { resourceType: 'Patient', name: Array.from({ length: 40_000 }, (_, i) => ({ family: `f${i}`, nickname: 'x' })) };
    const order: string[] = [];
    const validating = fetch(`${child.baseUrl}/Patient/$validate`, {
      method: 'POST',
      headers: { 'content-type': FHIR, authorization: child.authorization },
      body: JSON.stringify(body),
    }).then(async (res) => {
      order.push('validate');
      return { status: res.status, body: (await res.json()) as { issue: { code: string }[] } };
    });
    await new Promise((resolve) => setTimeout(resolve, 300)); // the body is sent and being validated
    const health = await fetch(`${child.origin}/healthz`);
    order.push('healthz');
    assert.equal(health.status, 200);
    const validated = await validating;
    assert.equal(validated.status, 200);
    assert.equal(validated.body.issue.length, 100);
    assert.deepEqual(order, ['healthz', 'validate']);
  });
});
