/**
 * An operation the server does not implement (https://hl7.org/fhir/R4/operations.html), such as MedplumClient's
 * `readPatientEverything` (`GET Patient/[id]/$everything`), is answered 400 not-supported naming the operation,
 * not read as a resource type or id.
 */
import assert from 'node:assert/strict';
import { assertOutcome, fhirClient } from './support/fhir-client.ts';
import { useTestServer } from './support/in-process-server.ts';

describe('unsupported $operations', () => {
  const { http } = useTestServer();
  const { create } = fhirClient(http);

  it('GET or POST on a system, type or instance $operation: 400 not-supported with the operation as expression', async () => {
    const p = await create({ resourceType: 'Patient' });
    for (const [method, path, name] of [
      ['get', `/fhir/Patient/${p.id}/$everything`, '$everything'],
      ['post', `/fhir/Patient/${p.id}/$everything`, '$everything'],
      ['get', '/fhir/Patient/$match', '$match'],
      ['post', '/fhir/Observation/$lastn', '$lastn'],
      ['get', '/fhir/$export', '$export'],
    ] as const) {
      const res = await http[method](path);
      const outcome = assertOutcome(res, 400, 'not-supported', name, `${method} ${path}`);
      assert.match(outcome.issue?.[0]?.diagnostics ?? '', new RegExp(`\\${name}`));
    }
  });

  it('the operations the server has still answer', async () => {
    const res = await http
      .post('/fhir/Patient/$validate')
      .set('content-type', 'application/fhir+json')
      .send(JSON.stringify({ resourceType: 'Patient' }));
    assert.equal(res.status, 200, res.text);
  });
});
