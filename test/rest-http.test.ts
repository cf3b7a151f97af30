/**
 * HTTP-level behaviour: conditional read, Prefer, content negotiation, decimals, limits, malformed input, probes.
 */
import assert from 'node:assert/strict';
import { useTestServer } from './support/in-process-server.ts';

const FHIR = 'application/fhir+json';
const patient = { resourceType: 'Patient', name: [{ family: 'Doe' }] };

describe('REST over HTTP', () => {
  const { http } = useTestServer({ MAX_BODY_BYTES: '20000' });

  const create = (body: object = patient) => http.post('/fhir/Patient').set('content-type', FHIR).send(JSON.stringify(body));

  describe('conditional read (http.html#cread)', () => {
    it('If-None-Match with the current ETag answers 304 without a body; another version answers 200', async () => {
      const { body } = await create();
      const hit = await http.get(`/fhir/Patient/${body.id}`).set('if-none-match', 'W/"1"');
      assert.equal(hit.status, 304);
      assert.equal(hit.text, '');
      const miss = await http.get(`/fhir/Patient/${body.id}`).set('if-none-match', 'W/"0"');
      assert.equal(miss.status, 200);
    });

    it('If-Modified-Since after the last change answers 304; before it 200', async () => {
      const { body } = await create();
      const later = new Date(Date.now() + 60_000).toUTCString();
      const earlier = new Date(Date.parse(body.meta.lastUpdated) - 60_000).toUTCString();
      assert.equal((await http.get(`/fhir/Patient/${body.id}`).set('if-modified-since', later)).status, 304);
      assert.equal((await http.get(`/fhir/Patient/${body.id}`).set('if-modified-since', earlier)).status, 200);
    });
  });

  describe('Prefer (http.html#ops)', () => {
    it('return=minimal: no body, headers still set', async () => {
      const res = await http.post('/fhir/Patient').set('content-type', FHIR).set('prefer', 'return=minimal').send(JSON.stringify(patient));
      assert.equal(res.status, 201);
      assert.equal(res.text, '');
      assert.match(res.headers.location, /\/fhir\/Patient\/[^/]+\/_history\/1$/);
      assert.equal(res.headers.etag, 'W/"1"');
    });

    it('return=OperationOutcome: an OperationOutcome body', async () => {
      const res = await http
        .post('/fhir/Patient')
        .set('content-type', FHIR)
        .set('prefer', 'return=OperationOutcome')
        .send(JSON.stringify(patient));
      assert.equal(res.status, 201);
      assert.equal(res.body.resourceType, 'OperationOutcome');
      assert.equal(res.body.issue[0].severity, 'information');
    });

    it('return=representation (the default): the resource', async () => {
      const res = await http
        .post('/fhir/Patient')
        .set('content-type', FHIR)
        .set('prefer', 'return=representation')
        .send(JSON.stringify(patient));
      assert.equal(res.body.resourceType, 'Patient');
    });
  });

  describe('formats (http.html#mime-type)', () => {
    it('answers application/fhir+json; accepts application/json bodies and Accept', async () => {
      const res = await http
        .post('/fhir/Patient')
        .set('content-type', 'application/json')
        .set('accept', 'application/json')
        .send(JSON.stringify(patient));
      assert.equal(res.status, 201);
      assert.match(res.headers['content-type'], /^application\/fhir\+json; charset=utf-8/);
    });

    it('_format=json is accepted; _format=xml and Accept: application/fhir+xml answer 406', async () => {
      assert.equal((await http.get('/fhir/metadata?_format=json')).status, 200);
      assert.equal((await http.get('/fhir/metadata?_format=application/fhir%2Bjson')).status, 200);
      const xml = await http.get('/fhir/metadata?_format=xml');
      assert.equal(xml.status, 406);
      assert.equal(xml.body.resourceType, 'OperationOutcome');
      assert.equal((await http.get('/fhir/metadata').set('accept', 'application/fhir+xml')).status, 406);
    });

    it('a body in another media type answers 415', async () => {
      const res = await http.post('/fhir/Patient').set('content-type', 'application/fhir+xml').send('<Patient/>');
      assert.equal(res.status, 415);
      assert.equal(res.body.resourceType, 'OperationOutcome');
    });

    it('_pretty=true indents the JSON', async () => {
      const { body } = await create();
      const res = await http.get(`/fhir/Patient/${body.id}?_pretty=true`);
      assert.match(res.text, /^\{\n {2}"resourceType": "Patient",\n/);
      const compact = await http.get(`/fhir/Patient/${body.id}`);
      assert.ok(!compact.text.includes('\n'));
    });
  });

  describe('decimals keep their precision (datatypes.html#decimal)', () => {
    it('13.50 is stored and returned as 13.50 by create, read, vread and history', async () => {
      const text =
        '{"resourceType":"Observation","status":"final","code":{"text":"Hb"},"valueQuantity":{"value":13.50,"unit":"g/dL"},' +
        '"referenceRange":[{"low":{"value":12.0},"high":{"value":1.5e1}}]}';
      const created = await http.post('/fhir/Observation').set('content-type', FHIR).send(text);
      assert.equal(created.status, 201);
      for (const res of [
        created,
        await http.get(`/fhir/Observation/${created.body.id}`),
        await http.get(`/fhir/Observation/${created.body.id}/_history/1`),
        await http.get(`/fhir/Observation/${created.body.id}/_history`),
        await http.get(`/fhir/Observation/${created.body.id}?_pretty=true`),
      ]) {
        assert.match(res.text, /"value": ?13\.50[,}\n ]/);
        assert.match(res.text, /"value": ?12\.0[,}\n ]/);
        assert.match(res.text, /"value": ?1\.5e1[,}\n ]/);
      }
    });
  });

  describe('malformed input and limits', () => {
    it('malformed JSON answers 400 and the server keeps serving', async () => {
      const res = await http.post('/fhir/Patient').set('content-type', FHIR).send('{"resourceType":"Patient",');
      assert.equal(res.status, 400);
      assert.equal(res.body.issue[0].code, 'structure');
      assert.equal((await create()).status, 201);
    });

    it('duplicate JSON keys, an empty body and a JSON array answer 400', async () => {
      for (const body of ['{"resourceType":"Patient","gender":"male","gender":"female"}', '', '[]']) {
        const res = await http.post('/fhir/Patient').set('content-type', FHIR).send(body);
        assert.equal(res.status, 400, body);
        assert.equal(res.body.resourceType, 'OperationOutcome');
      }
    });

    it('a body over the configured limit answers 413 (declared length and chunked)', async () => {
      const big = JSON.stringify({
        ...patient,
        text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${'x'.repeat(30000)}</div>` },
      });
      const res = await http.post('/fhir/Patient').set('content-type', FHIR).send(big);
      assert.equal(res.status, 413);
      assert.equal(res.body.resourceType, 'OperationOutcome');
    });

    it('an unknown URL answers 404 and a wrong method 405, both with an OperationOutcome', async () => {
      const notFound = await http.get('/fhir/Patient/a/b/c/d');
      assert.equal(notFound.status, 404);
      assert.equal(notFound.body.resourceType, 'OperationOutcome');
      const wrong = await http.post('/fhir/Patient/123').set('content-type', 'application/fhir+json').send('{}');
      assert.equal(wrong.status, 405);
      assert.equal(wrong.body.resourceType, 'OperationOutcome');
    });
  });

  describe('probes and request ids', () => {
    it('GET /healthz and /readyz answer 200', async () => {
      assert.equal((await http.get('/healthz')).status, 200);
      assert.equal((await http.get('/readyz')).status, 200);
    });

    it('echoes a sane X-Request-Id and makes one up otherwise', async () => {
      assert.equal((await http.get('/healthz').set('x-request-id', 'abc-123')).headers['x-request-id'], 'abc-123');
      assert.match((await http.get('/healthz').set('x-request-id', 'bad id {}')).headers['x-request-id'], /^[0-9a-f-]{36}$/);
    });
  });
});
