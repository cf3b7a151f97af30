/**
 * Conditional create, update, patch and delete (https://hl7.org/fhir/R4/http.html#cond-update, #ccreate,
 * #cdelete, #patch): the outcomes for zero, one and several matches.
 */
import assert from 'node:assert/strict';
import type { EntryRequest } from '../server/bundle/entry-request.ts';
import { applyTransaction } from '../server/bundle/transaction.ts';
import { useTestServer } from './support/in-process-server.ts';
import { UNRESTRICTED } from '../server/access/access.ts';

const FHIR = 'application/fhir+json';
const SYS = 'http://hospital.test/mrn';
const patient = (mrn: string, family = 'Doe') => ({
  resourceType: 'Patient',
  identifier: [{ system: SYS, value: mrn }],
  name: [{ family }],
});

describe('conditional interactions (http.html#cond-update, #ccreate, #cdelete)', () => {
  const running = useTestServer();
  const { http } = running;

  const post = (body: object, ifNoneExist?: string) => {
    const req = http.post('/fhir/Patient').set('content-type', FHIR);
    if (ifNoneExist) req.set('if-none-exist', ifNoneExist);
    return req.send(JSON.stringify(body));
  };
  const count = async (query: string) => (await http.get(`/fhir/Patient?${query}&_total=accurate`)).body.total as number;

  it('conditional create: no match creates (201), one match answers 200 with it and writes nothing, several are 412 (http.html#ccreate)', async () => {
    const first = await post(patient('c-1'), `identifier=${SYS}|c-1`);
    assert.equal(first.status, 201);
    const again = await post(patient('c-1', 'Other'), `identifier=${SYS}|c-1`);
    assert.equal(again.status, 200);
    assert.equal(again.body.id, first.body.id);
    assert.equal(again.body.name[0].family, 'Doe', 'the existing resource, unchanged');
    assert.equal(again.headers.etag, 'W/"1"');
    assert.equal(await count(`identifier=${SYS}|c-1`), 1);
    await post(patient('c-2', 'Twin'));
    await post(patient('c-3', 'Twin'));
    const several = await post(patient('c-4', 'Twin'), 'family=Twin');
    assert.equal(several.status, 412);
    assert.equal(several.body.resourceType, 'OperationOutcome');
    assert.equal(await count('family=Twin'), 2);
  });

  it('If-None-Exist with an unknown parameter is 400: a condition never silently ignores a criterion', async () => {
    const res = await post(patient('c-5'), 'nonsense=1');
    assert.equal(res.status, 400);
    assert.equal(await count(`identifier=${SYS}|c-5`), 0);
  });

  it('twelve concurrent transactions that conditionally create one identifier make one resource, and every caller gets it', async () => {
    // Called in-process so that every search runs before any write commits (over HTTP the requests happen to
    // arrive one after the other): without the claim on `Patient?identifier=...` this creates 12 Patients.
    const entry = (i: number): EntryRequest => ({
      index: 0,
      method: 'POST',
      url: 'Patient',
      type: 'Patient',
      ifNoneExist: `identifier=${SYS}|race-1`,
      resource: patient('race-1', `Racer${i}`),
    });
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        applyTransaction({ ...running.server.services, access: UNRESTRICTED }, [entry(i)], { deleteMultiple: false }),
      ),
    );
    assert.equal(answers.filter(([a]) => a.status === 201).length, 1);
    assert.equal(answers.filter(([a]) => a.status === 200).length, 11);
    assert.equal(new Set(answers.map(([a]) => a.doc?.id)).size, 1);
    assert.equal(await count(`identifier=${SYS}|race-1`), 1);
  });

  it('a conditional create after the matching resource was deleted creates a new one', async () => {
    const first = await post(patient('gone-1'), `identifier=${SYS}|gone-1`);
    assert.equal((await http.delete(`/fhir/Patient/${first.body.id}`)).status, 204);
    const second = await post(patient('gone-1'), `identifier=${SYS}|gone-1`);
    assert.equal(second.status, 201);
    assert.notEqual(second.body.id, first.body.id);
  });

  it('conditional update: no match creates, one match updates it, several are 412 (http.html#cond-update)', async () => {
    const put = (mrn: string, body: object) =>
      http
        .put(`/fhir/Patient?identifier=${encodeURIComponent(`${SYS}|${mrn}`)}`)
        .set('content-type', FHIR)
        .send(JSON.stringify(body));
    const created = await put('u-1', patient('u-1', 'First'));
    assert.equal(created.status, 201);
    assert.match(created.headers.location, /\/Patient\/[^/]+\/_history\/1$/);
    const updated = await put('u-1', patient('u-1', 'Second'));
    assert.equal(updated.status, 200);
    assert.equal(updated.body.id, created.body.id);
    assert.equal(updated.body.meta.versionId, '2');
    assert.equal(updated.body.name[0].family, 'Second');
    const wrongId = await put('u-1', { ...patient('u-1'), id: 'not-the-match' });
    assert.equal(wrongId.status, 400, 'a body id that is not the match is refused');
    const several = await http
      .put('/fhir/Patient?family=Twin')
      .set('content-type', FHIR)
      .send(JSON.stringify(patient('u-2', 'Twin')));
    assert.equal(several.status, 412);
    const withId = await put('u-3', { ...patient('u-3'), id: 'chosen-by-client' });
    assert.equal(withId.status, 201);
    assert.equal(withId.body.id, 'chosen-by-client', 'no match and a body id: update as create with that id');
  });

  it('conditional update honours If-Match (412 on a stale version)', async () => {
    const q = `/fhir/Patient?identifier=${encodeURIComponent(`${SYS}|m-1`)}`;
    await http
      .put(q)
      .set('content-type', FHIR)
      .send(JSON.stringify(patient('m-1')));
    const stale = await http
      .put(q)
      .set('content-type', FHIR)
      .set('if-match', 'W/"7"')
      .send(JSON.stringify(patient('m-1', 'X')));
    assert.equal(stale.status, 412);
  });

  it('conditional patch: one match is patched, none is 404, several 412 (http.html#patch)', async () => {
    const created = await post(patient('p-1'));
    const patch = (query: string) =>
      http
        .patch(`/fhir/Patient?${query}`)
        .set('content-type', 'application/json-patch+json')
        .send(JSON.stringify([{ op: 'add', path: '/gender', value: 'female' }]));
    const one = await patch(`identifier=${encodeURIComponent(`${SYS}|p-1`)}`);
    assert.equal(one.status, 200);
    assert.equal(one.body.id, created.body.id);
    assert.equal(one.body.gender, 'female');
    assert.equal((await patch(`identifier=${encodeURIComponent(`${SYS}|none`)}`)).status, 404);
    assert.equal((await patch('family=Twin')).status, 412);
  });

  it('conditional delete: one match is deleted, none deletes nothing (204), several are 412 (http.html#cdelete)', async () => {
    const created = await post(patient('d-1'));
    const del = await http.delete(`/fhir/Patient?identifier=${encodeURIComponent(`${SYS}|d-1`)}`);
    assert.equal(del.status, 204);
    assert.equal((await http.get(`/fhir/Patient/${created.body.id}`)).status, 410);
    assert.equal((await http.delete(`/fhir/Patient?identifier=${encodeURIComponent(`${SYS}|d-1`)}`)).status, 204);
    const several = await http.delete('/fhir/Patient?family=Twin');
    assert.equal(several.status, 412);
    assert.equal(await count('family=Twin'), 2);
    assert.equal((await http.delete('/fhir/Patient')).status, 400, 'a conditional delete needs criteria');
  });

  it('conditional delete with Prefer: return=OperationOutcome says how many it deleted, or that none matched', async () => {
    await post(patient('d-2'));
    const q = `/fhir/Patient?identifier=${encodeURIComponent(`${SYS}|d-2`)}`;
    const deleted = await http.delete(q).set('prefer', 'return=OperationOutcome');
    assert.equal(deleted.status, 200);
    assert.match(deleted.body.issue[0].diagnostics, /^Deleted 1 Patient matching/);
    const none = await http.delete(q).set('prefer', 'return=OperationOutcome');
    assert.match(none.body.issue[0].diagnostics, /^No Patient matching .* to delete$/);
  });
});

describe('conditional delete of several matches, when CONDITIONAL_DELETE_MULTIPLE allows it (http.html#cdelete)', () => {
  const running = useTestServer({ CONDITIONAL_DELETE_MULTIPLE: 'true' });
  const { http } = running;

  it('deletes every match', async () => {
    for (const mrn of ['x1', 'x2', 'x3'])
      await http
        .post('/fhir/Patient')
        .set('content-type', FHIR)
        .send(JSON.stringify(patient(mrn, 'Many')));
    assert.equal((await http.delete('/fhir/Patient?family=Many')).status, 204);
    assert.equal((await http.get('/fhir/Patient?family=Many')).body.entry?.length ?? 0, 0);
  });
});
