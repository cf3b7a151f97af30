/**
 * Token search (https://hl7.org/fhir/R4/search.html#token) over `tok` keys `param|code|system`
 * (server/search-index/extract.ts tokenKey: `|` and `\` escaped inside code and system).
 * - `code`: any system -> prefix `param|code|`; `system|code` -> exact; `|code` -> no system -> exact
 *   `param|code|`; `system|` -> any code in that system.
 * - `:not`: resources with no value matching (also those with no value at all).
 * - `:text`: CodeableConcept.text / Coding.display, normalised, starts-with (stored in `str` as `param:text|...`).
 * - `:of-type` (Identifier): `type-system|type-code|value` (stored as tok `param:of-type|typecode|typesystem|value`).
 * - `:in` / `:not-in`: a coding in / none in the ValueSet, whose codes the caller expanded (resolve-value-sets.ts);
 *   `:not-in` also finds resources with no value, as `:not` does. A stored value without a system (a `code`
 *   element, whose binding implies the system) matches by its code.
 * - `:above`, `:below`: not supported (subsumption needs a terminology server): 400.
 */
import { badRequest, notSupported } from '../errors/fhir-error.ts';
import { escapeTokenPart, ofTypeKey, tokenKey } from '../search-index/extract.ts';
import { normalizeString } from '../search-index/normalize-string.ts';
import type { Filter } from '../store/port.ts';
import type { Code } from '../terminology/expand-value-set.ts';
import { anyOf, escapeRegex, prefixRegex, splitParts, splitValues, unescapeValue } from './split-values.ts';

/** Condition on one `tok` element for one token value `[system|]code`, keyed by `key` (the param or e.g. `p:identifier`). */
export function tokenCondition(key: string, value: string, code: string): string | RegExp {
  const parts = splitParts(value);
  if (parts.length === 1) {
    if (parts[0] === '') throw badRequest(`Empty token value for '${code}'`, code);
    return prefixRegex(`${key}|${escapeTokenPart(parts[0])}|`);
  }
  if (parts.length !== 2) throw badRequest(`A token is [system]|[code]: '${value}' has too many '|' for '${code}'`, code);
  const [system, tokenCode] = parts;
  if (tokenCode !== '') return tokenKey(key, tokenCode, system);
  if (system === '') throw badRequest(`Empty token value for '${code}'`, code);
  // system| : any code (escaped code characters are `\\.` pairs, unescaped ones anything but `|` and `\`)
  return new RegExp(`^${escapeRegex(`${key}|`)}(?:[^|\\\\]|\\\\.)*${escapeRegex(`|${escapeTokenPart(system)}`)}$`);
}

export function compileToken(code: string, modifier: string | undefined, value: string, valueSets?: ReadonlyMap<string, Code[]>): Filter {
  const values = splitValues(value);
  switch (modifier) {
    case 'in':
      return { tok: { $in: valueSetKeys(code, values, valueSets) } };
    case 'not-in':
      return { $nor: [{ tok: { $in: valueSetKeys(code, values, valueSets) } }] };
    case undefined:
      return anyOf(values.map((v) => ({ tok: tokenCondition(code, v, code) })));
    case 'not':
      // "not": no value of the resource matches; with commas, none of the values (as HAPI FHIR).
      return { $nor: values.map((v) => ({ tok: tokenCondition(code, v, code) })) };
    case 'text':
      return anyOf(
        values.map((v) => {
          const text = normalizeString(unescapeAll(v));
          if (!text) throw badRequest(`Empty text for '${code}:text'`, code);
          return { str: prefixRegex(`${code}:text|${text}`) };
        }),
      );
    case 'of-type':
      return anyOf(
        values.map((v) => {
          const parts = splitParts(v);
          if (parts.length !== 3 || parts.some((p) => p === '')) {
            throw badRequest(`'${code}:of-type' takes type-system|type-code|value, got '${v}'`, code);
          }
          const [typeSystem, typeCode, identifier] = parts;
          return { tok: ofTypeKey(code, typeSystem, typeCode, identifier) };
        }),
      );
    default:
      throw notSupported(`Modifier ':${modifier}' is not supported on token parameter '${code}'`, code);
  }
}

/** The token keys of every code of the named ValueSets (commas: any of them). */
function valueSetKeys(code: string, values: string[], valueSets: ReadonlyMap<string, Code[]> | undefined): string[] {
  const keys = new Set<string>();
  for (const url of values.map(unescapeValue)) {
    const codes = valueSets?.get(url);
    if (!codes) throw badRequest(`Unknown ValueSet '${url}' for '${code}'`, code);
    for (const c of codes) {
      keys.add(tokenKey(code, c.code, c.system));
      // A `code` element (Patient.gender) is stored without a system, which its binding implies.
      keys.add(tokenKey(code, c.code));
    }
  }
  return [...keys];
}

function unescapeAll(v: string): string {
  return splitParts(v).join('|');
}
