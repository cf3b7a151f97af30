/**
 * ValueSet expansion for `:in` / `:not-in` token searches (https://hl7.org/fhir/R4/search.html#modifiers,
 * https://hl7.org/fhir/R4/valueset.html#expansion), without a terminology server:
 * - `expansion.contains` when the ValueSet carries an expansion;
 * - otherwise `compose.include`: its enumerated `concept`s, or every concept of a whole code system that the
 *   source knows (an R4 CodeSystem or one stored here), intersected with the `valueSet`s it names; minus
 *   `compose.exclude` computed the same way. `filter`s (is-a, regex...) need a terminology server: 400.
 * More than `limit` codes is 400 too-costly: a search for thousands of codes is better done another way.
 */
import type { CodeSystem, CodeSystemConcept, ValueSet, ValueSetComposeInclude, ValueSetExpansionContains } from '@medplum/fhirtypes';
import { FhirError, badRequest } from '../errors/fhir-error.ts';

/** Where ValueSets and CodeSystems come from, by canonical URL (possibly `url|version`). */
export interface TerminologySource {
  valueSet(url: string): Promise<ValueSet | undefined>;
  codeSystem(url: string): Promise<CodeSystem | undefined>;
}

export interface Code {
  system?: string;
  code: string;
}

export const MAX_EXPANSION = 1000;

/** `system|code` -> the code, in expansion order. */
type Codes = Map<string, Code>;

/** The codes of the ValueSet `url`; `expression` names the search parameter in errors. */
export async function expandValueSet(url: string, source: TerminologySource, expression: string, limit = MAX_EXPANSION): Promise<Code[]> {
  const codes = await expand(url, source, { expression, limit, seen: new Set() });
  return [...codes.values()];
}

interface Context {
  expression: string;
  limit: number;
  /** ValueSets being expanded, against include cycles. */
  seen: Set<string>;
}

async function expand(url: string, source: TerminologySource, ctx: Context): Promise<Codes> {
  if (ctx.seen.has(url)) throw badRequest(`ValueSet '${url}' includes itself`, ctx.expression);
  const vs = await source.valueSet(url);
  if (!vs) throw badRequest(`Unknown ValueSet '${url}'`, ctx.expression);
  const codes: Codes = new Map();
  if (vs.expansion?.contains) {
    addContains(codes, vs.expansion.contains, url, ctx);
    return codes;
  }
  if (!vs.compose?.include?.length) throw badRequest(`ValueSet '${url}' has neither an expansion nor a compose`, ctx.expression);
  const inner = { ...ctx, seen: new Set([...ctx.seen, url]) };
  for (const include of vs.compose.include) {
    for (const [key, code] of await includeCodes(include, source, url, inner)) {
      codes.set(key, code);
      tooMany(codes, url, ctx);
    }
  }
  for (const exclude of vs.compose.exclude ?? []) {
    for (const key of (await includeCodes(exclude, source, url, { ...inner, limit: Infinity })).keys()) codes.delete(key);
  }
  return codes;
}

function tooMany(codes: Codes, url: string, ctx: Context): void {
  if (codes.size > ctx.limit) {
    throw FhirError.of(
      'too-costly',
      'too-costly',
      `ValueSet '${url}' has more than ${ctx.limit} codes; search with the codes themselves`,
      ctx.expression,
    );
  }
}

function keyOf(system: string | undefined, code: string): string {
  return `${system ?? ''}|${code}`;
}

function addContains(codes: Codes, contains: ValueSetExpansionContains[], url: string, ctx: Context): void {
  for (const c of contains) {
    if (c.code && !c.abstract) {
      codes.set(keyOf(c.system, c.code), c.system ? { system: c.system, code: c.code } : { code: c.code });
      tooMany(codes, url, ctx);
    }
    if (c.contains) addContains(codes, c.contains, url, ctx);
  }
}

/** One include (or exclude): its system's codes (enumerated or all), intersected with its value sets. */
async function includeCodes(include: ValueSetComposeInclude, source: TerminologySource, url: string, ctx: Context): Promise<Codes> {
  if (include.filter?.length) {
    throw badRequest(`ValueSet '${url}' selects codes with a filter, which needs a terminology server`, ctx.expression);
  }
  const sets: Codes[] = [];
  if (include.system) {
    const system = include.system;
    if (include.concept?.length) {
      sets.push(new Map(include.concept.map((c) => [keyOf(system, c.code as string), { system, code: c.code as string }])));
    } else {
      const cs = await source.codeSystem(include.version ? `${system}|${include.version}` : system);
      if (!cs?.concept?.length)
        throw badRequest(`ValueSet '${url}' includes code system '${system}', whose codes this server does not know`, ctx.expression);
      const all: Codes = new Map();
      addConcepts(all, system, cs.concept, url, ctx);
      sets.push(all);
    }
  }
  for (const vsUrl of include.valueSet ?? []) sets.push(await expand(vsUrl, source, ctx));
  if (sets.length === 0) return new Map();
  // "If there are multiple value sets [or a system and value sets], the codes are the intersection" (valueset.html#compose).
  const [first, ...rest] = sets;
  return new Map([...first].filter(([key]) => rest.every((s) => s.has(key))));
}

/** Every code of a code system's concept hierarchy. */
function addConcepts(codes: Codes, system: string, concepts: CodeSystemConcept[], url: string, ctx: Context): void {
  for (const c of concepts) {
    if (c.code) {
      codes.set(keyOf(system, c.code), { system, code: c.code });
      tooMany(codes, url, ctx);
    }
    if (c.concept) addConcepts(codes, system, c.concept, url, ctx);
  }
}
