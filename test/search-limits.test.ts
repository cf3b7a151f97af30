/**
 * What one search may cost (server/search/limits.ts, server/search/README.md "Limits"): beyond a limit the search
 * is 400 too-costly naming the parameter, in both handling modes; what is allowed is answered.
 */
import assert from 'node:assert/strict';
import { MAX_CHAIN_DEPTH, MAX_PARAMETERS, MAX_VALUE_LENGTH, MAX_VALUES_PER_PARAMETER } from '../server/search/limits.ts';
import { assertOutcome, fhirClient } from './support/fhir-client.ts';
import { useTestServer } from './support/in-process-server.ts';

describe('search limits (too-costly)', () => {
  const { http } = useTestServer();
  const { create, ids } = fhirClient(http);
  const values = (n: number, prefix = 'v') => Array.from({ length: n }, (_, i) => `${prefix}${i}`).join(',');

  const tooCostly = (res: { status: number; body: unknown; text: string }, expression: string) =>
    assertOutcome(res, 400, 'too-costly', expression);

  it(`at most ${MAX_VALUES_PER_PARAMETER} values per parameter, by GET or by POST _search, in both modes`, async () => {
    const p = await create({ resourceType: 'Patient', name: [{ family: 'Limitsqz57x' }] });
    const allowed = `${values(MAX_VALUES_PER_PARAMETER - 1, 'qz')},sqz57`;
    assert.deepEqual(await ids(`/fhir/Patient?family:contains=${allowed}`), [p.id], 'the largest allowed :contains list is answered');
    const over = values(MAX_VALUES_PER_PARAMETER + 1);
    tooCostly(await http.get(`/fhir/Patient?family:contains=${over}`), 'family:contains');
    tooCostly(await http.get(`/fhir/Patient?family:contains=${over}`).set('prefer', 'handling=strict'), 'family:contains');
    const form = await http
      .post('/fhir/Patient/_search')
      .set('content-type', 'application/x-www-form-urlencoded')
      .send(`family=${values(10_000)}`);
    tooCostly(form, 'family');
    tooCostly(await http.get(`/fhir/Patient?_id=${values(MAX_VALUES_PER_PARAMETER + 1)}`), '_id');
  });

  it(`a value of at most ${MAX_VALUE_LENGTH} characters: a 1 MB :contains value is 400, not 500`, async () => {
    const long = 'a'.repeat(1024 * 1024);
    const res = await http
      .post('/fhir/Patient/_search')
      .set('content-type', 'application/x-www-form-urlencoded')
      .send(`family:contains=${long}`);
    tooCostly(res, 'family:contains');
    const special = '(['.repeat(MAX_VALUE_LENGTH / 2);
    const allowed = await http
      .post('/fhir/Patient/_search')
      .set('content-type', 'application/x-www-form-urlencoded')
      .send(new URLSearchParams([['family:contains', special]]).toString());
    assert.equal(allowed.status, 200, 'regex characters in a value are escaped');
  });

  it(`at most ${MAX_PARAMETERS} parameters per search`, async () => {
    const has = Array.from({ length: MAX_PARAMETERS + 1 }, (_, i) => `_has:Observation:subject:code=c${i}`).join('&');
    tooCostly(await http.get(`/fhir/Patient?${has}`), '_has:Observation:subject:code');
    const many = Array.from({ length: 10_000 }, (_, i) => `_has:Observation:subject:code=c${i}`).join('&');
    const form = await http.post('/fhir/Patient/_search').set('content-type', 'application/x-www-form-urlencoded').send(many);
    tooCostly(form, '_has:Observation:subject:code');
    const allowed = Array.from({ length: MAX_PARAMETERS }, (_, i) => `_has:Observation:subject:code=c${i}`).join('&');
    assert.equal((await http.get(`/fhir/Patient?${allowed}`)).status, 200);
  });

  it(`chains and _has at most ${MAX_CHAIN_DEPTH} levels deep`, async () => {
    const nested = (levels: number) => `${'_has:Patient:link:'.repeat(levels)}_id`;
    assert.equal((await http.get(`/fhir/Patient?${nested(MAX_CHAIN_DEPTH)}=x`)).status, 200);
    tooCostly(await http.get(`/fhir/Patient?${nested(MAX_CHAIN_DEPTH + 1)}=x`), nested(MAX_CHAIN_DEPTH + 1));
    const chain = `general-practitioner:Practitioner${'._has:PractitionerRole:practitioner:practitioner'.repeat(MAX_CHAIN_DEPTH)}._id`;
    tooCostly(await http.get(`/fhir/Patient?${chain}=x`), chain);
  });
});

describe('POST [type]/_search body size (MAX_BODY_BYTES)', () => {
  const { http } = useTestServer({ MAX_BODY_BYTES: '2000' });

  it('a form body larger than MAX_BODY_BYTES is 413 too-large, as every other body; within it the search runs', async () => {
    const form = (bytes: number) => `family=${'a'.repeat(bytes - 'family='.length)}`;
    const big = await http.post('/fhir/Patient/_search').set('content-type', 'application/x-www-form-urlencoded').send(form(2001));
    assertOutcome(big, 413, 'too-costly');
    const ok = await http.post('/fhir/Patient/_search').set('content-type', 'application/x-www-form-urlencoded').send('family=a');
    assert.equal(ok.status, 200, ok.text);
  });
});
