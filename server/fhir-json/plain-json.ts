/**
 * When the engine's JSON.parse and JSON.stringify give exactly what lossless-json gives (fhir-json.ts), they
 * are used instead: they are native and several times faster. Both libraries read the same JSON grammar, so
 * on valid text they differ only by numbers whose text does not survive a round trip through a JS number
 * (`13.50`, `1e3`, `-0`, 20 digits: lossless-json keeps them as LosslessNumber) and duplicate keys
 * (lossless-json refuses one with a different value; JSON.parse keeps the last). Serialising, lossless-json
 * differs by LosslessNumber and BigInt, by toJSON called without a key, and by `{\n\n}` for a pretty-printed
 * object whose every value is undefined. Anything else goes to lossless-json, errors included.
 */

/** Deeper than this lossless-json decides (it recurses and overflows the stack at a few thousand levels). */
export const MAX_DEPTH = 500;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d;
}

/**
 * For JSON text: the number of object keys it writes, when every number outside strings reads back as the
 * same text (String(Number(t)) === t) and nesting stays within MAX_DEPTH; otherwise undefined. Malformed text
 * may get any answer: JSON.parse rejects it afterwards.
 */
export function plainKeyCount(text: string): number | undefined {
  const n = text.length;
  let keys = 0;
  let depth = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // A string ends at the first quote preceded by an even number of backslashes.
      let end = text.indexOf('"', i + 1);
      for (;;) {
        if (end < 0) return undefined;
        let b = end - 1;
        while (text.charCodeAt(b) === BACKSLASH) b--;
        if ((end - 1 - b) % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      i = end + 1;
      while (i < n && isWhitespace(text.charCodeAt(i))) i++;
      if (text.charCodeAt(i) === 0x3a) keys++;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      i++;
      while (i < n && isNumberChar(text.charCodeAt(i))) i++;
      const token = text.slice(start, i);
      if (String(Number(token)) !== token) return undefined;
    } else {
      if (c === 0x7b || c === 0x5b) {
        if (++depth > MAX_DEPTH) return undefined;
      } else if (c === 0x7d || c === 0x5d) {
        depth--;
      }
      i++;
    }
  }
  return keys;
}

/**
 * True when JSON text nests objects and arrays deeper than `max` (strings skipped). lossless-json and every
 * recursive walk after it (toPlain, validation, stringify) overflow the stack a few thousand levels down, so
 * parseFhirJson refuses such text before parsing it.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === BACKSLASH) i++;
        else if (d === QUOTE) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/** Object keys in a JSON.parse result (fewer than the text wrote when a key repeats). */
export function keyCount(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (const item of value) count += keyCount(item);
    return count;
  }
  for (const key in value) {
    count += 1 + keyCount((value as Record<string, unknown>)[key]);
  }
  return count;
}

/**
 * True when JSON.stringify writes `value` as lossless-json would: only plain objects, arrays, strings,
 * finite or not numbers, booleans and null (undefined, functions and symbols, skipped alike by both, only when
 * not `pretty`), within MAX_DEPTH (a cycle goes to lossless-json too).
 */
export function isPlainTree(value: unknown, pretty: boolean, depth = 0): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return true;
    case 'undefined':
    case 'function':
    case 'symbol':
      return !pretty;
    case 'object':
      break;
    default:
      return false;
  }
  if (depth >= MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (!isPlainTree(item, pretty, depth + 1)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  // JSON.stringify passes toJSON its key, lossless-json does not.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  for (const key in value) {
    if (!isPlainTree((value as Record<string, unknown>)[key], pretty, depth + 1)) return false;
  }
  return true;
}
