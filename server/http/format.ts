/**
 * Content negotiation (https://hl7.org/fhir/R4/http.html#mime-type): JSON only. `_format` wins over Accept;
 * XML or any other format answers 406; a request body that is not JSON answers 415.
 */
import type { Middleware } from 'koa';
import { FhirError } from '../errors/fhir-error.ts';

const JSON_FORMATS = new Set(['json', 'application/json', 'application/fhir+json', 'application/json+fhir', 'text/json']);

function mediaType(value: string): string {
  return value.split(';')[0].trim().toLowerCase();
}

export const negotiateFormat: Middleware = async (ctx, next) => {
  const format = ctx.query._format;
  if (typeof format === 'string' && format !== '' && !JSON_FORMATS.has(mediaType(format))) {
    throw FhirError.of('not-acceptable', 'not-supported', `_format '${format}' is not supported; this server speaks application/fhir+json`);
  }
  const accept = ctx.get('accept');
  if (!format && accept && !ctx.accepts('application/fhir+json', 'application/json', 'application/json+fhir', 'text/json')) {
    throw FhirError.of('not-acceptable', 'not-supported', `Accept '${accept}' is not supported; this server speaks application/fhir+json`);
  }
  await next();
};

/** The request's body media type must be JSON (or JSON Patch for PATCH). */
export function assertJsonBody(contentType: string, allowPatch: boolean): void {
  const type = mediaType(contentType);
  if (JSON_FORMATS.has(type)) return;
  if (allowPatch && type === 'application/json-patch+json') return;
  throw FhirError.of(
    'unsupported-media-type',
    'not-supported',
    `Content-Type '${contentType || '(none)'}' is not supported; send application/fhir+json${allowPatch ? ' or application/json-patch+json' : ''}`,
  );
}
