/**
 * Chaining and reverse chaining over HTTP (https://hl7.org/fhir/R4/search.html#chaining, #has).
 */
import assert from 'node:assert/strict';
import { fhirClient, type SearchEntry } from './support/fhir-client.ts';
import { useTestServer } from './support/in-process-server.ts';

describe('chained and reverse-chained search (search.html#chaining, #has)', () => {
  const { http } = useTestServer();
  const { create, ids } = fhirClient(http);
  const obs = (patient: string, code: string, extra: Record<string, unknown> = {}) =>
    create({
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code }] },
      subject: { reference: `Patient/${patient}` },
      ...extra,
    });

  it('subject:Patient._id chains through the reference to the Patient (search.html#chaining)', async () => {
    const p = await create({ resourceType: 'Patient' });
    const q = await create({ resourceType: 'Patient' });
    const o1 = await obs(p.id, '1-1');
    await obs(q.id, '1-1');
    assert.deepEqual(await ids(`/fhir/Observation?subject:Patient._id=${p.id}`), [o1.id]);
    // Without the type modifier every target type that has the chained parameter is searched.
    assert.deepEqual(await ids(`/fhir/Observation?subject._id=${p.id}`), [o1.id]);
  });

  it('a chained search through a reference to a deleted resource does not match (search.html#chaining)', async () => {
    const p = await create({ resourceType: 'Patient' });
    await obs(p.id, '2-2');
    assert.equal((await ids(`/fhir/Observation?subject:Patient._id=${p.id}`)).length, 1);
    const del = await http.delete(`/fhir/Patient/${p.id}`);
    assert.equal(del.status, 204);
    assert.deepEqual(await ids(`/fhir/Observation?subject:Patient._id=${p.id}`), []);
  });

  it('chains of several levels: Observation?subject:Patient.organization._id (search.html#chaining)', async () => {
    const org = await create({ resourceType: 'Organization', name: 'Chain Org' });
    const p = await create({ resourceType: 'Patient', managingOrganization: { reference: `Organization/${org.id}` } });
    const other = await create({ resourceType: 'Patient' });
    const o = await obs(p.id, '3-3');
    await obs(other.id, '3-3');
    assert.deepEqual(await ids(`/fhir/Observation?subject:Patient.organization._id=${org.id}`), [o.id]);
  });

  it('a chain on a parameter that is not a reference, or a chained parameter no target has, is 400 in strict mode and ignored in lenient mode (search.html#errors)', async () => {
    const strict = await http.get('/fhir/Observation?status.name=x').set('prefer', 'handling=strict');
    assert.equal(strict.status, 400);
    const noTarget = await http.get('/fhir/Observation?subject:Patient.nope=x').set('prefer', 'handling=strict');
    assert.equal(noTarget.status, 400);
    const wrongType = await http.get('/fhir/Observation?subject:Organization._id=x').set('prefer', 'handling=strict');
    assert.equal(wrongType.status, 400);
    const lenient = await http.get('/fhir/Observation?subject:Patient.nope=x&_count=1');
    assert.equal(lenient.status, 200);
    assert.ok((lenient.body.entry as SearchEntry[]).some((e) => e.search.mode === 'outcome'));
  });

  it('_has:Observation:subject:_id finds the Patients an Observation refers to (search.html#has)', async () => {
    const p = await create({ resourceType: 'Patient' });
    const q = await create({ resourceType: 'Patient' });
    const o = await obs(p.id, '4-4');
    await obs(q.id, '4-4');
    assert.deepEqual(await ids(`/fhir/Patient?_has:Observation:subject:_id=${o.id}`), [p.id]);
  });

  it('nested _has: Organizations managing a Patient that an Observation refers to (search.html#has)', async () => {
    const org = await create({ resourceType: 'Organization', name: 'Has Org' });
    await create({ resourceType: 'Organization', name: 'Other Org' });
    const p = await create({ resourceType: 'Patient', managingOrganization: { reference: `Organization/${org.id}` } });
    const o = await obs(p.id, '5-5');
    assert.deepEqual(await ids(`/fhir/Organization?_has:Patient:organization:_has:Observation:subject:_id=${o.id}`), [org.id]);
  });

  it('_has ignores Observations that were deleted', async () => {
    const p = await create({ resourceType: 'Patient' });
    const o = await obs(p.id, '6-6');
    await http.delete(`/fhir/Observation/${o.id}`);
    assert.deepEqual(await ids(`/fhir/Patient?_has:Observation:subject:_id=${o.id}`), []);
  });

  it('chained search by a value the parameter compiler handles: subject:Patient.name and _has:Observation:subject:code', async () => {
    const p = await create({ resourceType: 'Patient', name: [{ family: 'Chainfamily' }] });
    const o = await obs(p.id, '7777-7');
    assert.deepEqual(await ids('/fhir/Observation?subject:Patient.name=chainfam'), [o.id]);
    assert.deepEqual(await ids('/fhir/Patient?_has:Observation:subject:code=http://loinc.org|7777-7'), [p.id]);
  });
});
