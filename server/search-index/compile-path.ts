/**
 * Fast path for search value extraction: most R4 SearchParameter expressions are plain element paths
 * (`Patient.name.family`, `(Observation.value as Quantity)`, `Encounter.subject.where(resolve() is Patient)`),
 * which we compile into direct property accessors, about ten times faster than evaluating FHIRPath.
 * Anything else returns undefined and is evaluated by @medplum/core's FHIRPath engine. The test beside this
 * file checks, over every R4 SearchParameter and the official examples, that both give the same values.
 */
import { isJsonObject } from '../fhir-json/fhir-json.ts';

/** Returns the values an expression selects from a resource (arrays flattened, as FHIRPath does). */
export type Accessor = (resource: Record<string, unknown>) => unknown[];

type Step = (values: unknown[]) => unknown[];

/** The FHIR data type names a choice element `x[x]` can carry, as suffixes of its JSON name (`valueQuantity`). */
const CHOICE_SUFFIXES = new Set([
  'Base64Binary',
  'Boolean',
  'Canonical',
  'Code',
  'Date',
  'DateTime',
  'Decimal',
  'Id',
  'Instant',
  'Integer',
  'Markdown',
  'Oid',
  'PositiveInt',
  'String',
  'Time',
  'UnsignedInt',
  'Uri',
  'Url',
  'Uuid',
  'Address',
  'Age',
  'Annotation',
  'Attachment',
  'CodeableConcept',
  'Coding',
  'ContactPoint',
  'Count',
  'Distance',
  'Duration',
  'HumanName',
  'Identifier',
  'Money',
  'Period',
  'Quantity',
  'Range',
  'Ratio',
  'Reference',
  'SampledData',
  'Signature',
  'Timing',
  'ContactDetail',
  'Contributor',
  'DataRequirement',
  'Expression',
  'ParameterDefinition',
  'RelatedArtifact',
  'TriggerDefinition',
  'UsageContext',
  'Dosage',
  'Meta',
]);

const SEGMENT = /^[a-z][A-Za-z0-9]*$/;
const WHERE_RESOLVE = /^where\(resolve\(\) is ([A-Z][A-Za-z]*)\)$/;
const WHERE_EQUALS = /^where\(([a-z][A-Za-z]*)\s*=\s*'([^'\\]*)'\)$/;
const AS_FUNCTION = /^as\(([A-Za-z]+)\)$/;

/** Compiles one union (`a | b`) of paths for one resource type; undefined when any part is not simple. */
export function compileExpression(expression: string, resourceType: string): Accessor | undefined {
  const accessors: Accessor[] = [];
  for (const part of expression.split('|').map((p) => p.trim())) {
    const compiled = compilePath(part, resourceType);
    if (compiled === undefined) return undefined;
    if (compiled !== null) accessors.push(compiled);
  }
  if (accessors.length === 1) return accessors[0];
  return (resource) => accessors.flatMap((a) => a(resource));
}

/** null: the path is for another resource type and selects nothing here. */
function compilePath(path: string, resourceType: string): Accessor | null | undefined {
  let text = path;
  let asType: string | undefined;
  const asOperator = /^\((.+) as ([A-Za-z]+)\)$/.exec(text);
  if (asOperator) {
    text = asOperator[1];
    asType = asOperator[2];
  }
  const parts = splitPath(text);
  if (!parts || parts.length < 2) return undefined;
  const [root, ...rest] = parts;
  if (!/^[A-Z][A-Za-z]*$/.test(root)) return undefined;
  if (root !== resourceType && root !== 'Resource' && root !== 'DomainResource') return null;
  const steps: Step[] = [];
  for (let i = 0; i < rest.length; i++) {
    const part = rest[i];
    const nextAs = rest[i + 1] !== undefined ? AS_FUNCTION.exec(rest[i + 1]) : null;
    if (SEGMENT.test(part)) {
      const typeFromAs = nextAs ? nextAs[1] : i === rest.length - 1 ? asType : undefined;
      steps.push(typeFromAs ? choiceStep(part, typeFromAs) : childStep(part));
      if (nextAs) i++;
      continue;
    }
    const resolve = WHERE_RESOLVE.exec(part);
    if (resolve) {
      steps.push(referenceTypeStep(resolve[1]));
      continue;
    }
    const equals = WHERE_EQUALS.exec(part);
    if (equals) {
      const [, field, literal] = equals;
      steps.push((values) => values.filter((v) => isJsonObject(v) && v[field] === literal));
      continue;
    }
    return undefined;
  }
  return (resource) => steps.reduce((values, step) => step(values), [resource] as unknown[]);
}

/** Splits `A.b.where(x='y.z').c` on the dots outside parentheses and quotes. */
function splitPath(text: string): string[] | undefined {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const c of text) {
    if (c === "'") quoted = !quoted;
    if (!quoted && c === '(') depth++;
    if (!quoted && c === ')') depth--;
    if (c === '.' && depth === 0 && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return depth === 0 && !quoted && parts.every((p) => p.length > 0) ? parts : undefined;
}

function push(out: unknown[], value: unknown): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    for (const v of value) if (v !== undefined && v !== null) out.push(v);
  } else {
    out.push(value);
  }
}

/** `.name`: the element, or, when absent, the choice element `name[x]` whatever its type. */
function childStep(name: string): Step {
  return (values) => {
    const out: unknown[] = [];
    for (const v of values) {
      if (!isJsonObject(v)) continue;
      if (v[name] !== undefined) {
        push(out, v[name]);
        continue;
      }
      // An object has a handful of keys: scanning them beats probing every possible `name[x]` suffix.
      for (const key in v) {
        if (key.length > name.length && key.startsWith(name) && CHOICE_SUFFIXES.has(key.slice(name.length))) push(out, v[key]);
      }
    }
    return out;
  };
}

/** `.name.as(Type)` / `(... .name as Type)`: only the choice element of that type. */
function choiceStep(name: string, type: string): Step {
  const key = name + type[0].toUpperCase() + type.slice(1);
  return (values) => {
    const out: unknown[] = [];
    for (const v of values) if (isJsonObject(v)) push(out, v[key]);
    return out;
  };
}

/** `.where(resolve() is Type)`: references whose target is of that type (relative, absolute or by `type`). */
function referenceTypeStep(type: string): Step {
  const pattern = new RegExp(`(^|/)${type}/[^/]+(/_history/[^/]+)?$`);
  return (values) =>
    values.filter((v) => {
      if (!isJsonObject(v)) return false;
      if (typeof v.reference === 'string') return pattern.test(v.reference);
      return v.type === type;
    });
}
