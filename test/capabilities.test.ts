/**
 * GET /metadata (https://hl7.org/fhir/R4/http.html#capabilities): generated from what the server supports.
 */
import assert from 'node:assert/strict';
import { useTestServer } from './support/in-process-server.ts';

describe('capabilities (GET /metadata)', () => {
  const { http } = useTestServer();

  it('is an R4 CapabilityStatement listing every resource type with the interactions served', async () => {
    const res = await http.get('/fhir/metadata');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /^application\/fhir\+json/);
    assert.equal(res.body.resourceType, 'CapabilityStatement');
    assert.equal(res.body.fhirVersion, '4.0.1');
    assert.equal(res.body.implementation.url, 'http://fhir.test/fhir');
    const types = res.body.rest[0].resource.map((r: { type: string }) => r.type);
    assert.ok(types.length >= 140, `${types.length} resource types`);
    for (const t of ['Patient', 'Observation', 'ServiceRequest', 'Task', 'Communication', 'Claim']) assert.ok(types.includes(t), t);
    const patient = res.body.rest[0].resource.find((r: { type: string }) => r.type === 'Patient');
    assert.deepEqual(patient.interaction.map((i: { code: string }) => i.code).sort(), [
      'create',
      'delete',
      'history-instance',
      'history-type',
      'patch',
      'read',
      'search-type',
      'update',
      'vread',
    ]);
    assert.equal(patient.conditionalCreate, true);
    assert.equal(patient.conditionalUpdate, true);
    assert.equal(patient.conditionalDelete, 'single');
    assert.deepEqual(res.body.rest[0].interaction, [
      { code: 'transaction' },
      { code: 'batch' },
      { code: 'history-system' },
      { code: 'search-system' },
    ]);
  });
});
