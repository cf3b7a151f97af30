/**
 * Reads `Bundle.entry.request` of a batch or transaction (https://hl7.org/fhir/R4/bundle.html#transaction):
 * the method, what the URL addresses, and the conditional headers. Pure.
 */
import { badRequest } from '../errors/fhir-error.ts';
import { isJsonObject, shown, type JsonObject, type JsonValue } from '../fhir-json/fhir-json.ts';
import { assertResourceType, assertValidId } from '../validation/id-rule.ts';

export type EntryMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface EntryRequest {
  /** Position in the Bundle, for `Bundle.entry[i]` in errors and for the response order. */
  index: number;
  method: EntryMethod;
  /** The URL as written (relative to the base), for messages. */
  url: string;
  type: string;
  id?: string;
  /** `Type/id/_history/vid` (GET only). */
  versionId?: string;
  /** The search of `Type?query` (a search for GET, a condition for PUT, PATCH and DELETE). */
  query?: string;
  fullUrl?: string;
  resource?: JsonObject;
  ifMatch?: number;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  ifNoneExist?: string;
}

const METHODS = new Set<string>(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);

export function parseEntryRequest(entry: JsonValue, index: number, baseUrl: string): EntryRequest {
  const at = `Bundle.entry[${index}]`;
  if (!isJsonObject(entry)) throw badRequest(`${at} is not an object`, at);
  const request = entry.request;
  if (!isJsonObject(request)) throw badRequest(`${at} has no request`, `${at}.request`);
  const method = typeof request.method === 'string' ? request.method.toUpperCase() : '';
  if (!METHODS.has(method))
    throw badRequest(`${at}.request.method '${shown(request.method)}' is not one of ${[...METHODS].join(', ')}`, `${at}.request.method`);
  if (typeof request.url !== 'string' || request.url === '') throw badRequest(`${at}.request.url is missing`, `${at}.request.url`);
  const url = request.url.startsWith(`${baseUrl}/`) ? request.url.slice(baseUrl.length + 1) : request.url.replace(/^\/+/, '');
  const [path, query] = splitQuery(url);
  const parts = path.split('/');
  const type = parts[0];
  assertResourceType(type, `${at}.request.url`);
  const parsed: EntryRequest = { index, method: method as EntryMethod, url, type };
  if (parts.length === 2 || (parts.length === 4 && parts[2] === '_history')) {
    parsed.id = parts[1];
    if (parts.length === 4) parsed.versionId = parts[3];
    assertValidId(parts[1], `${at}.request.url`);
  } else if (parts.length !== 1) {
    throw badRequest(`${at}.request.url '${request.url}' is not an interaction a Bundle entry supports`, `${at}.request.url`);
  }
  if (query !== undefined) parsed.query = query;
  if (typeof entry.fullUrl === 'string') parsed.fullUrl = entry.fullUrl;
  if (isJsonObject(entry.resource)) parsed.resource = entry.resource;
  if (typeof request.ifMatch === 'string') parsed.ifMatch = versionOf(request.ifMatch, `${at}.request.ifMatch`);
  if (typeof request.ifNoneMatch === 'string') parsed.ifNoneMatch = request.ifNoneMatch;
  if (typeof request.ifModifiedSince === 'string') parsed.ifModifiedSince = request.ifModifiedSince;
  if (typeof request.ifNoneExist === 'string') parsed.ifNoneExist = request.ifNoneExist.replace(/^[^?]*\?/, '');
  return checkShape(parsed, at);
}

/** What each method needs (http.html#transaction): a body for POST/PUT/PATCH, an id or a condition otherwise. */
function checkShape(req: EntryRequest, at: string): EntryRequest {
  const { method } = req;
  if ((method === 'POST' || method === 'PUT' || method === 'PATCH') && !req.resource) {
    throw badRequest(`${at} (${method}) has no resource`, `${at}.resource`);
  }
  if (method === 'POST' && (req.id !== undefined || req.query !== undefined)) {
    throw badRequest(`${at}.request.url of a POST must be a resource type, not '${req.url}'`, `${at}.request.url`);
  }
  if ((method === 'PUT' || method === 'PATCH' || method === 'DELETE') && req.id === undefined && req.query === undefined) {
    throw badRequest(`${at}.request.url of a ${method} needs an id or a search, not '${req.url}'`, `${at}.request.url`);
  }
  if (req.versionId !== undefined && method !== 'GET' && method !== 'HEAD') {
    throw badRequest(`${at}.request.url: only GET reads a version`, `${at}.request.url`);
  }
  if (method === 'POST' && req.resource!.resourceType !== req.type) {
    throw badRequest(`${at}.resource is a ${shown(req.resource!.resourceType)}, the URL says ${req.type}`, `${at}.resource.resourceType`);
  }
  return req;
}

function splitQuery(url: string): [string, string | undefined] {
  const q = url.indexOf('?');
  return q < 0 ? [url, undefined] : [url.slice(0, q), url.slice(q + 1)];
}

/** `W/"3"` -> 3 */
export function versionOf(etag: string, expression: string): number {
  const m = /^(?:W\/)?"?([0-9]+)"?$/.exec(etag.trim());
  if (!m) throw badRequest(`'${etag}' is not a version ETag like W/"1"`, expression);
  return Number(m[1]);
}
