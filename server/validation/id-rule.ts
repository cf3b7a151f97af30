/**
 * The one rule for resource ids and resource types in URLs, references and Bundle entries, checked before any
 * lookup: a store key is never built from an id that breaks it (a 10,000-character id would overflow one).
 */
import { FhirError, badRequest } from '../errors/fhir-error.ts';
import { isResourceType } from './definitions.ts';

/** The R4 id type (https://hl7.org/fhir/R4/datatypes.html#id): 1 to 64 of A-Z a-z 0-9 - . */
const ID = /^[A-Za-z0-9\-.]{1,64}$/;

/**
 * True for an R4 id a URL can address: `.` and `..` fit the pattern but are dot-segments that URL
 * normalisation removes (RFC 3986 section 5.2.4), so `Patient/..` would name the base instead.
 */
export function isValidId(id: string): boolean {
  return ID.test(id) && id !== '.' && id !== '..';
}

/** 400 unless `id` is a valid id; `expression` names where it came from (`Bundle.entry[2].request.url`). */
export function assertValidId(id: string, expression?: string): void {
  if (!isValidId(id)) throw badRequest(`Invalid id '${shown(id)}': 1-64 characters of A-Z a-z 0-9 - . (and not '.' or '..')`, expression);
}

/**
 * An unknown resource type in a URL is 404, in a REST URL as in a Bundle entry's `request.url`: the URL names
 * nothing this server serves (as HAPI; README "Behaviour where the specification leaves a choice").
 */
export function assertResourceType(type: string, expression?: string): void {
  if (!isResourceType(type)) throw FhirError.of('not-found', 'not-supported', `Unknown resource type '${shown(type)}'`, expression);
}

/** At most the first 64 characters of what the client sent, so an answer never echoes a huge URL segment. */
function shown(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}...` : text;
}
