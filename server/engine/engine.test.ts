import assert from 'node:assert/strict';
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { useTestServer } from '../../test/support/in-process-server.ts';
import { FhirError, systemPrincipal, type JsonValue } from './index.ts';

const JOB = systemPrincipal('engine-test');

describe('engine façade (server/engine/)', () => {
  const running = useTestServer();
  const engine = () => running.server.engine;
  const patient = (mrn: string, family: string): JsonValue => ({
    request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=urn:mrn|${mrn}` },
    resource: { resourceType: 'Patient', identifier: [{ system: 'urn:mrn', value: mrn }], name: [{ family }] },
  });

  it('writes through the write path: what a transaction stores is read over REST, versioned and searchable', async () => {
    const [result] = await engine().transaction(JOB, [patient('e-1', 'Engine')]);
    assert.equal(result!.status, 201);
    const id = result!.doc!.id;
    const res = await running.http.get(`/fhir/Patient/${id}`).expect(200);
    assert.equal((res.body as Patient).name?.[0]?.family, 'Engine');
    assert.equal(res.headers.etag, 'W/"1"');
    const read = await engine().read(JOB, 'Patient', id);
    assert.equal(read.id, id);
    const bundle: Bundle = await engine().search(JOB, 'Patient', 'identifier=urn:mrn|e-1');
    assert.deepEqual(
      bundle.entry?.map((e) => e.resource?.id),
      [id],
    );
    assert.equal((await engine().findOne(JOB, 'Patient', 'identifier=urn:mrn|e-1'))?.id, id);
  });

  it('answers errors with a kind: several conditional matches, an unknown parameter, a bad entry', async () => {
    await engine().transaction(JOB, [patient('e-2', 'One')]);
    await engine().transaction(JOB, [
      {
        request: { method: 'POST', url: 'Patient' },
        resource: { resourceType: 'Patient', identifier: [{ system: 'urn:mrn', value: 'e-2' }] },
      },
    ]);
    await assert.rejects(
      engine().findOne(JOB, 'Patient', 'identifier=urn:mrn|e-2'),
      (e: unknown) => e instanceof FhirError && e.kind === 'precondition-failed',
    );
    await assert.rejects(
      engine().search(JOB, 'Patient', 'no-such-parameter=1'),
      (e: unknown) => e instanceof FhirError && e.kind === 'not-supported',
    );
    await assert.rejects(
      engine().transaction(JOB, [{ request: { method: 'POST', url: 'Patient' }, resource: { resourceType: 'Patient', foo: 1 } }]),
      (e: unknown) => e instanceof FhirError && e.kind === 'invalid',
    );
    await assert.rejects(engine().read(JOB, 'Patient', 'absent'), (e: unknown) => e instanceof FhirError && e.kind === 'not-found');
  });

  it('validates without writing, and keeps the engine collections out of reach of features', async () => {
    const outcome = await engine().validate(JOB, { resourceType: 'Patient', gender: 'nope' });
    assert.equal(outcome?.issue?.[0]?.expression?.[0], 'Patient.gender');
    assert.equal(await engine().validate(JOB, { resourceType: 'Patient', gender: 'female' }), undefined);
    assert.throws(() => engine().collection('resources'), /engine's own collection/);
    const archive = engine().collection('hl7messages');
    assert.throws(() => archive.write([{ op: 'insert', collection: 'resources', doc: { _id: 'Patient/x' } }]), /cannot write resources/);
  });
});
