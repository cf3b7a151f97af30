/**
 * Search (https://hl7.org/fhir/R4/search.html): `GET [type]?`, `POST [type]/_search` (form body merged with
 * the URL query), system search `GET /?_type=A,B&...` and compartment search `GET Patient/[id]/[type]`.
 * The request becomes `name=value` pairs here; the searchset Bundle is built by server/search/search-bundle.ts.
 */
import type { Context } from 'koa';
import { patientCompartmentFilter } from '../access/compartment.ts';
import { readFormBody } from '../http/body.ts';
import { sendJson } from '../http/respond.ts';
import { assertResourceType, assertValidId } from '../validation/id-rule.ts';
import { isStrict } from '../search/parse-search.ts';
import { searchBundle, type SearchTarget } from '../search/search-bundle.ts';
import { ResponseBudget } from '../repository/response-budget.ts';
import type { CallerServices } from '../services.ts';

/** `GET [type]?...` and `POST [type]/_search`. */
export async function searchType(ctx: Context, services: CallerServices): Promise<void> {
  const { type } = ctx.params as { type: string };
  assertResourceType(type);
  await runSearch(ctx, services, { path: type, types: [type], pairs: await pairsOf(ctx, services.config.maxBodyBytes) });
}

/** `GET /?_type=A,B&...` (and `POST /_search`): several types at once; parameters must apply to each type. */
export async function searchSystem(ctx: Context, services: CallerServices): Promise<void> {
  await runSearch(ctx, services, { path: '', pairs: await pairsOf(ctx, services.config.maxBodyBytes), system: true });
}

/**
 * Compartment search (https://hl7.org/fhir/R4/compartmentdefinition.html#search): `Patient/[id]/[type]` matches
 * the resources of `type` that refer to `Patient/[id]` through any parameter the R4 Patient compartment lists
 * for that type (ORed). A type outside the compartment has no members: an empty searchset.
 */
export async function searchCompartment(ctx: Context, services: CallerServices): Promise<void> {
  const { id, type } = ctx.params as { id: string; type: string };
  assertResourceType(type);
  assertValidId(id);
  await runSearch(ctx, services, {
    path: `Patient/${id}/${type}`,
    types: [type],
    pairs: await pairsOf(ctx, services.config.maxBodyBytes),
    // Relative and absolute (`[base]/Patient/id`) references alike; a type outside the compartment matches nothing.
    extra: patientCompartmentFilter(type, id, services.config.baseUrl) ?? { _id: { $in: [] } },
  });
}

/** The URL query pairs in order, then the form body of a POST (search.html#search: both count). */
async function pairsOf(ctx: Context, maxBytes: number): Promise<[string, string][]> {
  const pairs = [...new URLSearchParams(ctx.querystring)];
  if (ctx.method === 'POST') pairs.push(...(await readFormBody(ctx, maxBytes)));
  return pairs;
}

async function runSearch(ctx: Context, services: CallerServices, target: SearchTarget): Promise<void> {
  const budget = new ResponseBudget(services.config.maxResponseBytes);
  sendJson(ctx, 200, await searchBundle(services, target, isStrict(ctx.get('prefer')), budget));
}
