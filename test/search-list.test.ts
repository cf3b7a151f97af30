/**
 * `_list` over HTTP (https://hl7.org/fhir/R4/search.html#list): the resources a List's entries refer to.
 */
import assert from 'node:assert/strict';
import { fhirClient, type ResourceToSend } from './support/fhir-client.ts';
import { useTestServer } from './support/in-process-server.ts';

describe('_list (search.html#list)', () => {
  const { http } = useTestServer();
  const { create: createResource, ids } = fhirClient(http);
  const create = async (resource: ResourceToSend) => (await createResource(resource)).id;

  it('_list=List/[id] and _list=[id]: the resources of the searched type the List refers to', async () => {
    const a = await create({ resourceType: 'Patient', name: [{ family: 'ListA' }] });
    const b = await create({ resourceType: 'Patient', name: [{ family: 'ListB' }] });
    await create({ resourceType: 'Patient', name: [{ family: 'ListC' }] });
    const org = await create({ resourceType: 'Organization', name: 'Listed' });
    const list = await create({
      resourceType: 'List',
      status: 'current',
      mode: 'working',
      entry: [
        { item: { reference: `Patient/${a}` } },
        { item: { reference: `http://fhir.test/fhir/Patient/${b}/_history/1` } },
        { item: { reference: `Organization/${org}` } },
      ],
    });
    assert.deepEqual(await ids(`/fhir/Patient?_list=List/${list}`), [a, b].sort());
    assert.deepEqual(await ids(`/fhir/Patient?_list=${list}`), [a, b].sort());
    assert.deepEqual(await ids(`/fhir/Organization?_list=${list}`), [org]);
    // Combined with other parameters (AND).
    assert.deepEqual(await ids(`/fhir/Patient?_list=${list}&family=ListA`), [a]);
  });

  it('a List that does not exist, or was deleted, matches nothing', async () => {
    const p = await create({ resourceType: 'Patient' });
    assert.deepEqual(await ids('/fhir/Patient?_list=List/does-not-exist'), []);
    const list = await create({
      resourceType: 'List',
      status: 'current',
      mode: 'working',
      entry: [{ item: { reference: `Patient/${p}` } }],
    });
    assert.deepEqual(await ids(`/fhir/Patient?_list=${list}`), [p]);
    assert.equal((await http.delete(`/fhir/List/${list}`)).status, 204);
    assert.deepEqual(await ids(`/fhir/Patient?_list=${list}`), []);
  });
});
