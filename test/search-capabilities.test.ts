/**
 * The CapabilityStatement lists every search parameter per type with its type and documentation, and the
 * `_include` / `_revinclude` values (capabilitystatement.html: rest.resource.searchParam, searchInclude).
 */
import assert from 'node:assert/strict';
import { getSearchParameters } from '@medplum/core';
import { useTestServer } from './support/in-process-server.ts';

interface SearchParam {
  name: string;
  type: string;
  documentation?: string;
}

describe('search in the CapabilityStatement (capabilitystatement.html#searchParam)', () => {
  const { http } = useTestServer();

  it('lists every search parameter of each type with type and documentation, and _include/_revinclude values', async () => {
    const res = await http.get('/fhir/metadata');
    const resources = res.body.rest[0].resource as {
      type: string;
      searchParam: SearchParam[];
      searchInclude: string[];
      searchRevInclude: string[];
    }[];
    const patient = resources.find((r) => r.type === 'Patient')!;
    const names = patient.searchParam.map((p) => p.name);
    for (const code of Object.keys(getSearchParameters('Patient')!)) assert.ok(names.includes(code), code);
    const birthdate = patient.searchParam.find((p) => p.name === 'birthdate')!;
    assert.equal(birthdate.type, 'date');
    assert.ok(birthdate.documentation);
    assert.ok(patient.searchInclude.includes('Patient:organization'));
    assert.ok(patient.searchRevInclude.includes('Observation:subject'));
    const observation = resources.find((r) => r.type === 'Observation')!;
    assert.ok(observation.searchParam.some((p) => p.name === 'code' && p.type === 'token'));
    assert.ok(res.body.rest[0].interaction.some((i: { code: string }) => i.code === 'search-system'));
  });

  it('lists composite parameters (search.html#composite), _list and Location near, and no special parameter it cannot search', async () => {
    const res = await http.get('/fhir/metadata');
    const resources = res.body.rest[0].resource as { type: string; searchParam: SearchParam[] }[];
    const params = (type: string) => resources.find((r) => r.type === type)!.searchParam;
    const observation = params('Observation');
    for (const code of [
      'code-value-quantity',
      'component-code-value-quantity',
      'combo-code-value-concept',
      'code-value-date',
      'code-value-string',
    ]) {
      assert.equal(observation.filter((p) => p.name === code && p.type === 'composite').length, 1, code);
    }
    assert.ok(observation.some((p) => p.name === '_list'));
    assert.ok(params('Location').some((p) => p.name === 'near' && p.type === 'special'));
    // R4's other special parameters (e.g. Bundle composition/message) are not searchable here: not listed.
    const specials = resources.flatMap((r) =>
      r.searchParam.filter((p) => p.type === 'special' && p.name !== '_list').map((p) => `${r.type}.${p.name}`),
    );
    assert.deepEqual(specials, ['Location.near']);
  });
});
