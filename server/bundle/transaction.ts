/**
 * Applies the entries of a transaction as one atomic unit (https://hl7.org/fhir/R4/http.html#transaction):
 *
 * 1. identities, in the spec's order (DELETE, POST, PUT/PATCH): ids for creates, the matches of conditional
 *    URLs and `ifNoneExist`; an identity changed twice is refused;
 * 2. references: each entry's `fullUrl` and each conditional reference become `Type/id` (rewrite-references.ts);
 * 3. every write is validated and planned (server/repository/write-path.ts), then all are stored by one
 *    `Store.write`: all or nothing, durable when it returns;
 * 4. GET/HEAD entries run last and see the writes.
 *
 * A batch applies each entry alone through the same steps (batch.ts); the REST conditional interactions are
 * one-entry transactions (server/rest/crud.ts).
 */
import { newResourceId } from '../repository/new-id.ts';
import { isJsonObject, parseFhirJson, shown, type JsonObject, type JsonValue } from '../fhir-json/fhir-json.ts';
import { FhirError, badRequest, notFound } from '../errors/fhir-error.ts';
import type { CallerServices } from '../services.ts';
import {
  MAX_CLAIM_ATTEMPTS,
  claimOperation,
  conditionKey,
  findMatches,
  findOneMatch,
  lostRace,
  readClaim,
  severalMatches,
  type Claim,
  type Condition,
} from '../repository/conditional.ts';
import {
  commitWrites,
  planCreate,
  planDelete,
  planPatch,
  planUpdate,
  type PlannedWrite,
  type UpdateOptions,
} from '../repository/write-path.ts';
import type { HistoryDocument, ResourceDocument } from '../store/documents.ts';
import type { WriteOperation } from '../store/port.ts';
import type { EntryRequest } from './entry-request.ts';
import { readEntry } from './read-entry.ts';
import { ResponseBudget } from '../repository/response-budget.ts';
import { isConditionalReference, referencesOf, rewriteReferences } from './rewrite-references.ts';

/**
 * What one entry did: the status the spec gives its interaction (201 created, 200, 204, 304) with the version
 * written or read, or a search Bundle; or, for a failed batch entry or read, the error.
 */
export interface EntryResult {
  status?: 200 | 201 | 204 | 304;
  error?: FhirError;
  doc?: ResourceDocument | HistoryDocument;
  /** The searchset of a GET search entry. */
  resource?: JsonObject;
  /** A DELETE entry: how many resources it deleted (none when nothing matched or all were deleted already). */
  deleted?: number;
}

export interface TransactionOptions {
  /** Conditional delete may delete several matches (http.html#cdelete); otherwise several are 412. */
  deleteMultiple: boolean;
  /**
   * More operations for the same atomic unit, given the results (e.g. the HL7 listener's archive record of
   * the message, so that a message is applied and recorded together or not at all).
   */
  extra?: (results: ReadonlyMap<number, EntryResult>) => WriteOperation[];
  /** What the response may hold (MAX_RESPONSE_BYTES), shared by all its entries; one of its own otherwise. */
  budget?: ResponseBudget;
}

/** Most resources a conditional delete removes at once when several are allowed. */
const MAX_CONDITIONAL_DELETES = 1000;

/**
 * http.html#transaction: "process any DELETE interactions, then POST, then PUT or PATCH, then GET or HEAD"; a
 * batch runs in the same order (batch.ts).
 */
export const ORDER: Record<EntryRequest['method'], number> = { DELETE: 0, POST: 1, PUT: 2, PATCH: 2, GET: 3, HEAD: 3 };

/** The resources one write entry changes, once identities are known. */
interface Target {
  request: EntryRequest;
  /** `Type/id`s written (a conditional delete may have none or several). */
  ids: string[];
  /** A conditional create that found its match: nothing to write, answered 200 with it. */
  existing?: ResourceDocument;
  /** An earlier entry of this transaction creates for the same condition: this one is answered with it. */
  sameAs?: Target;
  /** The key of the condition this entry creates for, claimed with the write (conditional.ts). */
  claim?: Claim;
  /** The versions a condition matched (PUT, PATCH, DELETE): the writes replace exactly these. */
  matched?: ResourceDocument[];
}

