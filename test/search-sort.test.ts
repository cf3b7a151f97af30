/**
 * `_sort` by ordinary search parameters (https://hl7.org/fhir/R4/search.html#sort): several keys, `-` for
 * descending, resources without a value last descending / first ascending, ties broken by id, keyset paging
 * that stays consistent while resources are written between pages.
 */
import assert from 'node:assert/strict';
import { fhirClient } from './support/fhir-client.ts';
import { useTestServer } from './support/in-process-server.ts';

interface Entry {
  resource: { id: string; birthDate?: string; name?: { family: string }[] };
  search: { mode: string };
}

describe('_sort by search parameters (search.html#sort)', () => {
  const { http } = useTestServer();
  const { create } = fhirClient(http);
  async function all(url: string): Promise<Entry[]> {
    const out: Entry[] = [];
    let next: string | undefined = url;
    while (next) {
      const res = await http.get(next.replace('http://fhir.test', ''));
      assert.equal(res.status, 200, res.text);
      out.push(...((res.body.entry ?? []) as Entry[]).filter((e) => e.search.mode === 'match'));
      next = res.body.link.find((l: { relation: string }) => l.relation === 'next')?.url;
      // a write between pages must not shift the remaining pages
      await create({ resourceType: 'Patient', name: [{ family: 'Between' }], birthDate: '1999-01-01' });
    }
    return out;
  }

  it('-birthdate,family pages in order with missing values last, no duplicates and no gaps', async () => {
    const made = [
      { family: 'Sortb', birthDate: '1980-05-01' },
      { family: 'Sorta', birthDate: '1980-05-01' },
      { family: 'Sortc', birthDate: '1990-01-01' },
      { family: 'Sortd' },
      { family: 'Sorte', birthDate: '1970-01-01' },
    ];
    const ids: string[] = [];
    for (const m of made) {
      ids.push(
        (await create({ resourceType: 'Patient', name: [{ family: m.family }], ...(m.birthDate ? { birthDate: m.birthDate } : {}) })).id,
      );
    }
    const entries = await all('/fhir/Patient?family=sort&_sort=-birthdate,family&_count=2');
    assert.deepEqual(
      entries.map((e) => e.resource.name?.[0].family),
      ['Sortc', 'Sorta', 'Sortb', 'Sorte', 'Sortd'],
    );
    const asc = await all('/fhir/Patient?family=sort&_sort=birthdate&_count=2');
    assert.deepEqual(asc.map((e) => e.resource.name?.[0].family)[0], 'Sortd', 'a missing value sorts first ascending');
  });

  it('a token sorts by its code (_sort=gender, -gender), missing codes first ascending and last descending', async () => {
    const made: [string, string | undefined][] = [
      ['Tokb', 'male'],
      ['Toka', 'female'],
      ['Tokc', undefined],
      ['Tokd', 'other'],
    ];
    for (const [family, gender] of made) await create({ resourceType: 'Patient', name: [{ family }], ...(gender ? { gender } : {}) });
    const families = (entries: Entry[]) => entries.map((e) => e.resource.name?.[0].family);
    assert.deepEqual(families(await all('/fhir/Patient?family=tok&_sort=gender&_count=3')), ['Tokc', 'Toka', 'Tokb', 'Tokd']);
    assert.deepEqual(families(await all('/fhir/Patient?family=tok&_sort=-gender&_count=3')), ['Tokd', 'Tokb', 'Toka', 'Tokc']);
  });

  it('an unknown _sort parameter is 400 in strict mode and ignored with an outcome entry in lenient mode', async () => {
    const strict = await http.get('/fhir/Patient?_sort=nope').set('prefer', 'handling=strict');
    assert.equal(strict.status, 400);
    const lenient = await http.get('/fhir/Patient?_sort=nope&_count=1');
    assert.equal(lenient.status, 200);
    assert.ok((lenient.body.entry as Entry[]).some((e) => e.search.mode === 'outcome'));
  });
});
