import assert from 'node:assert/strict';
import { formatScope, parseScope, parseScopes, type ResourceScope } from './scopes.ts';

function resource(text: string): ResourceScope {
  const parsed = parseScope(text);
  assert.equal(parsed.kind, 'resource', `${text}: ${parsed.kind === 'ignored' ? parsed.reason : parsed.kind}`);
  return parsed as ResourceScope;
}

const letters = (s: ResourceScope) => [...s.interactions].sort().join('');

function ignoredReason(text: string): string {
  const parsed = parseScope(text);
  assert.equal(parsed.kind, 'ignored', text);
  return parsed.kind === 'ignored' ? parsed.reason : '';
}

describe('SMART scopes (server/access/scopes.ts)', () => {
  it('v1: read = rs, write = cud, * = cruds', () => {
    const read = resource('patient/Observation.read');
    assert.deepEqual([read.context, read.resourceType, letters(read), read.version], ['patient', 'Observation', 'rs', 1]);
    assert.equal(letters(resource('user/*.write')), 'cdu');
    const all = resource('system/*.*');
    assert.deepEqual([all.context, all.resourceType, letters(all)], ['system', '*', 'cdrsu']);
  });

  it('v2: the letters c r u d s in order, any subset', () => {
    assert.equal(letters(resource('patient/Observation.rs')), 'rs');
    assert.equal(letters(resource('user/MedicationRequest.cruds')), 'cdrsu');
    assert.equal(letters(resource('user/Task.u')), 'u');
    assert.equal(resource('user/Task.u').version, 2);
  });

  it('v2 granular: the query is kept as [name, value] pairs, decoded', () => {
    const s = resource('patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory');
    assert.deepEqual(s.query, [['category', 'http://terminology.hl7.org/CodeSystem/observation-category|laboratory']]);
    const two = resource('user/Observation.rs?category=vital-signs&code:not=http%3A%2F%2Floinc.org%7C1234-5');
    assert.deepEqual(two.query, [
      ['category', 'vital-signs'],
      ['code:not', 'http://loinc.org|1234-5'],
    ]);
  });

  it('non-resource scopes are recognised separately', () => {
    for (const text of 'openid fhirUser profile launch launch/patient launch/encounter offline_access online_access'.split(' ')) {
      assert.deepEqual(parseScope(text), { kind: 'non-resource', text });
    }
  });

  it('malformed scopes are ignored with a reason, never widened', () => {
    assert.match(ignoredReason('patient/Observation.sr'), /order/);
    assert.match(ignoredReason('patient/Observation.rr'), /order/);
    assert.match(ignoredReason('patient/Observation.'), /SMART scope/);
    assert.match(ignoredReason('patient/Observation.x'), /order/);
    assert.match(ignoredReason('doctor/Observation.rs'), /SMART scope/);
    assert.match(ignoredReason('patient/*.rs?category=laboratory'), /resource type, not \*/);
    assert.match(ignoredReason('patient/Observationz.rs'), /unknown resource type 'Observationz'/);
    assert.match(ignoredReason('patient/Observation.read?category=laboratory'), /v2/);
    assert.match(ignoredReason('patient/Observation.rs?nosuch=1'), /not a search parameter/);
    assert.match(ignoredReason('patient/Observation.rs?subject.name=x'), /plain search parameter/);
    assert.match(ignoredReason('patient/Observation.rs?_has:Provenance:target:agent=x'), /plain search parameter/);
    assert.match(ignoredReason('patient/Observation.rs?category'), /name=value/);
    assert.match(ignoredReason('patient/Observation.rs?category=%E0'), /name=value/);
    assert.match(ignoredReason('launch/anything'), /SMART scope/);
  });

  it('parseScopes sorts a scope string into its three kinds', () => {
    const parsed = parseScopes('openid  patient/Patient.read bogus\tuser/*.cruds');
    assert.deepEqual(
      parsed.resource.map((s) => s.text),
      ['patient/Patient.read', 'user/*.cruds'],
    );
    assert.deepEqual(
      parsed.nonResource.map((s) => s.text),
      ['openid'],
    );
    assert.deepEqual(
      parsed.ignored.map((s) => s.text),
      ['bogus'],
    );
  });

  it('formatScope writes SMART v2, the query re-encoded where needed', () => {
    assert.equal(formatScope(resource('user/*.write')), 'user/*.cud');
    const s = resource('patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory');
    assert.equal(formatScope(s), s.text);
    assert.equal(formatScope({ ...s, query: [['code', 'a b&c']] }), 'patient/Observation.rs?code=a%20b%26c');
  });
});
