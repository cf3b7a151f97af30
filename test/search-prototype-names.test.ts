/**
 * Parameter, `_sort`, `_include` and `_elements` names are looked up among the definitions' own entries: the
 * names of `Object.prototype` members (`constructor`, `toString`, `__proto__`) are unknown names like any other,
 * ignored with an outcome entry by default and 400 with `Prefer: handling=strict` (https://hl7.org/fhir/R4/search.html#errors).
 */
import assert from 'node:assert/strict';
import { assertOutcome, fhirClient, type SearchEntry } from './support/fhir-client.ts';
import { useTestServer } from './support/in-process-server.ts';

const NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];

describe('Object.prototype names in a search (search.html#errors)', () => {
  const { http } = useTestServer();
  const { create } = fhirClient(http);
  let id: string;
  before(async () => {
    id = (await create({ resourceType: 'Patient', name: [{ family: 'ProtoNames' }], gender: 'female' })).id;
  });

  async function lenient(query: string): Promise<{ matches: string[]; outcome: string; self: string }> {
    const res = await http.get(`/fhir/Patient?_id=${id}&${query}`);
    assert.equal(res.status, 200, `${query}: ${res.text}`);
    const entries = res.body.entry as (SearchEntry & { resource: unknown })[];
    const outcome = entries.find((e) => e.search.mode === 'outcome');
    assert.ok(outcome, `${query}: an outcome entry names what was ignored`);
    return {
      matches: entries.filter((e) => e.search.mode === 'match').map((e) => e.resource.id),
      outcome: JSON.stringify(outcome.resource),
      self: res.body.link.find((l: { relation: string }) => l.relation === 'self').url,
    };
  }

  async function strict(query: string, expression: string): Promise<void> {
    const res = await http.get(`/fhir/Patient?_id=${id}&${query}`).set('prefer', 'handling=strict');
    assertOutcome(res, 400, 'not-supported', expression, query);
  }

  it('as a search parameter: ignored as unknown (the search still matches), 400 not-supported in strict mode', async () => {
    for (const name of NAMES) {
      for (const query of [`${name}:missing=false`, `${name}=x`, `${name}:missing=true`]) {
        const { matches, outcome } = await lenient(query);
        assert.deepEqual(matches, [id], query);
        assert.match(outcome, new RegExp(name), query);
        await strict(query, query.split('=')[0]);
      }
    }
  });

  it('as _sort, _include and _elements: ignored as unknown, never 500; 400 in strict mode', async () => {
    for (const name of NAMES) {
      for (const [query, expression] of [
        [`_sort=${name}`, '_sort'],
        [`_sort=-${name}`, '_sort'],
        [`_include=Patient:${name}`, '_include'],
        [`_revinclude=Observation:${name}`, '_revinclude'],
        [`_elements=${name}`, '_elements'],
      ]) {
        const { matches, self } = await lenient(query);
        assert.deepEqual(matches, [id], query);
        assert.doesNotMatch(self, new RegExp(`${name}`), `${query}: the self link leaves the ignored parameter out`);
        await strict(query, expression);
      }
    }
  });

  it('_elements=toString does not subset the resource; a known element still does', async () => {
    const res = await http.get(`/fhir/Patient?_id=${id}&_elements=toString`);
    const patient = (res.body.entry as { resource: Record<string, unknown> }[])[0].resource;
    assert.equal(patient.gender, 'female');
    const subsetted = await http.get(`/fhir/Patient?_id=${id}&_elements=gender`);
    const only = (subsetted.body.entry as { resource: Record<string, unknown> }[])[0].resource;
    assert.equal(only.gender, 'female');
    assert.equal(only.name, undefined);
  });

  it('a system search checks _elements against every type', async () => {
    const known = await http.get(`/fhir?_id=${id}&_elements=gender`).set('prefer', 'handling=strict');
    assert.equal(known.status, 200, known.text);
    const unknown = await http.get(`/fhir?_id=${id}&_elements=constructor`).set('prefer', 'handling=strict');
    assert.equal(unknown.status, 400, unknown.text);
  });

  it('a chain or _has through such a name is unknown too', async () => {
    await strict('general-practitioner.constructor=x', 'general-practitioner.constructor');
    await strict('_has:Observation:constructor:code=x', '_has:Observation:constructor:code');
    await strict('_has:Observation:subject:constructor=x', '_has:Observation:subject:constructor');
  });
});
