import assert from 'node:assert/strict';
import type { CodeSystem, ValueSet } from '@medplum/fhirtypes';
import { FhirError } from '../errors/fhir-error.ts';
import { definitionCodeSystem, definitionValueSet } from './definition-terminology.ts';
import { expandValueSet, type TerminologySource } from './expand-value-set.ts';

/** A source of the given resources, falling back to the R4 definitions. */
function sourceOf(...resources: (ValueSet | CodeSystem)[]): TerminologySource {
  const find = <T extends ValueSet | CodeSystem>(type: string, url: string) =>
    resources.find((r) => r.resourceType === type && (r.url === url || `${r.url}|${r.version}` === url)) as T | undefined;
  return {
    valueSet: async (url) => find<ValueSet>('ValueSet', url) ?? definitionValueSet(url),
    codeSystem: async (url) => find<CodeSystem>('CodeSystem', url) ?? definitionCodeSystem(url),
  };
}

const codesOf = async (url: string, source: TerminologySource, limit?: number) =>
  (await expandValueSet(url, source, 'code', limit)).map((c) => `${c.system}|${c.code}`).sort();

const rejectsAs = (p: Promise<unknown>, code: string) =>
  assert.rejects(
    p,
    (err: FhirError) => err.kind === (code === 'too-costly' ? 'too-costly' : 'invalid') && err.outcome.issue?.[0]?.code === code,
  );

describe('ValueSet expansion for :in / :not-in (https://hl7.org/fhir/R4/search.html#modifiers, valueset.html#compose)', () => {
  it('an R4 ValueSet including a whole R4 code system: every concept of that code system', async () => {
    assert.deepEqual(await codesOf('http://hl7.org/fhir/ValueSet/administrative-gender', sourceOf()), [
      'http://hl7.org/fhir/administrative-gender|female',
      'http://hl7.org/fhir/administrative-gender|male',
      'http://hl7.org/fhir/administrative-gender|other',
      'http://hl7.org/fhir/administrative-gender|unknown',
    ]);
  });

  it('enumerated concepts, minus compose.exclude; a canonical with |version', async () => {
    const vs: ValueSet = {
      resourceType: 'ValueSet',
      url: 'http://example.org/vs/bp',
      version: '2',
      status: 'active',
      compose: {
        include: [{ system: 'http://loinc.org', concept: [{ code: '8480-6' }, { code: '8462-4' }, { code: '85354-9' }] }],
        exclude: [{ system: 'http://loinc.org', concept: [{ code: '85354-9' }] }],
      },
    };
    assert.deepEqual(await codesOf('http://example.org/vs/bp|2', sourceOf(vs)), ['http://loinc.org|8462-4', 'http://loinc.org|8480-6']);
  });

  it('expansion.contains (nested, abstract entries skipped) when the ValueSet carries one', async () => {
    const vs: ValueSet = {
      resourceType: 'ValueSet',
      url: 'http://example.org/vs/expanded',
      status: 'active',
      expansion: {
        timestamp: '2024-01-01T00:00:00Z',
        contains: [
          {
            system: 'http://x',
            code: 'group',
            abstract: true,
            contains: [
              { system: 'http://x', code: 'a' },
              { system: 'http://x', code: 'b' },
            ],
          },
        ],
      },
    };
    assert.deepEqual(await codesOf('http://example.org/vs/expanded', sourceOf(vs)), ['http://x|a', 'http://x|b']);
  });

  it('a whole code system stored here, and an include of another value set (intersection with the system)', async () => {
    const cs: CodeSystem = {
      resourceType: 'CodeSystem',
      url: 'http://example.org/cs',
      status: 'active',
      content: 'complete',
      concept: [{ code: 'a', concept: [{ code: 'a1' }] }, { code: 'b' }],
    };
    const all: ValueSet = {
      resourceType: 'ValueSet',
      url: 'http://example.org/vs/all',
      status: 'active',
      compose: { include: [{ system: 'http://example.org/cs' }] },
    };
    const some: ValueSet = {
      resourceType: 'ValueSet',
      url: 'http://example.org/vs/some',
      status: 'active',
      compose: {
        include: [{ valueSet: ['http://example.org/vs/all'], system: 'http://example.org/cs', concept: [{ code: 'a1' }, { code: 'zz' }] }],
      },
    };
    const source = sourceOf(cs, all, some);
    assert.deepEqual(await codesOf('http://example.org/vs/all', source), [
      'http://example.org/cs|a',
      'http://example.org/cs|a1',
      'http://example.org/cs|b',
    ]);
    assert.deepEqual(await codesOf('http://example.org/vs/some', source), ['http://example.org/cs|a1']);
  });

  it('an unknown ValueSet, an unknown code system or a compose filter is 400 (cannot be expanded here)', async () => {
    await rejectsAs(codesOf('http://example.org/vs/none', sourceOf()), 'invalid');
    const unknownSystem: ValueSet = {
      resourceType: 'ValueSet',
      url: 'http://example.org/vs/u',
      status: 'active',
      compose: { include: [{ system: 'http://snomed.info/sct' }] },
    };
    await rejectsAs(codesOf('http://example.org/vs/u', sourceOf(unknownSystem)), 'invalid');
    const filtered: ValueSet = {
      resourceType: 'ValueSet',
      url: 'http://example.org/vs/f',
      status: 'active',
      compose: { include: [{ system: 'http://snomed.info/sct', filter: [{ property: 'concept', op: 'is-a', value: '404684003' }] }] },
    };
    await rejectsAs(codesOf('http://example.org/vs/f', sourceOf(filtered)), 'invalid');
  });

  it('more codes than the limit is 400 too-costly', async () => {
    await rejectsAs(codesOf('http://hl7.org/fhir/ValueSet/administrative-gender', sourceOf(), 3), 'too-costly');
  });
});
