/**
 * The ingest benchmark's generated Synthea-shaped Bundles (bench/synthea-bundles.ts) are valid R4 that this
 * server accepts as transactions (http.html#transaction): every resource type they hold is written, and their
 * urn:uuid and conditional references resolve. A benchmark whose Bundles were refused would measure nothing.
 */
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Bundle } from '@medplum/fhirtypes';
import { sharedBundle, syntheaBundle } from '../bench/synthea-bundles.ts';
import { startTestServer, type TestServer } from './support/in-process-server.ts';

const TYPES = ['Patient', 'Encounter', 'Observation', 'Condition', 'Procedure', 'MedicationRequest', 'Claim', 'ExplanationOfBenefit'];

describe('ingest benchmark Bundles (bench/synthea-bundles.ts) are accepted as R4 transactions', function () {
  this.timeout(120_000);
  let server: TestServer;
  let http: ReturnType<typeof request>;
  before(async () => {
    server = await startTestServer();
    http = server.http;
  });
  after(() => server?.close());
  const post = (body: string) => http.post('/fhir').set('content-type', 'application/fhir+json').send(body);

  it('the shared Organizations and Practitioners, then patient Bundles of 300-1,000 entries with every resource type, are stored', async () => {
    const shared = await post(JSON.stringify(sharedBundle()));
    assert.equal(shared.status, 200, JSON.stringify(shared.body));
    const seen = new Set<string>();
    for (const index of [0, 1, 2]) {
      const generated = syntheaBundle(20240701, index);
      assert.ok(generated.entries >= 300 && generated.entries <= 1000, `${generated.entries} entries`);
      for (const type of Object.keys(generated.byType)) seen.add(type);
      const res = await post(generated.body);
      assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 2000));
      const answer = res.body as Bundle;
      assert.equal(answer.type, 'transaction-response');
      assert.equal(answer.entry?.length, generated.entries);
      assert.ok(answer.entry?.every((e) => e.response?.status?.startsWith('201')));
    }
    assert.deepEqual([...seen].sort(), [...TYPES].sort());
    // References were rewritten to the stored resources: the EoB's claim and the encounter's practitioner resolve.
    const eobs = await http.get('/fhir/ExplanationOfBenefit?_count=1');
    const eob = (eobs.body as Bundle).entry![0].resource as { claim: { reference: string }; provider: { reference: string } };
    assert.match(eob.claim.reference, /^Claim\/[\w-]+$/);
    assert.match(eob.provider.reference, /^Practitioner\/npi-\d+$/);
    assert.equal((await http.get(`/fhir/${eob.claim.reference}`)).status, 200);
  });
});
