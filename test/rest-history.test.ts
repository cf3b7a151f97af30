/**
 * History: instance, type and system, `_count`, `_since`, paging (https://hl7.org/fhir/R4/http.html#history).
 */
import assert from 'node:assert/strict';
import { useTestServer } from './support/in-process-server.ts';

const FHIR = 'application/fhir+json';

interface Entry {
  fullUrl: string;
  resource?: { id: string; meta: { versionId: string } };
  request: { method: string; url: string };
  response: { status: string; etag: string };
}

describe('history (http.html#history)', () => {
  const { http } = useTestServer();

  const createDevice = async (n: number) =>
    (
      await http
        .post('/fhir/Device')
        .set('content-type', FHIR)
        .send(JSON.stringify({ resourceType: 'Device', serialNumber: `SN-${n}` }))
    ).body;

  /** Follows `next` links to the end. */
  async function allPages(url: string): Promise<Entry[]> {
    const entries: Entry[] = [];
    let next: string | undefined = url;
    while (next) {
      const res = await http.get(next.replace('http://fhir.test', ''));
      assert.equal(res.status, 200);
      assert.equal(res.body.type, 'history');
      entries.push(...(res.body.entry ?? []));
      next = res.body.link.find((l: { relation: string }) => l.relation === 'next')?.url;
    }
    return entries;
  }

  it('instance history lists every version newest first with request and response details', async () => {
    const d = await createDevice(1);
    await http
      .put(`/fhir/Device/${d.id}`)
      .set('content-type', FHIR)
      .send(JSON.stringify({ ...d, serialNumber: 'SN-1b' }));
    const res = await http.get(`/fhir/Device/${d.id}/_history`);
    assert.equal(res.status, 200);
    const entries = res.body.entry as Entry[];
    assert.deepEqual(
      entries.map((e) => e.resource?.meta.versionId),
      ['2', '1'],
    );
    assert.deepEqual(
      entries.map((e) => e.request),
      [
        { method: 'PUT', url: `Device/${d.id}` },
        { method: 'POST', url: 'Device' },
      ],
    );
    assert.deepEqual(
      entries.map((e) => e.response.status),
      ['200 OK', '201 Created'],
    );
    assert.equal(entries[0].fullUrl, `http://fhir.test/fhir/Device/${d.id}`);
    assert.equal(entries[0].response.etag, 'W/"2"');
  });

  it('type and system history page with _count; pages have no duplicates and no gaps while writes continue', async () => {
    const ids = [];
    for (let i = 0; i < 12; i++) ids.push((await createDevice(100 + i)).id);
    const first = await http.get('/fhir/Device/_history?_count=5');
    assert.equal(first.body.entry.length, 5);
    const next = first.body.link.find((l: { relation: string }) => l.relation === 'next').url as string;
    // Writes after the first page must not shift the following pages.
    await createDevice(999);
    const rest = await allPages(next);
    const seen = [...first.body.entry, ...rest].map((e: Entry) => `${e.resource!.id}/${e.resource!.meta.versionId}`);
    assert.equal(new Set(seen).size, seen.length, 'no duplicates');
    for (const id of ids) assert.ok(seen.includes(`${id}/1`), `version 1 of ${id} is listed`);

    const system = await allPages('/fhir/_history?_count=7');
    const types = new Set(system.map((e) => e.fullUrl.split('/').at(-2)));
    assert.ok(types.has('Device'));
    assert.ok(system.length >= 13);
  });

  it('_since limits to versions at or after the instant; a malformed _since is 400', async () => {
    const before = await createDevice(200);
    await new Promise((r) => setTimeout(r, 5));
    const since = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    const after = await createDevice(201);
    const entries = await allPages(`/fhir/Device/_history?_since=${encodeURIComponent(since)}`);
    const ids = entries.map((e) => e.resource!.id);
    assert.ok(ids.includes(after.id));
    assert.ok(!ids.includes(before.id));
    assert.equal((await http.get('/fhir/Device/_history?_since=yesterday')).status, 400);
  });

  it('_count must be a number; _count=0 returns no entries', async () => {
    assert.equal((await http.get('/fhir/_history?_count=abc')).status, 400);
    const zero = await http.get('/fhir/_history?_count=0');
    assert.equal(zero.status, 200);
    assert.equal((zero.body.entry ?? []).length, 0);
  });
});
