/**
 * Composite search (https://hl7.org/fhir/R4/search.html#composite): `code-value-quantity=http://loinc.org|8480-6$gt140`.
 * `$` separates the values of the components (in the order of `SearchParameter.component`), `\$` is a literal
 * `$`, commas OR whole composite values. "The parameters of a composite must match within the same element",
 * so all components are tested on one `cmp` tuple (server/search-index/extract-composite.ts) with `$elemMatch`;
 * each component's value is compiled by the compiler of its own type, under its own parameter code, exactly
 * as the tuple stores it.
 */
import type { SearchParameter } from '@medplum/fhirtypes';
import { badRequest, notSupported } from '../errors/fhir-error.ts';
import type { Filter } from '../store/port.ts';
import { anyOf, splitEscaped, splitValues } from './split-values.ts';

/** Compiles one component value as a plain parameter of the component's type (compile-parameter.ts). */
export type CompileComponent = (definition: SearchParameter, value: string) => Filter;

export function compileComposite(
  code: string,
  modifier: string | undefined,
  value: string,
  components: SearchParameter[],
  compileComponent: CompileComponent,
): Filter {
  if (modifier !== undefined) throw notSupported(`Modifier ':${modifier}' is not supported on composite parameter '${code}'`, code);
  const alternatives = splitValues(value).map((v) => {
    // The parts keep their escapes (`\,` `\|` `\$`): each component's compiler unescapes its own value.
    const parts = splitEscaped(v, '$');
    if (parts.length !== components.length) {
      throw badRequest(`'${code}' takes ${components.length} values separated by '$', got '${v}'`, code);
    }
    const conditions = parts.map((part, i) => {
      if (part === '') throw badRequest(`Empty component ${i + 1} in '${v}' for '${code}'`, code);
      return compileComponent(components[i], part);
    });
    return { cmp: { $elemMatch: { p: code, $and: conditions } } } as Filter;
  });
  return { ...indexHint(alternatives), ...anyOf(alternatives) };
}

/**
 * A token component compiled to a plain `{tok: key or /^prefix/}` is also a condition on `cmp.tok` outside the
 * `$elemMatch` (redundant for matching, as `dt.p` beside a date's), so that the planner can use the
 * (resourceType, cmp.tok) index. Only for a single value: with commas the alternatives are ORed.
 */
function indexHint(alternatives: Filter[]): Filter {
  if (alternatives.length !== 1) return {};
  const match = (alternatives[0].cmp as { $elemMatch: { $and: Filter[] } }).$elemMatch;
  for (const condition of match.$and) {
    const tok = condition.tok;
    if (Object.keys(condition).length === 1 && (typeof tok === 'string' || tok instanceof RegExp)) return { 'cmp.tok': tok };
  }
  return {};
}
