import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { isResourceType, knownProfile, loadDefinitions } from './definitions.ts';
import { fastPassAccepts, medplumIssues } from './structure.ts';
import { validateResource, type ValidationFailure } from './validate.ts';

const FHIRLINE_PATIENT = 'http://fhirline.org/fhir/StructureDefinition/fhirline-patient';

function only(failure: ValidationFailure | undefined): OperationOutcomeIssue {
  assert.ok(failure, 'expected a validation failure');
  assert.equal(failure.outcome.issue?.length, 1, JSON.stringify(failure.outcome.issue));
  return failure.outcome.issue[0];
}

function expectIssue(
  resource: unknown,
  kind: 'invalid' | 'unprocessable',
  expected: { code: string; expression: string; diagnostics: string },
): void {
  const failure = validateResource(resource);
  assert.equal(failure?.kind, kind, JSON.stringify(failure?.outcome));
  assert.deepEqual(only(failure), { severity: 'error', ...expected, expression: [expected.expression] });
}

describe('validateResource', function () {
  this.timeout(60_000);

  before(() => {
    loadDefinitions();
    validateResource({ resourceType: 'Patient' }); // compiles the schema (a few seconds)
  });

  it('accepts a typical Patient, decimals included', () => {
    assert.equal(
      validateResource({
        resourceType: 'Patient',
        identifier: [{ system: 'urn:oid:1.2.36.146.595.217.0.1', value: '12345' }],
        name: [{ family: 'Chalmers', given: ['Peter', 'James'] }],
        telecom: [{ system: 'phone', value: '(03) 5555 6473', use: 'work' }],
        gender: 'male',
        birthDate: '1974-12-25',
        address: [{ line: ['534 Erewhon St'], city: 'PleasantVille', postalCode: '3999' }],
      }),
      undefined,
    );
    assert.equal(
      validateResource({
        resourceType: 'Observation',
        status: 'final',
        code: { text: 'weight' },
        valueQuantity: { value: 72.35, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
        component: [{ code: { text: 'x' }, valueQuantity: { value: 1e-3 } }],
      }),
      undefined,
    );
  });

  it('rejects an unknown element with 400 at the element', () => {
    expectIssue({ resourceType: 'Patient', foo: 'bar' }, 'invalid', {
      code: 'structure',
      expression: 'Patient.foo',
      diagnostics: "Unknown element 'foo'",
    });
  });

  it('rejects a nested unknown element with 400 at the element', () => {
    expectIssue({ resourceType: 'Patient', name: [{ family: 'x', foo: 1 }] }, 'invalid', {
      code: 'structure',
      expression: 'Patient.name[0].foo',
      diagnostics: "Unknown element 'foo'",
    });
  });

  it('rejects Medplum additions to R4 (Meta.project) as unknown', () => {
    expectIssue({ resourceType: 'Patient', meta: { project: 'p1' } }, 'invalid', {
      code: 'structure',
      expression: 'Patient.meta.project',
      diagnostics: "Unknown element 'project'",
    });
  });

  it('rejects a wrong JSON type with 400', () => {
    expectIssue({ resourceType: 'Patient', active: 'yes' }, 'invalid', {
      code: 'structure',
      expression: 'Patient.active',
      diagnostics: 'Element \'active\' must be a boolean (true or false), found a string ("yes")',
    });
    expectIssue({ resourceType: 'Patient', name: { family: 'x' } }, 'invalid', {
      code: 'structure',
      expression: 'Patient.name',
      diagnostics: "Element 'name' must be an array (repeating elements are JSON arrays), found an object",
    });
  });

  it('rejects bad values with 400', () => {
    expectIssue({ resourceType: 'Patient', birthDate: '2020-13-45' }, 'invalid', {
      code: 'value',
      expression: 'Patient.birthDate',
      diagnostics: 'Invalid date value "2020-13-45" for \'birthDate\'',
    });
    expectIssue({ resourceType: 'Patient', gender: 'robot' }, 'invalid', {
      code: 'value',
      expression: 'Patient.gender',
      diagnostics: 'Invalid code "robot" for \'gender\': expected one of male, female, other, unknown',
    });
    expectIssue({ resourceType: 'Patient', multipleBirthInteger: 1.5 }, 'invalid', {
      code: 'value',
      expression: 'Patient.multipleBirth.ofType(integer)',
      diagnostics: "Element 'multipleBirth': Expected number to be an integer",
    });
    expectIssue({ resourceType: 'Patient', deceasedDateTime: '2020-01-01T10:00' }, 'invalid', {
      code: 'value',
      expression: 'Patient.deceased.ofType(dateTime)',
      diagnostics: 'Invalid dateTime value "2020-01-01T10:00" for \'deceasedDateTime\'',
    });
  });

  it('rejects missing required elements with 400, each at its place', () => {
    const failure = validateResource({ resourceType: 'Observation' });
    assert.equal(failure?.kind, 'invalid');
    assert.deepEqual(failure?.outcome.issue, [
      { severity: 'error', code: 'required', diagnostics: "Missing required element 'code'", expression: ['Observation.code'] },
      { severity: 'error', code: 'required', diagnostics: "Missing required element 'status'", expression: ['Observation.status'] },
    ]);
    expectIssue({ resourceType: 'Observation', code: { text: 'x' } }, 'invalid', {
      code: 'required',
      expression: 'Observation.status',
      diagnostics: "Missing required element 'status'",
    });
  });

  it('reports the errors of a contained resource at their place', () => {
    const failure = validateResource({
      resourceType: 'Patient',
      contained: [{ resourceType: 'Observation', status: 'final', foo: 1 }],
    });
    assert.equal(failure?.kind, 'invalid');
    assert.deepEqual(
      failure?.outcome.issue?.map((i) => i.expression?.[0]),
      ['Patient.contained[0].code', 'Patient.contained[0].foo'],
    );
    expectIssue({ resourceType: 'Patient', contained: [{ resourceType: 'Foo' }] }, 'invalid', {
      code: 'value',
      expression: 'Patient.contained[0].resourceType',
      diagnostics: 'Unknown resource type "Foo"',
    });
  });

  it('rejects an invariant violation with 400', () => {
    expectIssue({ resourceType: 'Patient', contact: [{ extension: [{ url: 'http://example.org/x', valueString: 'x' }] }] }, 'invalid', {
      code: 'invariant',
      expression: 'Patient.contact[0]',
      diagnostics: "Constraint pat-1 not met: SHALL at least contain a contact's details or a reference to an organization",
    });
  });

  it('rejects an unknown, non-R4 or missing resourceType, and what is not an object', () => {
    for (const type of ['Foo', 'Project', 'SubscriptionStatus', 'DomainResource']) {
      expectIssue({ resourceType: type }, 'invalid', {
        code: 'not-supported',
        expression: 'resourceType',
        diagnostics: `Unknown resource type '${type}'`,
      });
    }
    expectIssue({ id: 'x' }, 'invalid', { code: 'required', expression: 'resourceType', diagnostics: "Missing 'resourceType'" });
    expectIssue([], 'invalid', { code: 'structure', expression: '$this', diagnostics: 'A resource must be a JSON object' });
  });

  it('allows null in a primitive array where the _ array carries the extension', () => {
    const ext = { extension: [{ url: 'http://example.org/x', valueString: 'y' }] };
    assert.equal(validateResource({ resourceType: 'Patient', name: [{ given: ['a', null], _given: [null, ext] }] }), undefined);
    expectIssue({ resourceType: 'Patient', name: [{ given: ['a', null] }] }, 'invalid', {
      code: 'structure',
      expression: 'Patient.name[0].given[1]',
      diagnostics: "Element 'given' must be a string, found null",
    });
  });

  describe('profiles', () => {
    it('loads the project profile', () => {
      const sd = knownProfile(FHIRLINE_PATIENT);
      assert.equal(sd?.type, 'Patient');
      assert.equal(sd?.snapshot?.element?.find((e) => e.path === 'Patient.identifier')?.min, 1);
    });

    it('rejects a resource that does not conform to a profile it claims with 422', () => {
      expectIssue({ resourceType: 'Patient', meta: { profile: [FHIRLINE_PATIENT] }, birthDate: '1970-01-01' }, 'unprocessable', {
        code: 'required',
        expression: 'Patient.identifier',
        diagnostics: "Missing required element 'identifier'",
      });
    });

    it('accepts a resource that conforms (versioned canonical too)', () => {
      const patient = { identifier: [{ system: 'urn:x', value: '1' }], birthDate: '1970-01-01' };
      assert.equal(validateResource({ resourceType: 'Patient', meta: { profile: [FHIRLINE_PATIENT] }, ...patient }), undefined);
      assert.equal(validateResource({ resourceType: 'Patient', meta: { profile: [FHIRLINE_PATIENT + '|0.1.0'] }, ...patient }), undefined);
    });

    it('ignores unknown profiles; rejects a profile for another type with 422', () => {
      assert.equal(validateResource({ resourceType: 'Patient', meta: { profile: ['http://example.org/unknown'] } }), undefined);
      assert.equal(
        validateResource({ resourceType: 'Patient', meta: { profile: ['http://hl7.org/fhir/StructureDefinition/Patient'] } }),
        undefined,
      );
      expectIssue(
        { resourceType: 'Patient', meta: { profile: ['http://hl7.org/fhir/StructureDefinition/Observation'] } },
        'unprocessable',
        {
          code: 'processing',
          expression: 'Patient.meta.profile[0]',
          diagnostics: 'Profile http://hl7.org/fhir/StructureDefinition/Observation is for Observation, not Patient',
        },
      );
    });
  });
});

// ---------------------------------------------------------------------------
// The official R4 examples

const EXAMPLES = dirname(createRequire(import.meta.url).resolve('hl7.fhir.r4.examples/package.json'));

/**
 * Official examples that are not valid R4, each with the issue that shows it
 * (expression and code of the first issue). Every other example must pass.
 */
const INVALID_EXAMPLES: Record<string, { expression: string; code: string; why: string }> = {
  'Bundle-dataelements.json': {
    expression: 'Bundle',
    code: 'invariant',
    why: 'bdl-7: several entries share a fullUrl (e.g. .../de-Quantity.value three times) with no meta.versionId',
  },
  'ImplementationGuide-fhir.json': {
    expression: 'ImplementationGuide.name',
    code: 'required',
    why: 'name and status are 1..1 and absent',
  },
  'ig-r4.json': {
    expression: 'ImplementationGuide.name',
    code: 'required',
    why: 'name and status are 1..1 and absent (same guide as ImplementationGuide-fhir.json)',
  },
  'Questionnaire-qs1.json': {
    expression: 'Questionnaire.item[0].item[0].linkId',
    code: 'required',
    why: 'nested items have no linkId (1..1)',
  },
  'SearchParameter-questionnaireresponse-extensions-QuestionnaireResponse-item-subject.json': {
    expression: 'SearchParameter.id',
    code: 'value',
    why: 'the id has 67 characters; an id has at most 64',
  },
  ...Object.fromEntries(
    ['codesystem-extensions-CodeSystem', 'valueset-extensions-ValueSet'].flatMap((prefix) =>
      ['author', 'effective', 'end', 'keyword', 'workflow'].map((name) => [
        `SearchParameter-${prefix}-${name}.json`,
        { expression: 'SearchParameter.base', code: 'required', why: 'base is 1..* and absent' },
      ]),
    ),
  ),
  ...Object.fromEntries(
    ['Definition', 'Event', 'FiveWs', 'Request'].map((name) => [
      `StructureDefinition-${name}.json`,
      {
        expression: 'StructureDefinition',
        code: 'invariant',
        why: 'sdf-4: a logical model that is not abstract and has no baseDefinition',
      },
    ]),
  ),
};

function exampleFiles(): string[] {
  return readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.json') && f !== 'package.json' && !f.startsWith('.'))
    .sort();
}

function readExample(file: string): Resource {
  return JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')) as Resource;
}

describe('official FHIR R4 examples (hl7.fhir.r4.examples 4.0.1)', function () {
  this.timeout(600_000);

  before(() => loadDefinitions());

  it('every official example passes, but for the invalid ones listed, which fail for their reason', () => {
    const files = exampleFiles();
    assert.ok(files.length > 5000, `only ${files.length} examples found`);
    const unexpected: string[] = [];
    for (const file of files) {
      const resource = readExample(file);
      assert.ok(isResourceType(resource.resourceType), `${file}: ${resource.resourceType}`);
      const failure = validateResource(resource);
      const known = INVALID_EXAMPLES[file];
      if (!known) {
        if (failure) {
          unexpected.push(`${file}: ${failure.kind} ${JSON.stringify(failure.outcome.issue?.slice(0, 3))}`);
        }
        continue;
      }
      const first = failure?.outcome.issue?.[0];
      if (failure?.kind !== 'invalid' || first?.expression?.[0] !== known.expression || first.code !== known.code) {
        unexpected.push(`${file}: expected to fail at ${known.expression} (${known.why}), got ${JSON.stringify(failure)}`);
      }
    }
    assert.deepEqual(unexpected, []);
  });

  it('valid examples are accepted by the fast pass (Medplum is not needed for them)', () => {
    const slow: string[] = [];
    for (const file of exampleFiles()) {
      if (INVALID_EXAMPLES[file]) {
        continue;
      }
      if (!fastPassAccepts(readExample(file))) {
        slow.push(file);
      }
    }
    assert.deepEqual(slow, []);
  });

  it('the fast pass never accepts what Medplum rejects (mutated examples)', () => {
    // Small examples, each changed at random places in ways that break rules;
    // whenever the fast pass calls the result valid, Medplum must agree.
    let seed = 42;
    const random = (): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
    type Slot = { owner: Record<string, unknown> | unknown[]; key: string | number };
    const slots = (value: unknown, out: Slot[] = []): Slot[] => {
      if (Array.isArray(value)) {
        value.forEach((v, i) => {
          out.push({ owner: value, key: i });
          slots(v, out);
        });
      } else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) {
          if (k !== 'resourceType') {
            out.push({ owner: value as Record<string, unknown>, key: k });
            slots(v, out);
          }
        }
      }
      return out;
    };
    const mutations: ((old: unknown) => unknown)[] = [
      () => undefined, // delete
      () => null,
      () => '',
      () => ' \t ',
      () => '\u00a0',
      () => ({}),
      () => [],
      () => 1.5,
      () => -1,
      () => 0,
      () => 'a  b ',
      (old) => [old],
      (old) => (Array.isArray(old) ? old[0] : old),
      (old) => (typeof old === 'number' ? String(old) : old),
      (old) => (typeof old === 'string' ? old + '\u0001' : old),
    ];
    let checked = 0;
    let accepted = 0;
    const wrong: string[] = [];
    const files = exampleFiles().filter((f) => !f.startsWith('Bundle-') && readFileSync(join(EXAMPLES, f)).length < 6000);
    for (let n = 0; n < 3000; n++) {
      const file = pick(files);
      const resource = readExample(file);
      const places = slots(resource);
      if (places.length === 0) {
        continue;
      }
      const { owner, key } = pick(places);
      const old = (owner as Record<string | number, unknown>)[key];
      const next = pick(mutations)(old);
      if (next === undefined && !Array.isArray(owner)) {
        delete (owner as Record<string, unknown>)[key as string];
      } else {
        (owner as Record<string | number, unknown>)[key] = next;
      }
      checked++;
      if (fastPassAccepts(resource)) {
        accepted++;
        const issues = medplumIssues(resource);
        if (issues.length > 0) {
          wrong.push(`${file} ${String(key)}=${JSON.stringify(next)}: ${JSON.stringify(issues[0])}`);
        }
      }
    }
    assert.ok(checked > 2500 && accepted > 300, `checked ${checked}, accepted ${accepted}`);
    assert.deepEqual(wrong, []);
  });
});
