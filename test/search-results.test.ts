/**
 * Search results over HTTP (https://hl7.org/fhir/R4/search.html): the searchset Bundle, paging, `_sort`,
 * `_total`, `_summary`, `_elements`, `_include` / `_revinclude`, strict and lenient handling, entry points.
 * These tests search by `_id` and `_lastUpdated` sorting, so they do not depend on the parameter compiler.
 */
import assert from 'node:assert/strict';
import { fhirClient } from './support/fhir-client.ts';
import { useTestServer } from './support/in-process-server.ts';

const FHIR = 'application/fhir+json';

interface Entry {
  fullUrl?: string;
  resource: { resourceType: string; id: string; meta?: { tag?: { code: string }[] }; [k: string]: unknown };
  search: { mode: string };
}
interface Link {
  relation: string;
  url: string;
}

describe('search results (search.html)', () => {
  const { http } = useTestServer({ DEFAULT_COUNT: '5', MAX_COUNT: '50' });
  const { create } = fhirClient(http);
  const get = async (url: string, headers: Record<string, string> = {}) => {
    const res = await http.get(url.replace('http://fhir.test', '')).set(headers);
    return res;
  };
  const linkOf = (body: { link: Link[] }, relation: string) => body.link.find((l) => l.relation === relation)?.url;
  const matches = (body: { entry?: Entry[] }) => (body.entry ?? []).filter((e) => e.search.mode === 'match');

  it('GET [type]? answers a searchset Bundle with fullUrl and search.mode = match per entry, and a self link', async () => {
    const p = await create({ resourceType: 'Patient', name: [{ family: 'Shape' }] });
    const res = await get(`/fhir/Patient?_id=${p.id}`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.resourceType, 'Bundle');
    assert.equal(res.body.type, 'searchset');
    assert.equal(res.body.total, 1);
    assert.deepEqual(
      res.body.entry.map((e: Entry) => [e.fullUrl, e.search.mode]),
      [[`http://fhir.test/fhir/Patient/${p.id}`, 'match']],
    );
    assert.equal(linkOf(res.body, 'self'), `http://fhir.test/fhir/Patient?_id=${p.id}`);
  });

  it('comma in _id is OR, repeated parameters are AND (search.html#combining)', async () => {
    const a = await create({ resourceType: 'Patient' });
    const b = await create({ resourceType: 'Patient' });
    const or = await get(`/fhir/Patient?_id=${a.id},${b.id}`);
    assert.deepEqual(
      matches(or.body)
        .map((e) => e.resource.id)
        .sort(),
      [a.id, b.id].sort(),
    );
    const and = await get(`/fhir/Patient?_id=${a.id},${b.id}&_id=${b.id}`);
    assert.deepEqual(
      matches(and.body).map((e) => e.resource.id),
      [b.id],
    );
  });

  it('a deleted resource is never a match', async () => {
    const p = await create({ resourceType: 'Patient' });
    await http.delete(`/fhir/Patient/${p.id}`);
    const res = await get(`/fhir/Patient?_id=${p.id}`);
    assert.equal(res.body.total, 0);
    assert.equal(matches(res.body).length, 0);
  });

  it('paging (search.html#count, http.html#paging): next/previous links have no duplicates and no gaps while resources are created between pages', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 11; i++) ids.push((await create({ resourceType: 'Device', serialNumber: `page-${i}` })).id);
    const seen: string[] = [];
    let res = await get('/fhir/Device?_count=4');
    assert.equal(res.status, 200);
    assert.equal(matches(res.body).length, 4);
    assert.equal(linkOf(res.body, 'previous'), undefined);
    const pages: string[][] = [];
    for (;;) {
      const page = matches(res.body).map((e) => e.resource.id);
      pages.push(page);
      seen.push(...page);
      // Writes between pages must not shift the pages still to come.
      await create({ resourceType: 'Device', serialNumber: `between-${pages.length}` });
      const next = linkOf(res.body, 'next');
      if (!next) break;
      assert.match(next, /_count=4/);
      res = await get(next);
      assert.equal(res.status, 200, res.text);
    }
    assert.equal(new Set(seen).size, seen.length, 'no duplicates');
    for (const id of ids) assert.ok(seen.includes(id), `${id} was on some page (no gaps)`);
    const sorted = [...seen].sort();
    assert.deepEqual(seen, sorted, 'default order is by id, stable');

    // previous of the second page is the first page again
    const first = await get('/fhir/Device?_count=4');
    const second = await get(linkOf(first.body, 'next')!);
    const back = await get(linkOf(second.body, 'previous')!);
    assert.deepEqual(
      matches(back.body).map((e) => e.resource.id),
      matches(first.body).map((e) => e.resource.id),
    );
    assert.ok(linkOf(back.body, 'next'));
    assert.equal(linkOf(second.body, 'first'), 'http://fhir.test/fhir/Device?_count=4');
  });

  it('_count defaults to DEFAULT_COUNT and is capped at MAX_COUNT (search.html#count)', async () => {
    for (let i = 0; i < 6; i++) await create({ resourceType: 'Device', serialNumber: `count-${i}` });
    const def = await get('/fhir/Device');
    assert.equal(matches(def.body).length, 5);
    const big = await get('/fhir/Device?_count=500');
    assert.match(linkOf(big.body, 'self')!, /_count=50\b/);
    const bad = await get('/fhir/Device?_count=abc');
    assert.equal(bad.status, 400);
  });

  it('_sort by _lastUpdated ascending and descending, ties broken by id (search.html#sort)', async () => {
    const made: string[] = [];
    for (let i = 0; i < 4; i++) {
      made.push((await create({ resourceType: 'Substance', code: { text: `sort-${i}` } })).id);
      await new Promise((r) => setTimeout(r, 3));
    }
    const asc = await get('/fhir/Substance?_sort=_lastUpdated&_count=50');
    const ascIds = matches(asc.body).map((e) => e.resource.id);
    assert.deepEqual(
      ascIds.filter((id) => made.includes(id)),
      made,
    );
    const desc = await get('/fhir/Substance?_sort=-_lastUpdated&_count=2');
    const all: string[] = [];
    let res = desc;
    for (;;) {
      all.push(...matches(res.body).map((e) => e.resource.id));
      const next = linkOf(res.body, 'next');
      if (!next) break;
      res = await get(next);
    }
    assert.deepEqual(
      all.filter((id) => made.includes(id)),
      [...made].reverse(),
    );
  });

  it('_total=accurate counts every match; _total=none leaves total out (search.html#total)', async () => {
    for (let i = 0; i < 7; i++) await create({ resourceType: 'Medication', code: { text: `total-${i}` } });
    const accurate = await get('/fhir/Medication?_count=2&_total=accurate');
    assert.equal(accurate.body.total, 7);
    assert.equal(matches(accurate.body).length, 2);
    const none = await get('/fhir/Medication?_count=2&_total=none');
    assert.equal(none.body.total, undefined);
  });

  it('_summary=count answers only the total, no entries (search.html#summary)', async () => {
    const res = await get('/fhir/Medication?_summary=count');
    assert.equal(res.status, 200);
    assert.equal(res.body.total, 7);
    assert.equal(res.body.entry?.length ?? 0, 0);
    const zero = await get('/fhir/Medication?_count=0');
    assert.equal(zero.body.total, 7, '_count=0 also answers the total only');
    assert.equal(zero.body.entry?.length ?? 0, 0);
  });

  it('_summary=true keeps summary elements and tags the resource SUBSETTED; _summary=data drops text (search.html#summary)', async () => {
    const o = await create({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'summary' },
      text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' },
      note: [{ text: 'not in summary' }],
      valueString: 'v',
    });
    const res = await get(`/fhir/Observation?_id=${o.id}&_summary=true`);
    const r = matches(res.body)[0].resource;
    assert.equal(r.note, undefined);
    assert.equal(r.text, undefined);
    assert.equal(r.valueString, 'v');
    assert.equal(r.status, 'final');
    assert.ok(r.meta?.tag?.some((t) => t.code === 'SUBSETTED'));
    const data = matches((await get(`/fhir/Observation?_id=${o.id}&_summary=data`)).body)[0].resource;
    assert.equal(data.text, undefined);
    assert.ok(data.note);
    const text = matches((await get(`/fhir/Observation?_id=${o.id}&_summary=text`)).body)[0].resource;
    assert.ok(text.text);
    assert.equal(text.status, 'final', 'mandatory elements stay');
    assert.equal(text.note, undefined);
  });

  it('_elements returns the listed elements plus mandatory ones, tagged SUBSETTED (search.html#elements)', async () => {
    const o = await create({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'elements' },
      valueString: 'kept',
      note: [{ text: 'dropped' }],
    });
    const res = await get(`/fhir/Observation?_id=${o.id}&_elements=value`);
    const r = matches(res.body)[0].resource;
    assert.equal(r.valueString, 'kept');
    assert.equal(r.note, undefined);
    assert.equal(r.status, 'final');
    assert.ok(r.meta?.tag?.some((t) => t.code === 'SUBSETTED'));
  });

  it('_include and _revinclude add entries with search.mode = include; :iterate follows included resources (search.html#include)', async () => {
    const org = await create({ resourceType: 'Organization', name: 'Inc Org' });
    const p = await create({ resourceType: 'Patient', managingOrganization: { reference: `Organization/${org.id}` } });
    const o = await create({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'inc' },
      subject: { reference: `Patient/${p.id}` },
    });
    const inc = await get(`/fhir/Observation?_id=${o.id}&_include=Observation:subject`);
    assert.deepEqual(
      inc.body.entry.map((e: Entry) => `${e.search.mode}:${e.resource.resourceType}/${e.resource.id}`),
      [`match:Observation/${o.id}`, `include:Patient/${p.id}`],
    );
    assert.equal(inc.body.total, 1, 'includes do not count in total');
    const typed = await get(`/fhir/Observation?_id=${o.id}&_include=Observation:subject:Group`);
    assert.equal(typed.body.entry.length, 1, 'target type restricts the include');

    const iter = await get(`/fhir/Observation?_id=${o.id}&_include=Observation:subject&_include:iterate=Patient:organization`);
    assert.deepEqual(
      iter.body.entry.map((e: Entry) => `${e.search.mode}:${e.resource.resourceType}`),
      ['match:Observation', 'include:Patient', 'include:Organization'],
    );
    const noIter = await get(`/fhir/Observation?_id=${o.id}&_include=Observation:subject&_include=Patient:organization`);
    assert.equal(noIter.body.entry.length, 2, 'without :iterate an include applies to matches only');

    const rev = await get(`/fhir/Patient?_id=${p.id}&_revinclude=Observation:subject`);
    assert.deepEqual(
      rev.body.entry.map((e: Entry) => `${e.search.mode}:${e.resource.resourceType}/${e.resource.id}`),
      [`match:Patient/${p.id}`, `include:Observation/${o.id}`],
    );
  });

  it('lenient (default): an unknown parameter is ignored and named in an OperationOutcome entry with search.mode = outcome (search.html#errors)', async () => {
    const p = await create({ resourceType: 'Patient' });
    const res = await get(`/fhir/Patient?_id=${p.id}&not-a-param=1`);
    assert.equal(res.status, 200);
    const outcome = (res.body.entry as Entry[]).find((e) => e.search.mode === 'outcome');
    assert.ok(outcome);
    assert.equal(outcome.resource.resourceType, 'OperationOutcome');
    assert.match(JSON.stringify(outcome.resource), /not-a-param/);
    assert.equal(matches(res.body).length, 1);
    assert.doesNotMatch(linkOf(res.body, 'self')!, /not-a-param/, 'the self link shows only the parameters used');
  });

  it('Prefer: handling=strict answers an unknown parameter with 400 and an OperationOutcome (search.html#errors)', async () => {
    const res = await get('/fhir/Patient?not-a-param=1', { prefer: 'handling=strict' });
    assert.equal(res.status, 400);
    assert.equal(res.body.resourceType, 'OperationOutcome');
    assert.match(JSON.stringify(res.body), /not-a-param/);
    const unknownInclude = await get('/fhir/Patient?_include:bogus=Patient:link', { prefer: 'handling=strict' });
    assert.equal(unknownInclude.status, 400);
  });

  it('a malformed value of a known parameter: 400 in both modes, never dropped (search.html#errors)', async () => {
    for (const headers of [{ prefer: 'handling=strict' }, {}] as Record<string, string>[]) {
      const res = await get('/fhir/Patient?birthdate=not-a-date', headers);
      assert.equal(res.status, 400);
      assert.equal(res.body.resourceType, 'OperationOutcome');
      assert.deepEqual(res.body.issue[0].expression, ['birthdate']);
    }
  });

  it('_total=estimate gives a total too (search.html#total)', async () => {
    const res = await get('/fhir/Medication?_count=1&_total=estimate');
    assert.equal(res.body.total, 7);
  });

  it('POST [type]/_search with a form body, merged with the URL query (search.html#search)', async () => {
    const a = await create({ resourceType: 'Patient' });
    const b = await create({ resourceType: 'Patient' });
    const res = await http
      .post(`/fhir/Patient/_search?_id=${a.id},${b.id}`)
      .set('content-type', 'application/x-www-form-urlencoded')
      .send(`_id=${b.id}`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      matches(res.body).map((e) => e.resource.id),
      [b.id],
    );
    const json = await http.post('/fhir/Patient/_search').set('content-type', FHIR).send('{}');
    assert.equal(json.status, 415);
  });

  it('system search GET [base]?_type=A,B searches several types (search.html#searchall)', async () => {
    const p = await create({ resourceType: 'Patient' });
    const d = await create({ resourceType: 'Device' });
    const res = await get(`/fhir?_type=Patient,Device&_id=${p.id},${d.id}`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      matches(res.body)
        .map((e) => `${e.resource.resourceType}/${e.resource.id}`)
        .sort(),
      [`Device/${d.id}`, `Patient/${p.id}`].sort(),
    );
    const only = await get(`/fhir/?_type=Device&_id=${p.id},${d.id}`);
    assert.deepEqual(
      matches(only.body).map((e) => e.resource.id),
      [d.id],
    );
  });

  it('compartment search Patient/[id]/[type] ORs every parameter of the R4 Patient compartment (compartmentdefinition.html)', async () => {
    const p = await create({ resourceType: 'Patient' });
    const other = await create({ resourceType: 'Patient' });
    const bySubject = await create({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'c1' },
      subject: { reference: `Patient/${p.id}` },
    });
    const byPerformer = await create({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'c2' },
      performer: [{ reference: `Patient/${p.id}` }],
    });
    await create({ resourceType: 'Observation', status: 'final', code: { text: 'c3' }, subject: { reference: `Patient/${other.id}` } });
    const res = await get(`/fhir/Patient/${p.id}/Observation`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      matches(res.body)
        .map((e) => e.resource.id)
        .sort(),
      [bySubject.id, byPerformer.id].sort(),
    );
    assert.equal(linkOf(res.body, 'self'), `http://fhir.test/fhir/Patient/${p.id}/Observation`);
    const narrowed = await get(`/fhir/Patient/${p.id}/Observation?_id=${byPerformer.id}`);
    assert.deepEqual(
      matches(narrowed.body).map((e) => e.resource.id),
      [byPerformer.id],
    );
    const outside = await get(`/fhir/Patient/${p.id}/Organization`);
    assert.equal(matches(outside.body).length, 0);
  });
});
