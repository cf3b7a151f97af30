import assert from 'node:assert/strict';
import { parseFhirJson, stringifyFhirJson, type JsonObject } from '../fhir-json/fhir-json.ts';
import { FhirError } from '../errors/fhir-error.ts';
import { isConditionalReference, referencesOf, rewriteReferences } from './rewrite-references.ts';

describe('rewriteReferences (bundle.html#references)', () => {
  const map = new Map([
    ['urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a', 'Patient/p1'],
    ['Organization?identifier=http://x|1', 'Organization/o1'],
  ]);

  it('rewrites a fullUrl reference everywhere: top level, contained resources and extensions, keeping decimals', () => {
    const resource = parseFhirJson(`{"resourceType":"Observation","status":"final","code":{"text":"x"},
      "valueQuantity":{"value":13.50},
      "subject":{"reference":"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"},
      "contained":[{"resourceType":"Provenance","id":"p","target":[{"reference":"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"}]}],
      "extension":[{"url":"http://e","valueReference":{"reference":"Organization?identifier=http://x|1"}}]}`) as JsonObject;
    const out = rewriteReferences(resource, map, 'Bundle.entry[0].resource');
    assert.deepEqual(referencesOf(out), ['Patient/p1', 'Patient/p1', 'Organization/o1']);
    assert.match(stringifyFhirJson(out), /"value":13.50/);
    assert.equal(referencesOf(resource)[0], 'urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a', 'the input is not changed');
    assert.equal(out.valueQuantity, resource.valueQuantity, 'a part without references is shared, not copied');
  });

  it('answers a copy of the top level even when no reference changes (the caller may set its id)', () => {
    const resource: JsonObject = { resourceType: 'Patient', name: [{ family: 'A' }] };
    const out = rewriteReferences(resource, map, 'Bundle.entry[0].resource');
    assert.notEqual(out, resource);
    assert.deepEqual(out, resource);
  });

  it('leaves ordinary references alone and refuses a placeholder the Bundle does not define, naming its path', () => {
    const ok = rewriteReferences({ resourceType: 'Observation', subject: { reference: 'Patient/9' } }, map, 'Bundle.entry[0].resource');
    assert.deepEqual(referencesOf(ok), ['Patient/9']);
    assert.throws(
      () =>
        rewriteReferences({ resourceType: 'Observation', performer: [{ reference: 'urn:uuid:nope' }] }, map, 'Bundle.entry[3].resource'),
      (err: FhirError) =>
        err.kind === 'invalid' && err.outcome.issue[0].expression?.[0] === 'Bundle.entry[3].resource.performer[0].reference',
    );
  });

  it('tells conditional references from relative and absolute ones', () => {
    assert.equal(isConditionalReference('Patient?identifier=a|b'), true);
    assert.equal(isConditionalReference('Patient/1'), false);
    assert.equal(isConditionalReference('http://x/fhir/Patient?x=1'), false);
  });
});
