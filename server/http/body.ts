/**
 * Reads and parses a JSON or form request body within the configured size limit (413 beyond it, before reading it all).
 */
import getRawBody from 'raw-body';
import type { Context } from 'koa';
import { JsonTooDeepError, parseFhirJson, type JsonValue } from '../fhir-json/fhir-json.ts';
import { MAX_DEPTH } from '../fhir-json/plain-json.ts';
import { badRequest, FhirError } from '../errors/fhir-error.ts';
import { assertJsonBody } from './format.ts';

export async function readJsonBody(ctx: Context, maxBytes: number, allowPatch = false): Promise<JsonValue> {
  assertJsonBody(ctx.get('content-type'), allowPatch);
  const text = await readText(ctx, maxBytes);
  if (text.trim() === '') throw badRequest('The body is empty');
  try {
    return parseFhirJson(text);
  } catch (err) {
    if (err instanceof JsonTooDeepError) {
      throw FhirError.of('too-costly', 'too-costly', `The body nests JSON objects and arrays deeper than ${MAX_DEPTH} levels`);
    }
    throw FhirError.of('invalid', 'structure', `The body is not valid JSON: ${(err as Error).message}`);
  }
}

/** An `application/x-www-form-urlencoded` body (`POST [type]/_search`) as ordered `name=value` pairs. */
export async function readFormBody(ctx: Context, maxBytes: number): Promise<[string, string][]> {
  const type = ctx.get('content-type').split(';')[0].trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw FhirError.of(
      'unsupported-media-type',
      'not-supported',
      `POST _search takes an application/x-www-form-urlencoded body, got '${type || '(none)'}'`,
    );
  }
  return [...new URLSearchParams(await readText(ctx, maxBytes))];
}

/** The body as text, 413 (too-large) beyond `maxBytes`, before reading it all when Content-Length says so. */
async function readText(ctx: Context, maxBytes: number): Promise<string> {
  const declared = Number(ctx.get('content-length') || NaN);
  if (declared > maxBytes) throw FhirError.of('too-large', 'too-costly', `The body is larger than the limit of ${maxBytes} bytes`);
  try {
    return await getRawBody(ctx.req, { limit: maxBytes, encoding: 'utf8' });
  } catch (err) {
    if ((err as { type?: string }).type === 'entity.too.large') {
      throw FhirError.of('too-large', 'too-costly', `The body is larger than the limit of ${maxBytes} bytes`);
    }
    throw badRequest(`Could not read the body: ${(err as Error).message}`);
  }
}