/** Applies `requests` all or nothing; answers one result per request, in the request order. */
export async function applyTransaction(
  services: CallerServices,
  requests: EntryRequest[],
  options: TransactionOptions,
): Promise<EntryResult[]> {
  const budget = options.budget ?? new ResponseBudget(services.config.maxResponseBytes);
  const ordered = [...requests].sort((a, b) => ORDER[a.method] - ORDER[b.method]);
  const writes = ordered.filter((r) => ORDER[r.method] < 3);
  const results = new Map<number, EntryResult>();
  for (let attempt = 1; ; attempt++) {
    const claims: WriteOperation[] = [];
    const searched = new Set<string>();
    try {
      const targets = await resolveIdentities(services, writes, options);
      for (const target of targets) {
        if (target.claim) searched.add(target.claim.key);
        if (target.claim || target.matched) for (const id of target.ids) searched.add(id);
      }
      const references = await resolveReferences(services, targets);
      const plans: PlannedWrite[] = [];
      const planOf = new Map<Target, PlannedWrite[]>();
      const planned = await planAll(services, targets, references);
      for (const [i, target] of targets.entries()) {
        planOf.set(target, planned[i]);
        plans.push(...planned[i]);
        results.set(target.request.index, resultOf(target, planned[i], target.sameAs && planOf.get(target.sameAs)));
        if (target.claim && planned[i][0]?.created) claims.push(claimOperation(target.claim, planned[i][0].doc._id));
      }
      await commitWrites(services.store, plans, [...claims, ...(options.extra?.(results) ?? [])], searched);
      break;
    } catch (err) {
      // Another writer created or changed a resource for one of our conditions meanwhile: search again (conditional.ts).
      if (lostRace(err, searched) && attempt < MAX_CLAIM_ATTEMPTS) continue;
      if (lostRace(err, searched)) throw FhirError.of('conflict', 'conflict', 'Concurrent conditional writes kept colliding; retry');
      throw err;
    }
  }
  for (const request of ordered.filter((r) => ORDER[r.method] === 3)) {
    results.set(request.index, await readEntry(services, request, budget));
  }
  return requests.map((r) => results.get(r.index)!);
}

/** Step 1: which resources each write entry changes; conditions resolved against the store. */
async function resolveIdentities(services: CallerServices, writes: EntryRequest[], options: TransactionOptions): Promise<Target[]> {
  const targets: Target[] = [];
  const changedBy = new Map<string, number>();
  const createdFor = new Map<string, Target>();
  const fullUrls = new Set<string>();
  for (const request of writes) {
    const target = await atEntry(request, () => resolveTarget(services, request, options, createdFor));
    if (target.claim) createdFor.set(target.claim.key, target);
    for (const id of target.ids) {
      const earlier = changedBy.get(id);
      if (earlier !== undefined) {
        const at = `Bundle.entry[${request.index}]`;
        throw badRequest(`Bundle.entry[${earlier}] and ${at} both change ${id}; a transaction changes a resource once`, at);
      }
      changedBy.set(id, request.index);
    }
    if (request.fullUrl !== undefined) {
      if (fullUrls.has(request.fullUrl)) {
        throw badRequest(`fullUrl '${request.fullUrl}' appears twice in the Bundle`, `Bundle.entry[${request.index}].fullUrl`);
      }
      fullUrls.add(request.fullUrl);
    }
    targets.push(target);
  }
  return targets;
}

