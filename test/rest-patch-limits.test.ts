/**
 * JSON Patch bounds and no-op writes (https://hl7.org/fhir/R4/http.html#patch, RFC 6902): a patch may not grow
 * a resource past the body limit nor run unbounded work, a malformed operation is 400 naming it, and a PATCH or
 * PUT that changes nothing writes no version.
 */
import assert from 'node:assert/strict';
import { useTestServer } from './support/in-process-server.ts';

const FHIR = 'application/fhir+json';
const JSON_PATCH = 'application/json-patch+json';
const patient = { resourceType: 'Patient', name: [{ family: 'Chalmers', given: ['Peter'] }], gender: 'male' };

describe('JSON Patch bounds and changes that change nothing', function () {
  this.timeout(120_000);
  const { http } = useTestServer();
  const create = async () =>
    (await http.post('/fhir/Patient').set('content-type', FHIR).send(JSON.stringify(patient))).body as { id: string };
  const patchIt = (id: string, ops: unknown) => http.patch(`/fhir/Patient/${id}`).set('content-type', JSON_PATCH).send(JSON.stringify(ops));
  const versions = async (id: string) => ((await http.get(`/fhir/Patient/${id}/_history`)).body.entry as unknown[]).length;

  it('forty copies of /name onto itself (a 2 KB patch doubling the resource 40 times) are too costly, naming the operation; nothing is stored', async () => {
    const { id } = await create();
    const ops = Array.from({ length: 40 }, () => ({ op: 'copy', from: '/name', path: '/name/-' }));
    const res = await patchIt(id, ops);
    assert.equal(res.status, 400, res.text.slice(0, 500));
    assert.equal(res.body.resourceType, 'OperationOutcome');
    assert.equal(res.body.issue[0].code, 'too-costly');
    assert.match(
      res.body.issue[0].diagnostics,
      /^JSON Patch operation 2 \(copy from \/name to \/name\/-\): the copies of one patch may duplicate at most the \d+ bytes the resource held/,
    );
    assert.deepEqual(res.body.issue[0].expression, ['operation[2]']);
    const read = await http.get(`/fhir/Patient/${id}`);
    assert.equal(read.body.meta.versionId, '1');
    assert.equal(read.body.name.length, 1);
    const once = await patchIt(id, [{ op: 'copy', from: '/name/0', path: '/name/-' }]);
    assert.equal(once.status, 200, 'a copy within the bound is applied');
    assert.equal(once.body.name.length, 2);
  });

  it('more than 1,000 operations are too costly (400, expression at the first one past the bound)', async () => {
    const { id } = await create();
    const res = await patchIt(
      id,
      Array.from({ length: 1001 }, () => ({ op: 'test', path: '/gender', value: 'male' })),
    );
    assert.equal(res.status, 400);
    assert.equal(res.body.issue[0].code, 'too-costly');
    assert.deepEqual(res.body.issue[0].expression, ['operation[1000]']);
  });

  it('an operation whose path is not a JSON Pointer, or that lacks its value or from, is 400 naming it', async () => {
    const { id } = await create();
    const notPointer = await patchIt(id, [
      { op: 'test', path: '/gender', value: 'male' },
      { op: 'replace', path: 'active', value: true },
    ]);
    assert.equal(notPointer.status, 400, notPointer.text);
    assert.match(notPointer.body.issue[0].diagnostics, /^JSON Patch operation 1 \(replace\): path must be a JSON Pointer/);
    assert.deepEqual(notPointer.body.issue[0].expression, ['operation[1].path']);
    const noValue = await patchIt(id, [{ op: 'add', path: '/active' }]);
    assert.equal(noValue.status, 400);
    assert.deepEqual(noValue.body.issue[0].expression, ['operation[0].value']);
    const noFrom = await patchIt(id, [{ op: 'copy', path: '/name/-' }]);
    assert.deepEqual(noFrom.body.issue[0].expression, ['operation[0].from']);
    const unknownOp = await patchIt(id, [{ op: 'merge', path: '/name' }]);
    assert.deepEqual(unknownOp.body.issue[0].expression, ['operation[0].op']);
    assert.equal(unknownOp.status, 400);
    assert.equal((await http.get(`/fhir/Patient/${id}`)).body.meta.versionId, '1');
  });

  it('the same malformed operation in a transaction PATCH entry is 400 naming the entry and the operation', async () => {
    const { id } = await create();
    const data = Buffer.from(JSON.stringify([{ op: 'replace', path: 'active', value: true }])).toString('base64');
    const res = await http
      .post('/fhir')
      .set('content-type', FHIR)
      .send(
        JSON.stringify({
          resourceType: 'Bundle',
          type: 'transaction',
          entry: [
            { resource: { resourceType: 'Binary', contentType: JSON_PATCH, data }, request: { method: 'PATCH', url: `Patient/${id}` } },
          ],
        }),
      );
    assert.equal(res.status, 400, res.text);
    assert.match(res.body.issue[0].diagnostics, /^Bundle\.entry\[0\]: JSON Patch operation 0 \(replace\): path must be a JSON Pointer/);
  });

  it('a PATCH of only test operations changes nothing: 200 with the current version, no new history entry', async () => {
    const { id } = await create();
    for (let i = 0; i < 3; i++) {
      const res = await patchIt(id, [{ op: 'test', path: '/gender', value: 'male' }]);
      assert.equal(res.status, 200);
      assert.equal(res.headers.etag, 'W/"1"');
      assert.equal(res.body.meta.versionId, '1');
    }
    assert.equal(await versions(id), 1);
    const changed = await patchIt(id, [{ op: 'replace', path: '/gender', value: 'female' }]);
    assert.equal(changed.headers.etag, 'W/"2"');
  });

  it('an update with the resource as read changes nothing either: 200 with the current version, no new history entry', async () => {
    const { id } = await create();
    const current = (await http.get(`/fhir/Patient/${id}`)).body;
    const same = await http.put(`/fhir/Patient/${id}`).set('content-type', FHIR).send(JSON.stringify(current));
    assert.equal(same.status, 200);
    assert.equal(same.headers.etag, 'W/"1"');
    assert.deepEqual(same.body, current);
    const withoutMeta = await http
      .put(`/fhir/Patient/${id}`)
      .set('content-type', FHIR)
      .send(JSON.stringify({ ...patient, id }));
    assert.equal(withoutMeta.headers.etag, 'W/"1"', "meta.versionId and lastUpdated are the server's: leaving them out changes nothing");
    assert.equal(await versions(id), 1);
  });
});

describe('a JSON Patch may not grow a resource past MAX_BODY_BYTES', () => {
  const { http } = useTestServer({ MAX_BODY_BYTES: '2000' });

  it('an add whose result would exceed the body limit is 413 and stores nothing; one that fits is applied', async () => {
    const { id } = (await http.post('/fhir/Patient').set('content-type', FHIR).send(JSON.stringify(patient))).body as { id: string };
    const add = (text: string) =>
      http
        .patch(`/fhir/Patient/${id}`)
        .set('content-type', JSON_PATCH)
        .send(JSON.stringify([{ op: 'add', path: '/name/0/given/-', value: text }]));
    const fits = await add('x'.repeat(1000));
    assert.equal(fits.status, 200, fits.text);
    const tooBig = await add('y'.repeat(1000));
    assert.equal(tooBig.status, 413, tooBig.text);
    assert.match(
      tooBig.body.issue[0].diagnostics,
      /^JSON Patch operation 0 \(add \/name\/0\/given\/-\) would make the resource larger than 2000 bytes/,
    );
    assert.equal((await http.get(`/fhir/Patient/${id}`)).body.meta.versionId, '2');
  });
});
