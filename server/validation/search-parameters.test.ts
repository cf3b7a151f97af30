import assert from 'node:assert/strict';
import { getSearchParameter } from '@medplum/core';
import type { Bundle, SearchParameter } from '@medplum/fhirtypes';
import { isResourceType, loadDefinitions } from './definitions.ts';
import { checkSearchParameter, searchParametersOf } from './search-parameters.ts';

const valid: SearchParameter = {
  resourceType: 'SearchParameter',
  url: 'http://example.org/SearchParameter/encounter-ward',
  name: 'ward',
  status: 'active',
  description: 'The ward of an encounter',
  code: 'ward',
  base: ['Encounter'],
  type: 'token',
  expression: "Encounter.extension.where(url='http://example.org/ward').value",
};

function check(changes: Record<string, unknown>): void {
  checkSearchParameter({ ...valid, ...changes } as SearchParameter, 'profiles/x.json', isResourceType);
}

describe('custom SearchParameters in profiles/ (searchparameter.html)', () => {
  before(() => loadDefinitions());

  it('the project parameters in profiles/ are indexed beside R4 ones', () => {
    assert.equal(getSearchParameter('Patient', 'mothers-maiden-name')?.type, 'string');
    assert.equal(getSearchParameter('Patient', 'interpreter-required')?.type, 'token');
    assert.equal(
      getSearchParameter('Patient', 'family')?.url,
      'http://hl7.org/fhir/SearchParameter/individual-family',
      'R4 parameters stay',
    );
  });

  it('a well-formed parameter passes', () => {
    assert.doesNotThrow(() => check({}));
  });

  it('url, name, description and code are required (SearchParameter cardinality 1..1), naming the file', () => {
    for (const element of ['url', 'name', 'description', 'code']) {
      assert.throws(
        () => check({ [element]: undefined }),
        new RegExp(`^Error: profiles/x\\.json: SearchParameter.* ${element}: is required`),
      );
    }
  });

  it('status and type must be codes of their value sets', () => {
    assert.throws(() => check({ status: 'live' }), /status: must be one of/);
    assert.throws(() => check({ type: 'text' }), /type: must be one of/);
  });

  it('base and target must be R4 resource types', () => {
    assert.throws(() => check({ base: [] }), /base: needs at least one/);
    assert.throws(() => check({ base: ['Encounterr'] }), /'Encounterr' is not an R4 resource type/);
    assert.throws(() => check({ type: 'reference', target: ['Ward'] }), /target: 'Ward'/);
  });

  it('an expression is required for every non-composite type and must parse as FHIRPath', () => {
    assert.throws(() => check({ expression: undefined }), /expression: is required/);
    assert.throws(() => check({ expression: 'Encounter.where(' }), /expression: is not valid FHIRPath/);
    assert.throws(() => check({ type: 'composite', expression: undefined }), /component: a composite parameter needs/);
    assert.doesNotThrow(() =>
      check({
        type: 'composite',
        expression: 'Encounter',
        component: [{ definition: 'http://hl7.org/fhir/SearchParameter/clinical-type', expression: 'type' }],
      }),
    );
  });

  it('a code may not be reserved (_), chain (.), modify (:) or break stored keys (|)', () => {
    for (const code of ['_ward', 'ward.name', 'ward:exact', 'a|b', '']) assert.throws(() => check({ code }), /code: /, code);
  });

  it('a code that an R4 parameter of the same base has is an error unless it is the same url', () => {
    assert.throws(
      () => check({ code: 'status' }),
      /code: clashes with http:\/\/hl7.org\/fhir\/SearchParameter\/Encounter-status on Encounter/,
    );
    assert.doesNotThrow(() => check({ code: 'status', url: 'http://hl7.org/fhir/SearchParameter/Encounter-status' }));
    assert.doesNotThrow(() => check({ code: 'status', base: ['Basic'] }), 'the same code on another base is fine');
  });

  it('a file holds a SearchParameter or a Bundle of them, nothing else', () => {
    assert.deepEqual(searchParametersOf(valid, 'f'), [valid]);
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ resource: valid }, { resource: { ...valid, code: 'ward2' } }],
    };
    assert.equal(searchParametersOf(bundle, 'f').length, 2);
    assert.throws(
      () =>
        searchParametersOf({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Basic', code: {} } }] }, 'f'),
      /^Error: f: Bundle.entry\[0\].resource must be a SearchParameter/,
    );
    assert.throws(() => searchParametersOf({ resourceType: 'Basic', code: {} }, 'f'), /expected a SearchParameter or a Bundle/);
  });
});