async function resolveTarget(
  { store, config, access }: CallerServices,
  request: EntryRequest,
  options: TransactionOptions,
  createdFor: Map<string, Target>,
): Promise<Target> {
  const { type, method } = request;
  const condition: Condition | undefined =
    method === 'POST'
      ? request.ifNoneExist !== undefined
        ? { type, query: request.ifNoneExist }
        : undefined
      : request.id === undefined
        ? { type, query: request.query! }
        : undefined;
  if (!condition) return { request, ids: [`${type}/${method === 'POST' ? newResourceId() : request.id}`] };
  // The key is read before the search, so that the search decides whether what it holds is stale (conditional.ts).
  const claim = method === 'POST' || method === 'PUT' ? await readClaim(store, condition) : undefined;
  if (method === 'DELETE') {
    const limit = options.deleteMultiple ? MAX_CONDITIONAL_DELETES + 1 : 2;
    const matches = await findMatches(store, config.baseUrl, access, condition, limit);
    if (matches.length > 1 && !options.deleteMultiple) throw severalMatches(condition);
    if (matches.length > MAX_CONDITIONAL_DELETES) {
      throw FhirError.of('precondition-failed', 'too-costly', `More than ${MAX_CONDITIONAL_DELETES} resources match '${condition.query}'`);
    }
    return { request, ids: matches.map((m) => m._id), matched: matches };
  }
  const match = await findOneMatch(store, config.baseUrl, access, condition);
  if (match) return method === 'POST' ? { request, ids: [], existing: match } : { request, ids: [match._id], matched: [match] };
  if (method === 'PATCH') throw notFound(`No ${type} matches '${condition.query}'`);
  // The same condition twice in one transaction creates once (as HAPI does): the later entry shares the result.
  const twin = createdFor.get(conditionKey(condition));
  if (twin) return { request, ids: [], sameAs: twin };
  const bodyId = method === 'PUT' && typeof request.resource?.id === 'string' ? request.resource.id : undefined;
  return { request, ids: [`${type}/${bodyId ?? newResourceId()}`], claim: claim! };
}

/**
 * Step 2: `fullUrl` -> `Type/id` for every entry that has one, and each conditional reference of the
 * resources -> the one resource it matches (none: 404, several: 412, as HAPI).
 */
async function resolveReferences({ store, config, access }: CallerServices, targets: Target[]): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  for (const target of targets) {
    const { fullUrl } = target.request;
    const id = target.existing?._id ?? target.ids[0] ?? target.sameAs?.ids[0];
    if (fullUrl !== undefined && id !== undefined) map.set(fullUrl, id);
  }
  for (const target of targets) {
    const { resource } = target.request;
    if (!resource || target.request.method === 'PATCH') continue;
    for (const reference of referencesOf(resource)) {
      if (map.has(reference) || !isConditionalReference(reference)) continue;
      const q = reference.indexOf('?');
      const condition = { type: reference.slice(0, q), query: reference.slice(q + 1) };
      const match = await atEntry(target.request, async () => {
        const found = await findOneMatch(store, config.baseUrl, access, condition);
        if (!found) throw notFound(`The conditional reference '${reference}' matches no resource`);
        return found;
      });
      map.set(reference, match._id);
    }
  }
  return map;
}

/** Step 3: the validated writes of one entry (none for a create that matched or a delete of nothing). */
async function planEntry(services: CallerServices, target: Target, references: Map<string, string>): Promise<PlannedWrite[]> {
  const { request } = target;
  const options: UpdateOptions = request.ifMatch !== undefined ? { ifMatch: request.ifMatch } : {};
  if (request.method === 'DELETE') {
    const planned: PlannedWrite[] = [];
    for (const [i, _id] of target.ids.entries()) {
      const basedOn = target.matched?.[i];
      const plan = await planDelete(
        services,
        request.type,
        _id.slice(request.type.length + 1),
        basedOn ? { ...options, basedOn } : options,
      );
      if (plan) planned.push(plan);
    }
    return planned;
  }
  if (target.existing || target.ids.length === 0) return [];
  const id = target.ids[0].slice(request.type.length + 1);
  const basedOn = target.matched?.[0];
  if (basedOn) options.basedOn = basedOn;
  if (request.method === 'PATCH') return [await planPatch(services, request.type, id, jsonPatchOf(request), options)];
  const body = rewriteReferences(request.resource!, references, `Bundle.entry[${request.index}].resource`);
  if (request.method === 'POST') return [await planCreate(services, request.type, body, id)];
  // A conditional update's body may leave the id out: it is the matched (or new) resource's (http.html#cond-update).
  if (body.id === undefined && request.id === undefined) body.id = id;
  return [await planUpdate(services, request.type, id, body, options)];
}

