/**
 * Create, read, vread, update, patch, delete exactly as https://hl7.org/fhir/R4/http.html says.
 */
import assert from 'node:assert/strict';
import { useTestServer } from './support/in-process-server.ts';

const FHIR = 'application/fhir+json';
const patient = { resourceType: 'Patient', name: [{ family: 'Chalmers', given: ['Peter'] }], gender: 'male', birthDate: '1974-12-25' };

describe('REST interactions (http.html)', () => {
  const { http } = useTestServer();

  const create = (body: object = patient) => http.post('/fhir/Patient').set('content-type', FHIR).send(JSON.stringify(body));

  describe('create (http.html#create)', () => {
    it('answers 201 with Location, ETag W/"1", Last-Modified and the stored resource; the server assigns the id', async () => {
      const res = await create({ ...patient, id: 'client-chosen' });
      assert.equal(res.status, 201);
      assert.match(res.headers['content-type'], /^application\/fhir\+json/);
      const id = res.body.id as string;
      assert.notEqual(id, 'client-chosen');
      assert.match(id, /^[A-Za-z0-9\-.]{1,64}$/);
      assert.equal(res.headers.location, `http://fhir.test/fhir/Patient/${id}/_history/1`);
      assert.equal(res.headers.etag, 'W/"1"');
      assert.equal(res.headers['last-modified'], new Date(res.body.meta.lastUpdated).toUTCString());
      assert.equal(res.body.meta.versionId, '1');
      assert.deepEqual(res.body.name, patient.name);
    });

    it('keeps client meta (profile, tag) but sets versionId and lastUpdated itself', async () => {
      const res = await create({
        ...patient,
        meta: { versionId: '99', lastUpdated: '2000-01-01T00:00:00Z', tag: [{ system: 'urn:t', code: 'x' }] },
      });
      assert.equal(res.status, 201);
      assert.equal(res.body.meta.versionId, '1');
      assert.notEqual(res.body.meta.lastUpdated, '2000-01-01T00:00:00Z');
      assert.deepEqual(res.body.meta.tag, [{ system: 'urn:t', code: 'x' }]);
    });

    it('refuses a body whose resourceType differs from the URL (400)', async () => {
      const res = await http.post('/fhir/Observation').set('content-type', FHIR).send(JSON.stringify(patient));
      assert.equal(res.status, 400);
      assert.equal(res.body.resourceType, 'OperationOutcome');
      assert.match(res.body.issue[0].diagnostics, /does not match/);
    });

    it('answers 404 for an unknown resource type', async () => {
      const res = await http.post('/fhir/Unicorn').set('content-type', FHIR).send('{"resourceType":"Unicorn"}');
      assert.equal(res.status, 404);
      assert.equal(res.body.issue[0].code, 'not-supported');
    });
  });

  describe('read and vread (http.html#read, #vread)', () => {
    it('reads the current version with ETag and Last-Modified', async () => {
      const created = await create();
      const res = await http.get(`/fhir/Patient/${created.body.id}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.etag, 'W/"1"');
      assert.deepEqual(res.body, created.body);
    });

    it('answers 404 with an OperationOutcome for an unknown id', async () => {
      const res = await http.get('/fhir/Patient/does-not-exist');
      assert.equal(res.status, 404);
      assert.equal(res.body.resourceType, 'OperationOutcome');
      assert.equal(res.body.issue[0].code, 'not-found');
    });

    it('vreads each version; an unknown version is 404', async () => {
      const created = await create();
      const id = created.body.id;
      await http
        .put(`/fhir/Patient/${id}`)
        .set('content-type', FHIR)
        .send(JSON.stringify({ ...created.body, gender: 'female' }));
      const v1 = await http.get(`/fhir/Patient/${id}/_history/1`);
      const v2 = await http.get(`/fhir/Patient/${id}/_history/2`);
      assert.equal(v1.status, 200);
      assert.equal(v1.body.gender, 'male');
      assert.equal(v1.headers.etag, 'W/"1"');
      assert.equal(v2.body.gender, 'female');
      assert.equal((await http.get(`/fhir/Patient/${id}/_history/3`)).status, 404);
      assert.equal((await http.get(`/fhir/Patient/${id}/_history/abc`)).status, 404);
    });
  });

  describe('update (http.html#update)', () => {
    it('creates a new version: 200, ETag W/"2", no Location', async () => {
      const created = await create();
      const res = await http
        .put(`/fhir/Patient/${created.body.id}`)
        .set('content-type', FHIR)
        .send(JSON.stringify({ ...created.body, active: true }));
      assert.equal(res.status, 200);
      assert.equal(res.headers.etag, 'W/"2"');
      assert.equal(res.body.meta.versionId, '2');
      assert.equal(res.body.active, true);
    });

    it('creates with the client id when the resource does not exist (update as create): 201 + Location', async () => {
      const res = await http
        .put('/fhir/Patient/client-id-1')
        .set('content-type', FHIR)
        .send(JSON.stringify({ ...patient, id: 'client-id-1' }));
      assert.equal(res.status, 201);
      assert.equal(res.headers.location, 'http://fhir.test/fhir/Patient/client-id-1/_history/1');
      assert.equal((await http.get('/fhir/Patient/client-id-1')).status, 200);
    });

    it('refuses a body without id or with another id (400, expression Patient.id)', async () => {
      const noId = await http.put('/fhir/Patient/abc').set('content-type', FHIR).send(JSON.stringify(patient));
      assert.equal(noId.status, 400);
      assert.deepEqual(noId.body.issue[0].expression, ['Patient.id']);
      const other = await http
        .put('/fhir/Patient/abc')
        .set('content-type', FHIR)
        .send(JSON.stringify({ ...patient, id: 'xyz' }));
      assert.equal(other.status, 400);
      assert.deepEqual(other.body.issue[0].expression, ['Patient.id']);
    });

    it('refuses an invalid id in the URL (400)', async () => {
      const id = 'x'.repeat(65);
      const res = await http
        .put(`/fhir/Patient/${id}`)
        .set('content-type', FHIR)
        .send(JSON.stringify({ ...patient, id }));
      assert.equal(res.status, 400);
    });

    it('If-Match with the current version succeeds; a stale version answers 412 and changes nothing', async () => {
      const created = await create();
      const url = `/fhir/Patient/${created.body.id}`;
      const ok = await http
        .put(url)
        .set('content-type', FHIR)
        .set('if-match', 'W/"1"')
        .send(JSON.stringify({ ...created.body, active: true }));
      assert.equal(ok.status, 200);
      const stale = await http
        .put(url)
        .set('content-type', FHIR)
        .set('if-match', 'W/"1"')
        .send(JSON.stringify({ ...created.body, active: false }));
      assert.equal(stale.status, 412);
      assert.equal(stale.body.resourceType, 'OperationOutcome');
      const now = await http.get(url);
      assert.equal(now.body.meta.versionId, '2');
      assert.equal(now.body.active, true);
    });

    it('concurrent version-aware updates: exactly one wins, the others get 412, no version is lost', async () => {
      const created = await create();
      const url = `/fhir/Patient/${created.body.id}`;
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          http
            .put(url)
            .set('content-type', FHIR)
            .set('if-match', 'W/"1"')
            .send(JSON.stringify({ ...created.body, birthDate: `19${10 + i}-01-01` })),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      assert.deepEqual(statuses, [200, ...Array(9).fill(412)]);
      const history = await http.get(`${url}/_history`);
      assert.equal(history.body.entry.length, 2);
    });

    it('concurrent plain updates never lose a write: every 200 is one version in history', async () => {
      const created = await create();
      const url = `/fhir/Patient/${created.body.id}`;
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          http
            .put(url)
            .set('content-type', FHIR)
            .send(JSON.stringify({ ...created.body, birthDate: `19${20 + i}-01-01` })),
        ),
      );
      const ok = results.filter((r) => r.status === 200);
      assert.ok(
        results.every((r) => r.status === 200 || r.status === 409),
        results.map((r) => r.status).join(),
      );
      assert.ok(ok.length >= 1, 'of ten concurrent updates at least one succeeds (a loser loses to a winner)');
      // The history holds versions 1..n without a gap, n - 1 of them the 200s, and the current version is n.
      const history = await http.get(`${url}/_history`);
      const etags = history.body.entry.map((e: { response: { etag: string } }) => e.response.etag);
      assert.deepEqual(
        etags,
        Array.from({ length: ok.length + 1 }, (_, i) => `W/"${ok.length + 1 - i}"`),
      );
      const versions = ok.map((r) => r.body.meta.versionId).sort((a, b) => Number(a) - Number(b));
      assert.deepEqual(
        versions,
        Array.from({ length: ok.length }, (_, i) => String(i + 2)),
      );
      assert.equal((await http.get(url)).headers.etag, `W/"${ok.length + 1}"`);
    });
  });

  describe('patch (http.html#patch, JSON Patch)', () => {
    it('applies a JSON Patch as a new version', async () => {
      const created = await create();
      const res = await http
        .patch(`/fhir/Patient/${created.body.id}`)
        .set('content-type', 'application/json-patch+json')
        .send(
          JSON.stringify([
            { op: 'replace', path: '/gender', value: 'female' },
            { op: 'add', path: '/active', value: true },
          ]),
        );
      assert.equal(res.status, 200);
      assert.equal(res.body.gender, 'female');
      assert.equal(res.body.active, true);
      assert.equal(res.headers.etag, 'W/"2"');
    });

    it('a failing test operation answers 422 and changes nothing', async () => {
      const created = await create();
      const res = await http
        .patch(`/fhir/Patient/${created.body.id}`)
        .set('content-type', 'application/json-patch+json')
        .send(
          JSON.stringify([
            { op: 'test', path: '/gender', value: 'female' },
            { op: 'replace', path: '/gender', value: 'other' },
          ]),
        );
      assert.equal(res.status, 422);
      assert.equal((await http.get(`/fhir/Patient/${created.body.id}`)).body.gender, 'male');
    });

    it('a patch producing an invalid resource answers 400 with the element', async () => {
      const created = await create();
      const res = await http
        .patch(`/fhir/Patient/${created.body.id}`)
        .set('content-type', 'application/json-patch+json')
        .send(JSON.stringify([{ op: 'add', path: '/colour', value: 'blue' }]));
      assert.equal(res.status, 400);
      assert.deepEqual(res.body.issue[0].expression, ['Patient.colour']);
    });

    it('a patch may not change the id; a stale If-Match is 412; an unknown resource is 404', async () => {
      const created = await create();
      const url = `/fhir/Patient/${created.body.id}`;
      const patchIt = (ops: object[], ifMatch?: string) => {
        const req = http.patch(url).set('content-type', 'application/json-patch+json');
        if (ifMatch) req.set('if-match', ifMatch);
        return req.send(JSON.stringify(ops));
      };
      assert.equal((await patchIt([{ op: 'replace', path: '/id', value: 'other' }])).status, 400);
      assert.equal((await patchIt([{ op: 'replace', path: '/gender', value: 'female' }], 'W/"7"')).status, 412);
      const missing = await http.patch('/fhir/Patient/nope').set('content-type', 'application/json-patch+json').send('[]');
      assert.equal(missing.status, 404);
    });
  });

  describe('ids (https://hl7.org/fhir/R4/datatypes.html#id) and types in URLs, checked before any lookup', () => {
    const long = 'a'.repeat(10_000);

    it("refuses '.' and '..' as ids (400): they fit the pattern but a URL cannot address them", async () => {
      for (const id of ['.', '..', '%2E%2E']) {
        const res = await http
          .put(`/fhir/Patient/${id}`)
          .set('content-type', FHIR)
          .send(JSON.stringify({ ...patient, id: decodeURIComponent(id) }));
        assert.equal(res.status, 400, `PUT Patient/${id}: ${res.text}`);
        assert.equal(res.body.resourceType, 'OperationOutcome');
        assert.equal(res.headers.location, undefined);
      }
      const conditional = await http
        .put('/fhir/Patient?identifier=urn:test|dots')
        .set('content-type', FHIR)
        .send(JSON.stringify({ ...patient, id: '..' }));
      assert.equal(conditional.status, 400, 'a conditional update that would create with the body id .. as well');
    });

    it('a 10,000-character id is 400 in every instance route, never a store lookup', async () => {
      const at = `/fhir/Patient/${long}`;
      const answers = await Promise.all([
        http.get(at),
        http.get(`${at}/_history`),
        http.get(`${at}/_history/1`),
        http
          .put(at)
          .set('content-type', FHIR)
          .send(JSON.stringify({ ...patient, id: long })),
        http.patch(at).set('content-type', 'application/json-patch+json').send('[]'),
        http.delete(at),
        http.get(`/fhir/Patient/${long}/Observation`),
        http.post(`${at}/$validate`).set('content-type', FHIR).send(JSON.stringify(patient)),
      ]);
      for (const [i, res] of answers.entries()) {
        assert.equal(res.status, 400, `request ${i}: ${res.text.slice(0, 200)}`);
        assert.equal(res.body.issue[0].code, 'invalid');
        assert.ok(res.body.issue[0].diagnostics.length < 200, 'the answer does not echo the whole id');
      }
      const strict = (url: string) => http.get(url).set('prefer', 'handling=strict');
      assert.equal((await strict(`/fhir/Observation?subject=Patient/${long}`)).status, 400);
      assert.equal((await strict(`/fhir/Patient?_id=${long}`)).status, 400);
    });

    it('in a Bundle entry: an invalid id is 400, an unknown type 404 (as in a REST URL), both at Bundle.entry[i].request.url', async () => {
      const post = (entry: object) =>
        http
          .post('/fhir')
          .set('content-type', FHIR)
          .send(JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: [entry] }));
      for (const url of ['Patient/..', `Patient/${long}`]) {
        const res = await post({ request: { method: 'GET', url } });
        assert.equal(res.status, 400, res.text.slice(0, 300));
        assert.deepEqual(res.body.issue[0].expression, ['Bundle.entry[0].request.url']);
      }
      const unknown = await post({ request: { method: 'GET', url: 'Patients/1' } });
      assert.equal(unknown.status, 404, unknown.text);
      assert.equal(unknown.body.issue[0].diagnostics, "Unknown resource type 'Patients'");
      assert.deepEqual(unknown.body.issue[0].expression, ['Bundle.entry[0].request.url']);
      assert.equal((await http.get('/fhir/Patients/1')).status, 404);
      const batch = await http
        .post('/fhir')
        .set('content-type', FHIR)
        .send(JSON.stringify({ resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: 'Patients/1' } }] }));
      assert.equal(batch.body.entry[0].response.status, '404 Not Found');
    });
  });

  describe('delete (http.html#delete)', () => {
    it('deletes: 204, then read is 410 Gone, vread of the old version still works, history shows the deletion', async () => {
      const created = await create();
      const url = `/fhir/Patient/${created.body.id}`;
      const del = await http.delete(url);
      assert.equal(del.status, 204);
      assert.equal(del.headers.etag, 'W/"2"');
      const read = await http.get(url);
      assert.equal(read.status, 410);
      assert.equal(read.body.issue[0].code, 'deleted');
      assert.equal((await http.get(`${url}/_history/1`)).status, 200);
      assert.equal((await http.get(`${url}/_history/2`)).status, 410);
      const history = await http.get(`${url}/_history`);
      assert.deepEqual(
        history.body.entry.map((e: { request: { method: string } }) => e.request.method),
        ['DELETE', 'POST'],
      );
      assert.equal(history.body.entry[0].resource, undefined);
    });

    it('deleting again is 204 without a new version; an id that never existed is 404', async () => {
      const created = await create();
      const url = `/fhir/Patient/${created.body.id}`;
      await http.delete(url);
      assert.equal((await http.delete(url)).status, 204);
      assert.equal((await http.get(`${url}/_history`)).body.entry.length, 2);
      assert.equal((await http.delete('/fhir/Patient/never-existed')).status, 404);
    });

    it('a deleted resource can be re-created by update: 201, the next version number', async () => {
      const created = await create();
      const url = `/fhir/Patient/${created.body.id}`;
      await http.delete(url);
      const again = await http.put(url).set('content-type', FHIR).send(JSON.stringify(created.body));
      assert.equal(again.status, 201);
      assert.equal(again.body.meta.versionId, '3');
      assert.equal((await http.get(url)).status, 200);
    });
  });
});
