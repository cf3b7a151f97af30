/**
 * Batch and transaction Bundles (https://hl7.org/fhir/R4/http.html#transaction, bundle.html#transaction).
 */
import assert from 'node:assert/strict';
import type { BundleEntry } from '@medplum/fhirtypes';
import type { OutboxDocument } from '../server/store/documents.ts';
import { useTestServer } from './support/in-process-server.ts';

const FHIR = 'application/fhir+json';
const SYS = 'http://hospital.test/mrn';
const P1 = 'urn:uuid:0b9e6f1c-1111-4c3e-9d7a-000000000001';
const E1 = 'urn:uuid:0b9e6f1c-2222-4c3e-9d7a-000000000002';

const patient = (mrn: string, family = 'Doe') => ({
  resourceType: 'Patient',
  identifier: [{ system: SYS, value: mrn }],
  name: [{ family }],
});
const observation = (subject: string, value = 5.0) => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '718-7' }] },
  subject: { reference: subject },
  valueQuantity: { value, unit: 'g/dL' },
});
/** Entries are plain objects: some are deliberately invalid. */
const bundle = (type: 'transaction' | 'batch', entry: object[]): object => ({ resourceType: 'Bundle', type, entry });

describe('batch and transaction (http.html#transaction)', () => {
  const running = useTestServer({ MAX_BUNDLE_ENTRIES: '50' });
  const { http } = running;

  const send = (b: object, prefer?: string) => {
    const req = http.post('/fhir').set('content-type', FHIR);
    if (prefer) req.set('prefer', prefer);
    return req.send(JSON.stringify(b));
  };
  /** What the store holds: every current resource, history version and outbox event. */
  const snapshot = async () => {
    const { store } = running.server.services;
    const ids = async (c: 'resources' | 'history' | 'outbox') => (await store.find(c, {})).map((d) => d._id).sort();
    return { resources: await ids('resources'), history: await ids('history'), outbox: await ids('outbox') };
  };

  it('a transaction creates every entry, rewrites urn:uuid references (also in contained resources and extensions) and answers transaction-response', async () => {
    const encounter = { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject: { reference: P1 } };
    const obs = {
      ...observation(P1, 13.5),
      encounter: { reference: E1 },
      contained: [
        {
          resourceType: 'Provenance',
          id: 'prov',
          recorded: '2026-01-01T00:00:00Z',
          agent: [{ who: { reference: P1 } }],
          target: [{ reference: E1 }],
        },
      ],
      extension: [{ url: 'http://fhirline.test/source-patient', valueReference: { reference: P1 } }],
    };
    const res = await send(
      bundle('transaction', [
        { fullUrl: 'urn:uuid:0b9e6f1c-3333-4c3e-9d7a-000000000003', resource: obs, request: { method: 'POST', url: 'Observation' } },
        { fullUrl: E1, resource: encounter, request: { method: 'POST', url: 'Encounter' } },
        { fullUrl: P1, resource: patient('t-1'), request: { method: 'POST', url: 'Patient' } },
      ]),
    );
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.type, 'transaction-response');
    assert.equal(res.body.entry.length, 3);
    for (const e of res.body.entry) {
      assert.equal(e.response.status, '201 Created');
      assert.match(e.response.location, /^(Observation|Encounter|Patient)\/[^/]+\/_history\/1$/);
      assert.equal(e.response.etag, 'W/"1"');
      assert.ok(e.response.lastModified);
    }
    const [obsLoc, encLoc, patLoc] = res.body.entry.map((e: BundleEntry) => e.response!.location!.split('/_history')[0]);
    assert.ok(
      obsLoc.startsWith('Observation/') && encLoc.startsWith('Encounter/') && patLoc.startsWith('Patient/'),
      'answers are in request order',
    );
    const stored = (await http.get(`/fhir/${obsLoc}`)).body;
    assert.equal(stored.subject.reference, patLoc);
    assert.equal(stored.encounter.reference, encLoc);
    assert.equal(stored.contained[0].agent[0].who.reference, patLoc);
    assert.equal(stored.contained[0].target[0].reference, encLoc);
    assert.equal(stored.extension[0].valueReference.reference, patLoc);
    assert.equal((await http.get(`/fhir/${encLoc}`)).body.subject.reference, patLoc);
  });

  it('a transaction whose last entry fails leaves the store exactly as before: no resource, no history version, no outbox event', async () => {
    const before = await snapshot();
    const res = await send(
      bundle('transaction', [
        { fullUrl: P1, resource: patient('t-2'), request: { method: 'POST', url: 'Patient' } },
        { resource: observation(P1), request: { method: 'POST', url: 'Observation' } },
        {
          resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, bogus: 1 },
          request: { method: 'POST', url: 'Observation' },
        },
      ]),
    );
    assert.equal(res.status, 400);
    assert.equal(res.body.resourceType, 'OperationOutcome');
    assert.match(res.body.issue[0].diagnostics, /^Bundle\.entry\[2\]/);
    assert.deepEqual(res.body.issue[0].expression, ['Bundle.entry[2].resource.bogus']);
    assert.deepEqual(await snapshot(), before);
  });

  it('processes DELETE, then POST, then PUT/PATCH, then GET, whatever the order in the Bundle (http.html#trules)', async () => {
    const created = (
      await http
        .post('/fhir/Patient')
        .set('content-type', FHIR)
        .send(JSON.stringify(patient('t-3')))
    ).body;
    const res = await send(
      bundle('transaction', [
        { request: { method: 'GET', url: `Patient?identifier=${SYS}|t-3b` } },
        { resource: { ...patient('t-3b'), id: 'put-3b' }, request: { method: 'PUT', url: 'Patient/put-3b' } },
        { request: { method: 'DELETE', url: `Patient/${created.id}` } },
        { request: { method: 'GET', url: `Patient/${created.id}` } },
      ]),
    );
    assert.equal(res.status, 200, res.text);
    const [search, put, del, read] = res.body.entry;
    assert.equal(put.response.status, '201 Created');
    assert.equal(del.response.status, '204 No Content');
    assert.equal(search.response.status, '200 OK');
    assert.equal(search.resource.entry.length, 1, 'the GET ran after the PUT');
    assert.equal(read.response.status, '410 Gone', 'the GET ran after the DELETE');
  });

  it('conditional references resolve to their one match; two matches fail the whole transaction (http.html#trules)', async () => {
    await http
      .post('/fhir/Patient')
      .set('content-type', FHIR)
      .send(JSON.stringify(patient('cr-1', 'Ref')));
    const ok = await send(
      bundle('transaction', [{ resource: observation(`Patient?identifier=${SYS}|cr-1`), request: { method: 'POST', url: 'Observation' } }]),
    );
    assert.equal(ok.status, 200, ok.text);
    const loc = ok.body.entry[0].response.location.split('/_history')[0];
    assert.match((await http.get(`/fhir/${loc}`)).body.subject.reference, /^Patient\/[^?]+$/);

    await http
      .post('/fhir/Patient')
      .set('content-type', FHIR)
      .send(JSON.stringify(patient('cr-2', 'Ref')));
    const before = await snapshot();
    const two = await send(
      bundle('transaction', [
        { resource: patient('cr-3'), request: { method: 'POST', url: 'Patient' } },
        { resource: observation('Patient?family=Ref'), request: { method: 'POST', url: 'Observation' } },
      ]),
    );
    assert.equal(two.status, 412);
    assert.deepEqual(await snapshot(), before);
    const none = await send(
      bundle('transaction', [
        { resource: observation(`Patient?identifier=${SYS}|nobody`), request: { method: 'POST', url: 'Observation' } },
      ]),
    );
    assert.equal(none.status, 404);
  });

  it('ifNoneExist inside a transaction: the match is answered 200 and referenced; the same condition twice creates once', async () => {
    const existing = (
      await http
        .post('/fhir/Patient')
        .set('content-type', FHIR)
        .send(JSON.stringify(patient('ine-1')))
    ).body;
    const res = await send(
      bundle('transaction', [
        { fullUrl: P1, resource: patient('ine-1'), request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${SYS}|ine-1` } },
        { fullUrl: E1, resource: patient('ine-2'), request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${SYS}|ine-2` } },
        { resource: patient('ine-2'), request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${SYS}|ine-2` } },
        { resource: observation(P1), request: { method: 'POST', url: 'Observation' } },
      ]),
    );
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      res.body.entry.map((e: BundleEntry) => e.response!.status),
      ['200 OK', '201 Created', '200 OK', '201 Created'],
    );
    assert.equal(res.body.entry[0].response.location, `Patient/${existing.id}/_history/1`);
    const obs = (await http.get(`/fhir/${res.body.entry[3].response.location.split('/_history')[0]}`)).body;
    assert.equal(obs.subject.reference, `Patient/${existing.id}`);
    assert.equal((await http.get(`/fhir/Patient?identifier=${SYS}|ine-2&_total=accurate`)).body.total, 1);
  });

  it('refuses a transaction that changes one resource twice, or repeats a fullUrl (http.html#trules)', async () => {
    const twice = await send(
      bundle('transaction', [
        { resource: { ...patient('dup'), id: 'dup-1' }, request: { method: 'PUT', url: 'Patient/dup-1' } },
        { request: { method: 'DELETE', url: 'Patient/dup-1' } },
      ]),
    );
    assert.equal(twice.status, 400);
    assert.match(twice.body.issue[0].diagnostics, /both change Patient\/dup-1/);
    const sameUrl = await send(
      bundle('transaction', [
        { fullUrl: P1, resource: patient('d1'), request: { method: 'POST', url: 'Patient' } },
        { fullUrl: P1, resource: patient('d2'), request: { method: 'POST', url: 'Patient' } },
      ]),
    );
    assert.equal(sameUrl.status, 400);
    assert.equal((await http.get('/fhir/Patient/dup-1')).status, 404);
  });

  it('PUT with ifMatch and PATCH (a Binary holding a JSON Patch) inside a transaction; a stale ifMatch fails it with 412', async () => {
    const p = (
      await http
        .post('/fhir/Patient')
        .set('content-type', FHIR)
        .send(JSON.stringify(patient('pm-1')))
    ).body;
    const jsonPatch = Buffer.from(JSON.stringify([{ op: 'add', path: '/gender', value: 'other' }])).toString('base64');
    const ok = await send(
      bundle('transaction', [
        {
          resource: { resourceType: 'Binary', contentType: 'application/json-patch+json', data: jsonPatch },
          request: { method: 'PATCH', url: `Patient/${p.id}` },
        },
      ]),
      'return=representation',
    );
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.entry[0].response.status, '200 OK');
    assert.equal(ok.body.entry[0].resource.gender, 'other', 'Prefer: return=representation includes the resource');
    const stale = await send(
      bundle('transaction', [
        { resource: { ...patient('pm-1', 'Stale'), id: p.id }, request: { method: 'PUT', url: `Patient/${p.id}`, ifMatch: 'W/"1"' } },
      ]),
    );
    assert.equal(stale.status, 412);
    assert.equal((await http.get(`/fhir/Patient/${p.id}`)).body.meta.versionId, '2');
  });

  it('a batch applies each entry on its own: one failing entry carries its OperationOutcome and the others are stored', async () => {
    const res = await send(
      bundle('batch', [
        { resource: patient('b-1'), request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Patient', bogus: true }, request: { method: 'POST', url: 'Patient' } },
        { request: { method: 'GET', url: 'Patient/does-not-exist' } },
        { request: { method: 'FETCH', url: 'Patient' } },
        { resource: patient('b-2'), request: { method: 'POST', url: 'Patient' } },
      ]),
    );
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.type, 'batch-response');
    assert.deepEqual(
      res.body.entry.map((e: BundleEntry) => e.response!.status),
      ['201 Created', '400 Bad Request', '404 Not Found', '400 Bad Request', '201 Created'],
    );
    assert.equal(res.body.entry[1].response.outcome.resourceType, 'OperationOutcome');
    assert.deepEqual(res.body.entry[1].response.outcome.issue[0].expression, ['Bundle.entry[1].resource.bogus']);
    assert.equal((await http.get(`/fhir/Patient?identifier=${SYS}|b-1,${SYS}|b-2&_total=accurate`)).body.total, 2);
  });

  it('a batch runs its entries in the transaction order (DELETE, POST, PUT/PATCH, GET; http.html#brules) and answers in Bundle order', async () => {
    await http
      .put('/fhir/Patient/bo-0')
      .set('content-type', FHIR)
      .send(JSON.stringify({ ...patient('bo-0'), id: 'bo-0' }));
    const res = await send(
      bundle('batch', [
        { request: { method: 'GET', url: 'Patient/bo-1' } },
        { request: { method: 'GET', url: 'Patient/bo-0' } },
        { resource: { ...patient('bo-1'), id: 'bo-1' }, request: { method: 'PUT', url: 'Patient/bo-1' } },
        { request: { method: 'DELETE', url: 'Patient/bo-0' } },
      ]),
    );
    assert.equal(res.status, 200, res.text);
    // The GETs ran last: they see the PUT's creation and the DELETE's deletion, though they come first.
    assert.deepEqual(
      res.body.entry.map((e: BundleEntry) => e.response!.status),
      ['200 OK', '410 Gone', '201 Created', '204 No Content'],
    );
  });

  it('an outbox event is written per changed resource, in the transaction unit', async () => {
    const before = (await running.server.services.store.find<OutboxDocument>('outbox', {})).length;
    const res = await send(
      bundle('transaction', [
        { fullUrl: P1, resource: patient('ob-1'), request: { method: 'POST', url: 'Patient' } },
        { resource: observation(P1), request: { method: 'POST', url: 'Observation' } },
      ]),
    );
    assert.equal(res.status, 200);
    const events = await running.server.services.store.find<OutboxDocument>('outbox', {});
    assert.equal(events.length, before + 2);
  });

  it('limits: more entries than MAX_BUNDLE_ENTRIES is 413; other Bundle types and malformed entries are 400', async () => {
    const many = bundle(
      'transaction',
      Array.from({ length: 51 }, () => ({ resource: patient('x'), request: { method: 'POST', url: 'Patient' } })),
    );
    const tooMany = await send(many);
    assert.equal(tooMany.status, 413);
    assert.match(tooMany.body.issue[0].diagnostics, /MAX_BUNDLE_ENTRIES/);
    assert.equal((await send({ resourceType: 'Bundle', type: 'collection', entry: [] })).status, 400);
    const noUrl = await send(bundle('transaction', [{ resource: patient('x'), request: { method: 'POST' } }]));
    assert.equal(noUrl.status, 400);
    assert.deepEqual(noUrl.body.issue[0].expression, ['Bundle.entry[0].request.url']);
    const unknownUrn = await send(
      bundle('transaction', [{ resource: observation('urn:uuid:not-in-bundle'), request: { method: 'POST', url: 'Observation' } }]),
    );
    assert.equal(unknownUrn.status, 400);
  });
});
