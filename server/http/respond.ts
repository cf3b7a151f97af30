/**
 * Writing FHIR responses: content type, `_pretty`, version headers (https://hl7.org/fhir/R4/http.html#versioning).
 */
import type { Context } from 'koa';
import { parseFhirJson, stringifyFhirJson } from '../fhir-json/fhir-json.ts';
import { outcome } from '../errors/outcome.ts';
import { httpStatus } from './status.ts';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

function pretty(ctx: Context): boolean {
  return ctx.query._pretty === 'true';
}

/** Sends a JS value (OperationOutcome, Bundle, CapabilityStatement). */
export function sendJson(ctx: Context, status: number, value: unknown): void {
  let text: string;
  try {
    text = stringifyFhirJson(value, pretty(ctx));
  } catch (err) {
    // Past V8's longest string or nested past the stack: MAX_RESPONSE_BYTES should have stopped it earlier.
    if (!(err instanceof RangeError)) throw err;
    status = httpStatus('too-costly');
    text = stringifyFhirJson(outcome('error', 'too-costly', 'The response is too large or too deeply nested to be written'));
  }
  ctx.status = status;
  ctx.type = FHIR_JSON;
  ctx.body = text;
}

/** Sends stored resource text as it is (it is already exact FHIR JSON), pretty-printed on request. */
export function sendResourceText(ctx: Context, status: number, text: string): void {
  ctx.status = status;
  ctx.type = FHIR_JSON;
  ctx.body = pretty(ctx) ? stringifyFhirJson(parseFhirJson(text), true) : text;
}

export function setVersionHeaders(ctx: Context, versionId: number, lastUpdated: string): void {
  ctx.set('ETag', `W/"${versionId}"`);
  ctx.set('Last-Modified', new Date(lastUpdated).toUTCString());
}

/** `Prefer: return=minimal | representation | OperationOutcome` (https://hl7.org/fhir/R4/http.html#ops). */
export function preferredReturn(ctx: Context): 'minimal' | 'representation' | 'OperationOutcome' {
  const m = /return=(minimal|representation|OperationOutcome)/i.exec(ctx.get('prefer'));
  if (!m) return 'representation';
  const v = m[1].toLowerCase();
  return v === 'minimal' ? 'minimal' : v === 'operationoutcome' ? 'OperationOutcome' : 'representation';
}
