/**
 * Composite search values (https://hl7.org/fhir/R4/search.html#composite): "the parameters of a composite
 * must match within the same element", so each element the composite's expression selects (the Observation
 * itself for `code-value-quantity`, each Observation.component for `component-code-value-quantity`) becomes one
 * tuple holding the values of every component, each component evaluated relative to that element and stored
 * under its own parameter code (the SearchParameter its `component.definition` names).
 */
import { evalFhirPathTyped, getSearchParameters, parseFhirPath, toTypedValue, type TypedValue } from '@medplum/core';
import type { Resource, SearchParameter } from '@medplum/fhirtypes';
import type { CompositeTuple, SearchValues } from '../store/documents.ts';
import { compileExpression, type Accessor } from './compile-path.ts';

type FhirPath = ReturnType<typeof parseFhirPath>;

export interface CompiledComponent {
  code: string;
  type: SearchParameter['type'];
  /** The component's expression relative to the element, as a direct accessor when it is a simple path. */
  accessor?: Accessor;
  expression: FhirPath;
}

export interface CompiledComposite {
  code: string;
  /** Selects the elements from the resource; undefined when the composite needs FHIRPath. */
  accessor?: Accessor;
  expression: FhirPath;
  components: CompiledComponent[];
}

/**
 * The SearchParameters a composite's components point at (`component.definition`, a canonical URL), among the
 * parameters of the type; undefined when one is unknown (such a composite is neither extracted nor searchable).
 */
export function compositeComponents(resourceType: string, composite: SearchParameter): SearchParameter[] | undefined {
  const params = Object.values(getSearchParameters(resourceType) ?? {});
  const out: SearchParameter[] = [];
  for (const component of composite.component ?? []) {
    const definition = params.find((p) => p.url === component.definition);
    if (!definition || definition.type === 'composite' || definition.type === 'special') return undefined;
    out.push(definition);
  }
  return out.length > 0 ? out : undefined;
}

/** Explicit cache: the composites of each type, compiled once. */
const compiled = new Map<string, CompiledComposite[]>();

export function clearCompositeCache(): void {
  compiled.clear();
}

/** A path relative to an element (`code`, `value.as(Quantity)`) as an accessor on that element's JSON. */
function relativeAccessor(expression: string): Accessor | undefined {
  if (expression.includes('%')) return undefined;
  const rooted = expression.split('|').map((part) => `Element.${part.trim()}`);
  return compileExpression(rooted.join(' | '), 'Element');
}

/** The composite's own expression: `Observation` (the resource), `Observation.component`, or unions of those. */
function elementAccessor(expression: string, resourceType: string): Accessor | undefined {
  const parts: Accessor[] = [];
  for (const part of expression.split('|').map((p) => p.trim())) {
    if (part === resourceType) {
      parts.push((resource) => [resource]);
      continue;
    }
    if (/^[A-Z][A-Za-z]*$/.test(part)) continue; // another resource type
    const accessor = compileExpression(part, resourceType);
    if (!accessor) return undefined;
    parts.push(accessor);
  }
  return (resource) => parts.flatMap((a) => a(resource));
}

const PRIMITIVES = new Set([
  'boolean',
  'integer',
  'string',
  'decimal',
  'uri',
  'url',
  'canonical',
  'base64Binary',
  'instant',
  'date',
  'dateTime',
  'time',
  'code',
  'oid',
  'id',
  'markdown',
  'unsignedInt',
  'positiveInt',
  'uuid',
]);

/**
 * `value.as(Quantity)` -> `(value as Quantity)`: the same selection in FHIRPath, but @medplum/core's `as()`
 * function lets any type through on a backbone element (a Quantity "as CodeableConcept"); its operator does not.
 * R4's components also write primitive types capitalised (`value.as(DateTime)`): FHIRPath names them `dateTime`.
 */