/**
 * Step 3 for every entry at once, so that their versions are validated and indexed together (in the prepare
 * pool's workers, server/repository/prepare-pool.ts); the first failing entry in processing order fails the whole.
 */
async function planAll(services: CallerServices, targets: Target[], references: Map<string, string>): Promise<PlannedWrite[][]> {
  const settled = await Promise.allSettled(
    targets.map((target) => (target.sameAs ? Promise.resolve([]) : atEntry(target.request, () => planEntry(services, target, references)))),
  );
  return settled.map((outcome) => {
    if (outcome.status === 'rejected') throw outcome.reason;
    return outcome.value;
  });
}

/**
 * A PATCH entry's body is a Binary holding the JSON Patch (http.html#patch: "the Binary resource with the
 * patch document"); FHIRPath Patch (a Parameters resource) is not supported.
 */
function jsonPatchOf(request: EntryRequest): JsonValue {
  const at = `Bundle.entry[${request.index}].resource`;
  const resource = request.resource!;
  if (resource.resourceType !== 'Binary' || typeof resource.data !== 'string') {
    throw FhirError.of(
      'not-supported',
      'not-supported',
      'A PATCH entry takes a Binary whose data is a JSON Patch (FHIRPath Patch is not supported)',
      at,
    );
  }
  try {
    return parseFhirJson(Buffer.from(resource.data, 'base64').toString('utf8'));
  } catch {
    throw badRequest('The Binary of a PATCH entry does not hold a JSON Patch', `${at}.data`);
  }
}

function resultOf(target: Target, planned: PlannedWrite[], twin?: PlannedWrite[]): EntryResult {
  if (target.existing) return { status: 200, doc: target.existing };
  if (twin) return { status: 200, ...(twin[0] ? { doc: twin[0].doc } : {}) };
  if (target.request.method === 'DELETE') return { status: 204, deleted: planned.length };
  return { status: planned[0].created ? 201 : 200, doc: planned[0].doc };
}

/** Runs `fn` for one entry; its errors name the entry (`Bundle.entry[3]`) in diagnostics and expression. */
async function atEntry<T>(request: EntryRequest, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw atEntryError(request, err);
  }
}

function atEntryError(request: EntryRequest, err: unknown): unknown {
  if (!(err instanceof FhirError)) return err;
  const at = `Bundle.entry[${request.index}]`;
  const issue = err.outcome.issue.map((i) => ({
    ...i,
    diagnostics: i.diagnostics?.startsWith('Bundle.entry[') ? i.diagnostics : `${at}: ${i.diagnostics ?? ''}`,
    ...(i.expression ? { expression: i.expression.map((e) => entryExpression(e, request, at)) } : {}),
  }));
  return new FhirError(err.kind, { ...err.outcome, issue });
}

/** `Patient.name[0]` in the entry's resource -> `Bundle.entry[3].resource.name[0]`. */
function entryExpression(expression: string, request: EntryRequest, at: string): string {
  if (expression.startsWith('Bundle.entry[')) return expression;
  const type = isJsonObject(request.resource) ? shown(request.resource.resourceType) : request.type;
  if (expression === type) return `${at}.resource`;
  if (expression.startsWith(`${type}.`)) return `${at}.resource${expression.slice(type.length)}`;
  return expression;
}
