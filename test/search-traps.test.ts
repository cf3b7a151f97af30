/**
 * The spec's traps, end to end over HTTP (values written through the REST API, extracted by the write path):
 * each test names the rule of https://hl7.org/fhir/R4/search.html it checks. The chained search through a
 * reference to a deleted resource is in search-chain.test.ts.
 */
import assert from 'node:assert/strict';
import { fhirClient, type ResourceToSend } from './support/fhir-client.ts';
import { useTestServer } from './support/in-process-server.ts';

describe('search traps over HTTP (search.html)', () => {
  const { http } = useTestServer();
  const { create: createResource, ids } = fhirClient(http);
  const create = async (resource: ResourceToSend) => (await createResource(resource)).id;
  const encounter = (period: Record<string, string>, code: string) =>
    create({
      resourceType: 'Encounter',
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
      period,
      serviceType: { text: code },
    });

  it('date eq with day precision matches a dateTime within that day: "the range of the search value fully contains the range of the target value" (#date)', async () => {
    const p = await create({ resourceType: 'Patient', name: [{ family: 'TrapDate' }] });
    const o = await create({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'x' },
      subject: { reference: `Patient/${p}` },
      effectiveDateTime: '2021-03-04T15:20:00+01:00',
    });
    assert.deepEqual(await ids(`/fhir/Observation?subject=Patient/${p}&date=2021-03-04`), [o]);
    assert.deepEqual(await ids(`/fhir/Observation?subject=Patient/${p}&date=eq2021-03-05`), []);
  });

  it('date gt against a Period that overlaps matches: the range above the search value overlaps the target range (#prefix)', async () => {
    const overlapping = await encounter({ start: '2021-05-01', end: '2021-05-20' }, 'trap-gt');
    await encounter({ start: '2021-04-01', end: '2021-04-30' }, 'trap-gt');
    assert.deepEqual(await ids('/fhir/Encounter?date=gt2021-05-10&service-type:text=trap-gt'), [overlapping]);
  });

  it('string search is case- and accent-insensitive by default: Zoë is found by zoe (#string)', async () => {
    const zoe = await create({ resourceType: 'Patient', name: [{ family: 'Zoë-Trap' }] });
    assert.deepEqual(await ids('/fhir/Patient?family=zoe-trap'), [zoe]);
    assert.deepEqual(await ids('/fhir/Patient?family:exact=Zoe-Trap'), []);
  });

  it('token :not matches a resource with no value at all: "the search parameter returns resources that do not contain a match" (#modifiers)', async () => {
    const none = await create({ resourceType: 'Patient', name: [{ family: 'TrapNot' }] });
    const female = await create({ resourceType: 'Patient', name: [{ family: 'TrapNot' }], gender: 'female' });
    await create({ resourceType: 'Patient', name: [{ family: 'TrapNot' }], gender: 'male' });
    assert.deepEqual(await ids('/fhir/Patient?family=TrapNot&gender:not=male'), [female, none].sort());
  });
});