export function asOperator(expression: string): string {
  return expression
    .split('|')
    .map((part) =>
      part.trim().replace(/^([A-Za-z.%]+)\.as\(([A-Za-z]+)\)$/, (_, path: string, type: string) => {
        const primitive = type[0].toLowerCase() + type.slice(1);
        return `(${path} as ${PRIMITIVES.has(primitive) ? primitive : type})`;
      }),
    )
    .join(' | ');
}

export function compositeParametersOf(resourceType: string): CompiledComposite[] {
  let list = compiled.get(resourceType);
  if (!list) {
    list = [];
    for (const [code, param] of Object.entries(getSearchParameters(resourceType) ?? {})) {
      if (param.type !== 'composite' || !param.expression) continue;
      const definitions = compositeComponents(resourceType, param);
      if (!definitions) continue;
      const components = (param.component ?? []).map((c, i) => ({
        code: definitions[i].code as string,
        type: definitions[i].type,
        accessor: relativeAccessor(c.expression),
        expression: parseFhirPath(asOperator(c.expression)),
      }));
      const accessor = components.every((c) => c.accessor) ? elementAccessor(param.expression, resourceType) : undefined;
      list.push({ code, accessor, expression: parseFhirPath(param.expression), components });
    }
    compiled.set(resourceType, list);
  }
  return list;
}

/** Stores the values one component selects into a tuple (extract.ts, with the component's type and code). */
export type AddComponentValues = (tuple: SearchValues, component: CompiledComponent, values: TypedValue[]) => void;

const TUPLE_FIELDS = ['tok', 'ref', 'str', 'strx', 'dt', 'num', 'uri'] as const;

/**
 * One tuple per selected element whose every component has a value (an element missing a component cannot
 * match any composite search value, which always names every component). `fhirPathOnly` skips the fast path.
 */
export function compositeTuples(
  resource: Resource,
  composite: CompiledComposite,
  empty: () => SearchValues,
  add: AddComponentValues,
  fhirPathOnly = false,
): CompositeTuple[] {
  const tuples: CompositeTuple[] = [];
  const seen = new Set<string>();
  // Elements are raw JSON on the fast path (every component then has an accessor), typed values otherwise.
  const fast = composite.accessor !== undefined && !fhirPathOnly;
  for (const element of selectElements(resource, composite, fast)) {
    const values = empty();
    let complete = true;
    for (const component of composite.components) {
      const selected = selectComponent(resource, element, component, fast);
      const before = countValues(values);
      add(values, component, selected);
      if (countValues(values) === before) {
        complete = false;
        break;
      }
    }
    if (!complete) continue;
    const tuple: Record<string, unknown> = { p: composite.code };
    for (const field of TUPLE_FIELDS) {
      const list = values[field] as unknown[] | undefined;
      if (list && list.length > 0) tuple[field] = field === 'dt' || field === 'num' ? list : [...new Set(list)];
    }
    const key = JSON.stringify(tuple);
    if (!seen.has(key)) {
      seen.add(key);
      tuples.push(tuple as unknown as CompositeTuple);
    }
  }
  return tuples;
}

function countValues(values: SearchValues): number {
  return TUPLE_FIELDS.reduce((n, f) => n + (values[f]?.length ?? 0), 0);
}

/** Fast path: raw JSON elements; FHIRPath: typed values (the type tells `value.as(Quantity)` what `value` is). */
function selectElements(resource: Resource, composite: CompiledComposite, fast: boolean): (TypedValue | Record<string, unknown>)[] {
  if (fast) return composite.accessor!(resource as unknown as Record<string, unknown>) as Record<string, unknown>[];
  try {
    return evalFhirPathTyped(composite.expression, [toTypedValue(resource)], { '%resource': toTypedValue(resource) });
  } catch {
    return [];
  }
}

function selectComponent(
  resource: Resource,
  element: TypedValue | Record<string, unknown>,
  component: CompiledComponent,
  fast: boolean,
): TypedValue[] {
  if (fast) {
    return component.accessor!(element as Record<string, unknown>).map((value) => ({ type: '', value }));
  }
  try {
    return evalFhirPathTyped(component.expression, [element as TypedValue], { '%resource': toTypedValue(resource) });
  } catch {
    return [];
  }
}
