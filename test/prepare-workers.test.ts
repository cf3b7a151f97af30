/**
 * Writes whose validation and search values are computed in the prepare pool's worker threads (PREPARE_WORKERS,
 * server/repository/prepare-pool.ts), the default on a machine with two cores or more: what clients see is the
 * same as when the main thread does it.
 */
import assert from 'node:assert/strict';
import { FHIR_JSON } from './support/fhir-requests.ts';
import { fhirClient } from './support/fhir-client.ts';
import { useTestServer } from './support/in-process-server.ts';
import { PreparePool } from '../server/repository/prepare-pool.ts';

const P = 'urn:uuid:6a1f0c3e-0000-4000-8000-000000000001';

describe('writes prepared by worker threads (PREPARE_WORKERS=1)', function () {
  this.timeout(60_000);
  const running = useTestServer({ PREPARE_WORKERS: '1' });
  const { http } = running;
  const { create, ids } = fhirClient(http);
  /** Versions the pool's workers have prepared so far: each test checks that its writes went through them. */
  const preparedByWorkers = () => {
    const { preparer } = running.server.services;
    assert.ok(preparer instanceof PreparePool, `PREPARE_WORKERS=1 runs the prepare pool, not ${preparer.name}`);
    assert.equal(preparer.name, '1 prepare worker');
    return preparer.preparedPerWorker().reduce((a, b) => a + b, 0);
  };
  /** `POST /fhir` with a transaction of `entry`; `edit` changes the JSON text before it is sent. */
  const postTransaction = (entry: object[], edit = (text: string) => text) =>
    http
      .post('/fhir')
      .set('content-type', FHIR_JSON)
      .send(edit(JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry })));

  it('a transaction is stored with its search values: its resources are found by reference, token and string', async () => {
    const before = preparedByWorkers();
    const res = await postTransaction(
      [
        { fullUrl: P, resource: { resourceType: 'Patient', name: [{ family: 'Wörker' }] }, request: { method: 'POST', url: 'Patient' } },
        {
          resource: {
            resourceType: 'Observation',
            status: 'final',
            code: { coding: [{ system: 'http://loinc.org', code: '718-7' }] },
            subject: { reference: P },
            valueQuantity: { value: 13.5 },
          },
          request: { method: 'POST', url: 'Observation' },
        },
      ],
      (text) => text.replace('"value":13.5', '"value":13.50'), // a decimal's text is kept as sent
    );
    assert.equal(res.status, 200, res.text);
    assert.equal(preparedByWorkers() - before, 2, 'both versions were prepared by the worker');
    const [patientId, observationId] = res.body.entry.map((e: { response: { location: string } }) => e.response.location.split('/')[1]);
    assert.deepEqual(await ids('/fhir/Patient?name=worker'), [patientId]);
    assert.deepEqual(await ids(`/fhir/Observation?subject=Patient/${patientId}&code=http://loinc.org|718-7&value-quantity=13.5`), [
      observationId,
    ]);
    const read = await http.get(`/fhir/Observation/${observationId}`);
    assert.match(read.text, /"value":13\.50/);
  });

  it('an invalid entry fails the transaction with its place in the Bundle, and nothing is stored', async () => {
    const before = (await running.server.services.store.find('resources', {})).length;
    const preparedBefore = preparedByWorkers();
    const res = await postTransaction([
      { resource: { resourceType: 'Patient', name: [{ family: 'Valid' }] }, request: { method: 'POST', url: 'Patient' } },
      { resource: { resourceType: 'Patient', foo: 1 }, request: { method: 'POST', url: 'Patient' } },
    ]);
    assert.equal(res.status, 400, res.text);
    assert.deepEqual(res.body.issue[0].expression, ['Bundle.entry[1].resource.foo']);
    assert.equal(preparedByWorkers() - preparedBefore, 2, 'the worker found the invalid entry');
    assert.equal((await running.server.services.store.find('resources', {})).length, before);
  });

  it('REST create, update and search', async () => {
    const before = preparedByWorkers();
    const p = await create({ resourceType: 'Patient', gender: 'female', name: [{ family: 'Rest' }] });
    const updated = await http
      .put(`/fhir/Patient/${p.id}`)
      .set('content-type', FHIR_JSON)
      .send(JSON.stringify({ resourceType: 'Patient', id: p.id, gender: 'male', name: [{ family: 'Rest' }] }));
    assert.equal(updated.status, 200, updated.text);
    assert.equal(preparedByWorkers() - before, 2);
    assert.deepEqual(await ids('/fhir/Patient?family=rest&gender=male'), [p.id]);
    assert.deepEqual(await ids('/fhir/Patient?family=rest&gender=female'), []);
  });
});

describe('PREPARE_WORKERS=0: the main thread prepares, and says so', () => {
  const running = useTestServer({ PREPARE_WORKERS: '0' });
  it('the preparer is the main thread', () => {
    assert.equal(running.server.services.preparer.name, 'main thread');
  });
});
