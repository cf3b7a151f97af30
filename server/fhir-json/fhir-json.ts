/**
 * FHIR JSON with exact decimals. FHIR says the precision of a decimal is significant
 * (https://hl7.org/fhir/R4/datatypes.html#decimal): `13.50` must come back as `13.50`, which JSON.parse
 * cannot do. We parse with lossless-json: a number whose text survives a round trip through a JS number stays
 * a plain number; any other (`13.50`, `1e3`, 20-digit integers) becomes a LosslessNumber that keeps its text and
 * is written back verbatim. Validation, FHIRPath and search indexing see `toPlain(value)`, with plain numbers.
 */
import { isLosslessNumber, LosslessNumber, parse, stringify } from 'lossless-json';
import { isPlainTree, keyCount, MAX_DEPTH, nestsDeeperThan, plainKeyCount } from './plain-json.ts';

export type JsonValue = string | number | boolean | null | LosslessNumber | JsonValue[] | { [key: string]: JsonValue };

function parseNumber(text: string): number | LosslessNumber {
  const n = Number(text);
  return String(n) === text ? n : new LosslessNumber(text);
}

/** JSON text nesting objects and arrays deeper than MAX_DEPTH: refused rather than overflowing the stack. */
export class JsonTooDeepError extends Error {
  constructor() {
    super(`JSON nests objects and arrays deeper than ${MAX_DEPTH} levels`);
    this.name = 'JsonTooDeepError';
  }
}

/**
 * Parses JSON text keeping decimal precision; throws SyntaxError on malformed JSON and on duplicate keys (with
 * different values), JsonTooDeepError past MAX_DEPTH. JSON.parse when that gives the same value (plain-json.ts),
 * else lossless-json.
 */
export function parseFhirJson(text: string): JsonValue {
  const keys = plainKeyCount(text);
  // plainKeyCount answers only within MAX_DEPTH; the depth is scanned on its own only for the text it gives up on.
  if (keys === undefined && nestsDeeperThan(text, MAX_DEPTH)) throw new JsonTooDeepError();
  if (keys !== undefined) {
    let value: JsonValue | undefined;
    try {
      value = JSON.parse(text) as JsonValue;
    } catch {
      // lossless-json below gives the error its own words.
    }
    if (value !== undefined && keyCount(value) === keys) return value;
  }
  return parse(text, null, parseNumber) as JsonValue;
}

/** Serialises, writing every number exactly as it was received (JSON.stringify when it writes the same). */
export function stringifyFhirJson(value: unknown, pretty = false): string {
  if (isPlainTree(value, pretty)) return JSON.stringify(value, undefined, pretty ? 2 : undefined) ?? 'null';
  return stringify(value as JsonValue, undefined, pretty ? 2 : undefined) ?? 'null';
}

/** A copy with plain JS numbers, for code that expects JSON.parse output (validators, FHIRPath). */
export function toPlain<T = unknown>(value: JsonValue): T {
  return (containsLossless(value) ? plainCopy(value) : value) as T;
}

function containsLossless(value: JsonValue): boolean {
  if (isLosslessNumber(value)) return true;
  if (Array.isArray(value)) return value.some(containsLossless);
  if (value !== null && typeof value === 'object') return Object.values(value).some(containsLossless);
  return false;
}

function plainCopy(value: JsonValue): unknown {
  if (isLosslessNumber(value)) return Number(value.value);
  if (Array.isArray(value)) return value.map(plainCopy);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plainCopy(v);
    return out;
  }
  return value;
}

export type JsonObject = { [key: string]: JsonValue };

/** A JSON object (not an array, not null, not a LosslessNumber): the one such test, for parsed and plain values. */
export function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !isLosslessNumber(value);
}

/**
 * A received JSON value as text for an error message: `String(value)` calls a `toString` the client may have
 * sent as a member (`{"toString":1}` throws), so a non-string is written as JSON, and anything is cut to 80.
 */
export function shown(value: JsonValue | undefined): string {
  const text = typeof value === 'string' ? value : (stringifyFhirJson(value) ?? 'undefined');
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
