/**
 * Compiles one search parameter of a search (https://hl7.org/fhir/R4/search.html) into a MongoDB filter over
 * the search values extracted at write time (server/store/documents.ts). Pure: no I/O.
 *
 * Values are data: they only ever appear as string or number operands, and as regexes built from escaped
 * literal text (split-values.ts escapeRegex), so no input can become a MongoDB operator or a pattern.
 */
import type { SearchParameter } from '@medplum/fhirtypes';
import { badRequest, notSupported } from '../errors/fhir-error.ts';
import { isValidId } from '../validation/id-rule.ts';
import type { Filter } from '../store/port.ts';
import type { Code } from '../terminology/expand-value-set.ts';
import { compositeComponents } from '../search-index/extract-composite.ts';
import { compileComposite } from './compile-composite.ts';
import { compileDate, compileLastUpdated } from './compile-date.ts';
import { compileNear } from './compile-near.ts';
import { compileNumber, compileQuantity } from './compile-number.ts';
import { compileReference } from './compile-reference.ts';
import { compileString } from './compile-string.ts';
import { compileToken } from './compile-token.ts';
import { compileUri } from './compile-uri.ts';
import { splitValues, unescapeValue } from './split-values.ts';

export interface ParameterClause {
  /** The SearchParameter being searched (R4's or the project's own). */
  definition: SearchParameter;
  /** The search code as the client wrote it, without modifier (e.g. `birthdate`). */
  code: string;
  /** The modifier after `:` (e.g. `exact`, `missing`, `not`, `Patient` for a reference type), if any. */
  modifier?: string;
  /** The raw value, still holding its prefix and its commas (`ge2020,lt2019`); `\,` escapes a comma. */
  value: string;
  /**
   * This server's base URL (e.g. `http://localhost:8080/fhir`): a reference search value starting with it
   * is a local reference.
   */
  baseUrl?: string;
  /**
   * For `:in` / `:not-in` on a token: the codes of each ValueSet the value names, by URL as written
   * (resolve-value-sets.ts expands them before compiling). A URL missing here is an unknown ValueSet.
   */
  valueSets?: ReadonlyMap<string, Code[]>;
}

/**
 * One parameter -> one filter (commas are OR). Throws a FhirError (400, with `issue.expression` naming the
 * parameter) for a malformed value or an unsupported modifier.
 */
export function compileParameter(resourceType: string, clause: ParameterClause): Filter {
  const { definition, code, modifier, value } = clause;
  if (modifier === 'missing') return compileMissing(code, value);
  if (code === '_id') return compileId(code, modifier, value);
  if (code === '_lastUpdated') return compileLastUpdated(code, modifier, value);
  if (value === '') throw badRequest(`Empty value for '${code}'`, code);
  switch (definition.type) {
    case 'token':
      return compileToken(code, modifier, value, clause.valueSets);
    case 'string':
      return compileString(code, modifier, value);
    case 'date':
      return compileDate(code, modifier, value);
    case 'number':
      return compileNumber(code, modifier, value);
    case 'quantity':
      return compileQuantity(code, modifier, value);
    case 'reference':
      return compileReference(code, modifier, value, definition.target ?? [], clause.baseUrl);
    case 'uri':
      return compileUri(code, modifier, value);
    case 'composite': {
      const components = compositeComponents(resourceType, definition);
      if (!components) throw notSupported(`Composite parameter '${code}' has a component this server does not know`, code);
      return compileComposite(code, modifier, value, components, (component, part) =>
        compileParameter(resourceType, { definition: component, code: component.code as string, value: part, baseUrl: clause.baseUrl }),
      );
    }
    case 'special':
      if (resourceType === 'Location' && code === 'near') return compileNear(code, modifier, value);
      throw notSupported(`Search parameter '${code}' of type special is not supported`, code);
    default:
      throw notSupported(`Search parameter '${code}' of type ${definition.type} is not supported`, code);
  }
}

/** Whether this server can search with the parameter (for the CapabilityStatement). */
export function isSupported(resourceType: string, definition: SearchParameter): boolean {
  if (definition.type === 'composite') return compositeComponents(resourceType, definition) !== undefined;
  if (definition.type === 'special') return resourceType === 'Location' && definition.code === 'near';
  return true;
}

/**
 * `:missing=true`: resources with no value for the parameter; `:missing=false`: with at least one
 * (https://hl7.org/fhir/R4/search.html#missing). `has` lists the parameters with values (extract.ts).
 */
function compileMissing(code: string, value: string): Filter {
  if (value !== 'true' && value !== 'false') throw badRequest(`':missing' takes true or false, not '${value}'`, code);
  const missing = value === 'true';
  if (code === '_id' || code === '_lastUpdated') return missing ? { _id: { $exists: false } } : {};
  return missing ? { has: { $ne: code } } : { has: code };
}

/** `_id`: the document's `id` (https://hl7.org/fhir/R4/search.html#id); commas -> `$in`. */
function compileId(code: string, modifier: string | undefined, value: string): Filter {
  if (modifier !== undefined) throw notSupported(`Modifier ':${modifier}' is not supported on '_id'`, code);
  const ids = splitValues(value).map(unescapeValue);
  if (ids.some((id) => !isValidId(id))) throw badRequest(`'${value}' is not a resource id`, code);
  return ids.length === 1 ? { id: ids[0] } : { id: { $in: ids } };
}
