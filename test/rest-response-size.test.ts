/**
 * MAX_RESPONSE_BYTES: a response (a search page, a history page, a batch-response with its searches) is
 * counted as its resources are added, and answers too-costly instead of being built past the bound.
 */
import assert from 'node:assert/strict';
import { FHIR_JSON } from './support/fhir-requests.ts';
import { fhirClient } from './support/fhir-client.ts';
import { useTestServer } from './support/in-process-server.ts';

interface BatchEntry {
  response: { status: string; outcome?: { issue: { code: string; diagnostics: string }[] } };
  resource?: { resourceType: string; entry?: unknown[] };
}

describe('the size of a response is bounded (MAX_RESPONSE_BYTES)', function () {
  this.timeout(60_000);
  // Ten Patients of about 3 KB each; the bound holds about five of them.
  const { http } = useTestServer({ MAX_RESPONSE_BYTES: '16000' });
  const { create } = fhirClient(http);
  const note = 'x'.repeat(3000);

  before(async () => {
    for (let i = 0; i < 10; i++) await create({ resourceType: 'Patient', name: [{ family: `Big${i}`, text: note }] });
  });

  it('a search page past the bound answers 400 too-costly with an OperationOutcome; a smaller page 200', async () => {
    const all = await http.get('/fhir/Patient?_count=10');
    assert.equal(all.status, 400);
    assert.equal(all.body.resourceType, 'OperationOutcome');
    assert.equal(all.body.issue[0].code, 'too-costly');
    assert.match(all.body.issue[0].diagnostics, /MAX_RESPONSE_BYTES/);
    const few = await http.get('/fhir/Patient?_count=3');
    assert.equal(few.status, 200);
    assert.equal(few.body.entry.length, 3);
  });

  it('a history page past the bound answers 400 too-costly', async () => {
    const res = await http.get('/fhir/Patient/_history?_count=10');
    assert.equal(res.status, 400);
    assert.equal(res.body.issue[0].code, 'too-costly');
  });

  it('a small batch of large searches: the entries past the bound answer too-costly, the response stays small', async () => {
    const entry = Array.from({ length: 20 }, () => ({ request: { method: 'GET', url: 'Patient?_count=2' } }));
    const res = await http
      .post('/fhir')
      .set('content-type', FHIR_JSON)
      .send(JSON.stringify({ resourceType: 'Bundle', type: 'batch', entry }));
    assert.equal(res.status, 200);
    const entries = res.body.entry as BatchEntry[];
    assert.equal(entries.length, 20);
    const ok = entries.filter((e) => e.response.status.startsWith('200'));
    const refused = entries.filter((e) => e.response.status.startsWith('400'));
    assert.equal(ok.length, 2); // 2 x 2 Patients fit in 16,000 bytes, a third pair does not
    assert.equal(refused.length, 18);
    assert.equal(refused[0].response.outcome?.issue[0].code, 'too-costly');
    assert.ok(res.text.length < 16_000 + 20 * 1000, `${res.text.length} bytes`);
  });

  it('in a transaction, as every failed read (bundle/read-entry.ts), the reads past the bound answer too-costly', async () => {
    const entry = Array.from({ length: 5 }, () => ({ request: { method: 'GET', url: 'Patient?_count=2' } }));
    const res = await http
      .post('/fhir')
      .set('content-type', FHIR_JSON)
      .send(JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry }));
    assert.equal(res.status, 200);
    const statuses = (res.body.entry as BatchEntry[]).map((e) => e.response.status.slice(0, 3));
    assert.deepEqual(statuses, ['200', '200', '400', '400', '400']);
  });

  it('batch reads past the bound answer too-costly without their resource', async () => {
    const found = await http.get('/fhir/Patient?_count=3&_elements=id');
    const entry = (found.body.entry as { resource: { id: string } }[]).flatMap((e) =>
      Array.from({ length: 3 }, () => ({ request: { method: 'GET', url: `Patient/${e.resource.id}` } })),
    );
    const res = await http
      .post('/fhir')
      .set('content-type', FHIR_JSON)
      .send(JSON.stringify({ resourceType: 'Bundle', type: 'batch', entry }));
    assert.equal(res.status, 200);
    const entries = res.body.entry as BatchEntry[];
    assert.deepEqual(
      entries.map((e) => e.response.status.slice(0, 3)),
      ['200', '200', '200', '200', '200', '400', '400', '400', '400'],
    );
    assert.equal(entries[5].resource, undefined);
    assert.equal(entries[5].response.outcome?.issue[0].code, 'too-costly');
  });
});
