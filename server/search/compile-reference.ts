/**
 * Reference search (https://hl7.org/fhir/R4/search.html#reference) over `ref` keys `param|reference` (as
 * written, `/_history/n` removed at extraction):
 * - `Type/id`: that reference, relative or absolute on this server (`baseUrl/Type/id`);
 * - `id`: with `:Type`, or when the parameter has a single target type, `Type/id`; otherwise any of its
 *   target types (any type at all when the parameter lists none);
 * - an absolute URL: on this server (starting with `baseUrl/`) as `Type/id`, elsewhere as written;
 * - a canonical (`url` or `url|version`): without a version any version matches;
 * - `:identifier` (`[system]|value`): Reference.identifier, stored as a token `param:identifier|value|system`.
 */
import { badRequest, notSupported } from '../errors/fhir-error.ts';
import { isValidId } from '../validation/id-rule.ts';
import type { Filter } from '../store/port.ts';
import { tokenCondition } from './compile-token.ts';
import { anyOf, escapeRegex, splitEscaped, splitValues, unescapeValue } from './split-values.ts';

const HISTORY = /\/_history\/[^/]*$/;
const TYPE = /^[A-Z][A-Za-z]+$/;

export function compileReference(code: string, modifier: string | undefined, value: string, targets: string[], baseUrl?: string): Filter {
  const values = splitValues(value);
  if (modifier === 'identifier') return anyOf(values.map((v) => ({ tok: tokenCondition(`${code}:identifier`, v, code) })));
  if (modifier !== undefined && !TYPE.test(modifier)) {
    throw notSupported(`Modifier ':${modifier}' is not supported on reference parameter '${code}'`, code);
  }
  if (modifier !== undefined && targets.length > 0 && !targets.includes(modifier)) {
    throw badRequest(`'${code}' cannot refer to a ${modifier} (it refers to ${targets.join(', ')})`, code);
  }
  const exact: string[] = [];
  const patterns: RegExp[] = [];
  const local = (typeAndId: string): void => {
    exact.push(`${code}|${typeAndId}`);
    if (baseUrl) exact.push(`${code}|${baseUrl.replace(/\/+$/, '')}/${typeAndId}`);
  };
  for (const raw of values) {
    let v = raw;
    if (splitEscaped(v, '|').length > 2) throw badRequest(`'${v}' is not a reference for '${code}'`, code);
    const canonicalParts = splitEscaped(v, '|');
    v = unescapeValue(canonicalParts[0]).replace(HISTORY, '');
    const version = canonicalParts[1] !== undefined ? unescapeValue(canonicalParts[1]) : undefined;
    if (v === '') throw badRequest(`Empty reference for '${code}'`, code);
    const base = baseUrl?.replace(/\/+$/, '');
    if (base && v.startsWith(`${base}/`)) v = v.slice(base.length + 1);
    if (/^[a-z][a-z0-9+.-]*:/i.test(v)) {
      // absolute URL elsewhere, or a canonical: as written; without a version, any version
      if (version !== undefined) exact.push(`${code}|${v}|${version}`);
      else {
        exact.push(`${code}|${v}`);
        patterns.push(new RegExp(`^${escapeRegex(`${code}|${v}|`)}`));
      }
      continue;
    }
    if (version !== undefined) throw badRequest(`'${raw}' is not a reference for '${code}'`, code);
    const slash = v.split('/');
    if (slash.length === 2 && TYPE.test(slash[0]) && isValidId(slash[1])) {
      if (modifier !== undefined && modifier !== slash[0]) throw badRequest(`'${v}' is not a ${modifier} for '${code}:${modifier}'`, code);
      local(v);
    } else if (slash.length === 1 && isValidId(v)) {
      const types = modifier !== undefined ? [modifier] : targets;
      if (types.length > 0) for (const t of types) local(`${t}/${v}`);
      else patterns.push(new RegExp(`^${escapeRegex(`${code}|`)}(?:[^|]*/)?[A-Z][A-Za-z]+${escapeRegex(`/${v}`)}$`));
    } else {
      throw badRequest(`'${v}' is not a reference ([Type/]id or a URL) for '${code}'`, code);
    }
  }
  const filters: Filter[] = [];
  if (exact.length === 1) filters.push({ ref: exact[0] });
  else if (exact.length > 1) filters.push({ ref: { $in: exact } });
  for (const p of patterns) filters.push({ ref: p });
  return anyOf(filters);
}
