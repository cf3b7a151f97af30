/**
 * `_list` over HTTP (https://hl7.org/fhir/R4/search.html#list): the resources a List's entries refer to.
 */
import assert from 'node:assert/strict';
import request from 'supertest';
import { startTestServer, type TestServer } from './support/in-process-server.ts';

const FHIR = 'application/fhir+json';

interface Entry {
  resource: { resourceType: string; id: string };
  search: { mode: string };
}

describe('_list (search.html#list)', () => {
  let server: TestServer;
  let http: ReturnType<typeof request>;
  before(async () => {
    server = await startTestServer();
    http = request(server.app.callback());
  });
  after(() => server.close());

  const create = async (resource: Record<string, unknown>) => {
    const res = await http.post(`/fhir/${resource.resourceType as string}`).set('content-type', FHIR).send(JSON.stringify(resource));
    assert.equal(res.status, 201, res.text);
    return res.body.id as string;
  };
  const ids = async (url: string) => {
    const res = await http.get(url);
    assert.equal(res.status, 200, res.text);
    return ((res.body.entry ?? []) as Entry[]).filter((e) => e.search.mode === 'match').map((e) => e.resource.id).sort();
  };

  it('_list=List/[id] and _list=[id]: the resources of the searched type the List refers to', async () => {
    const a = await create({ resourceType: 'Patient', name: [{ family: 'ListA' }] });
    const b = await create({ resourceType: 'Patient', name: [{ family: 'ListB' }] });
    await create({ resourceType: 'Patient', name: [{ family: 'ListC' }] });
    const org = await create({ resourceType: 'Organization', name: 'Listed' });
    const list = await create({
      resourceType: 'List',
      status: 'current',
      mode: 'working',
      entry: [{ item: { reference: `Patient/${a}` } }, { item: { reference: `http://fhir.test/fhir/Patient/${b}/_history/1` } }, { item: { reference: `Organization/${org}` } }],
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
    const list = await create({ resourceType: 'List', status: 'current', mode: 'working', entry: [{ item: { reference: `Patient/${p}` } }] });
    assert.deepEqual(await ids(`/fhir/Patient?_list=${list}`), [p]);
    assert.equal((await http.delete(`/fhir/List/${list}`)).status, 204);
    assert.deepEqual(await ids(`/fhir/Patient?_list=${list}`), []);
  });
});
