/**
 * JSON Patch (RFC 6902, https://www.rfc-editor.org/rfc/rfc6902) applied to a stored resource for PATCH
 * (https://hl7.org/fhir/R4/http.html#patch), with bounds: a patch of a few KB could otherwise double a resource
 * with each `copy` until the server runs out of memory. A patch has at most MAX_PATCH_OPERATIONS operations; its
 * copies together may duplicate at most as many bytes as the resource held before the patch (too-costly: the
 * work of a patch stays proportional to the resource and the request); and the resource may never grow past the
 * body limit, MAX_BODY_BYTES (too-large: a PATCH may not store what a PUT could not send). The size is bounded
 * from above before each operation (what add, replace, copy and move can add; removals are not subtracted).
 */
import { applyPatch, Pointer, type Operation } from 'rfc6902';
import { badRequest, FhirError, tooCostly, tooLarge } from '../errors/fhir-error.ts';
import { stringifyFhirJson, type JsonObject, type JsonValue } from '../fhir-json/fhir-json.ts';

/** Most operations in one JSON Patch; each may shift an array of the resource, so they are bounded too. */
export const MAX_PATCH_OPERATIONS = 1000;

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/**
 * Applies `patch` to `resource` in place, operation by operation, stopping at the first that fails (RFC 6902
 * section 5). `size` is the resource's JSON text length in bytes; `maxBytes` the largest it may reach.
 */
export function applyJsonPatch(resource: JsonObject, patch: JsonValue, size: number, maxBytes: number): void {
  if (!Array.isArray(patch)) throw badRequest('A JSON Patch body must be an array of operations');
  if (patch.length > MAX_PATCH_OPERATIONS) {
    throw tooCostly(
      `A JSON Patch has at most ${MAX_PATCH_OPERATIONS} operations; this one has ${patch.length}`,
      `operation[${MAX_PATCH_OPERATIONS}]`,
    );
  }
  const operations = patch.map((op, i) => checkOperation(op, i));
  let bound = size;
  let copied = 0;
  for (const [i, operation] of operations.entries()) {
    const growth = growthOf(resource, operation);
    if (operation.op === 'copy' && (copied += growth) > size) {
      throw tooCostly(
        `JSON Patch operation ${i} (${describe(operation)}): the copies of one patch may duplicate at most the ${size} bytes the resource held`,
        `operation[${i}]`,
      );
    }
    bound += growth;
    if (bound > maxBytes) {
      throw tooLarge(
        `JSON Patch operation ${i} (${describe(operation)}) would make the resource larger than ${maxBytes} bytes, the body limit`,
        `operation[${i}]`,
      );
    }
    const [error] = applyPatch(resource, [operation]);
    if (error) {
      throw FhirError.of(
        'unprocessable',
        'processing',
        `JSON Patch operation ${i} (${describe(operation)}) failed: ${error.message}`,
        `operation[${i}]`,
      );
    }
  }
}

/** RFC 6902 section 4: `op`, a JSON Pointer `path`, `from` for move and copy, `value` for add, replace and test. */
function checkOperation(op: JsonValue, i: number): Operation {
  const at = `operation[${i}]`;
  if (op === null || typeof op !== 'object' || Array.isArray(op)) throw badRequest(`JSON Patch operation ${i} is not an object`, at);
  const { op: name, path, from } = op as JsonObject;
  if (typeof name !== 'string' || !OPS.has(name))
    throw badRequest(`JSON Patch operation ${i}: op must be one of ${[...OPS].join(', ')}`, `${at}.op`);
  if (!isPointer(path))
    throw badRequest(`JSON Patch operation ${i} (${name}): path must be a JSON Pointer ('' or starting with '/')`, `${at}.path`);
  if ((name === 'move' || name === 'copy') && !isPointer(from)) {
    throw badRequest(`JSON Patch operation ${i} (${name}): from must be a JSON Pointer ('' or starting with '/')`, `${at}.from`);
  }
  for (const [key, pointer] of [
    ['path', path],
    ['from', from],
  ] as const) {
    if (typeof pointer === 'string' && throughPrototype(pointer)) {
      throw badRequest(
        `JSON Patch operation ${i} (${name}): ${key} names a member of Object (__proto__, constructor, toString, ...)`,
        `${at}.${key}`,
      );
    }
  }
  if ((name === 'add' || name === 'replace' || name === 'test') && !('value' in op)) {
    throw badRequest(`JSON Patch operation ${i} (${name}): value is missing`, `${at}.value`);
  }
  return op as unknown as Operation;
}

/** A reference token (RFC 6901, `~1` and `~0` unescaped) that would reach Object.prototype rather than the resource. */
function throughPrototype(pointer: string): boolean {
  return pointer
    .split('/')
    .slice(1)
    .some((token) => token.replace(/~1/g, '/').replace(/~0/g, '~') in Object.prototype);
}

function isPointer(value: JsonValue | undefined): value is string {
  return typeof value === 'string' && (value === '' || value.startsWith('/'));
}

/** The most bytes an operation can add to the resource's JSON text: the value it puts there and its key. */
function growthOf(resource: JsonObject, operation: Operation): number {
  switch (operation.op) {
    case 'add':
    case 'replace':
      return operation.path.length + 4 + bytesOf(operation.value);
    case 'copy': {
      const value: unknown = Pointer.fromJSON(operation.from).get(resource);
      return value === undefined ? 0 : operation.path.length + 4 + bytesOf(value);
    }
    case 'move':
      return operation.path.length + 4;
    default:
      return 0;
  }
}

function bytesOf(value: unknown): number {
  return Buffer.byteLength(stringifyFhirJson(value ?? null));
}

function describe(operation: Operation): string {
  return operation.op === 'move' || operation.op === 'copy'
    ? `${operation.op} from ${operation.from} to ${operation.path}`
    : `${operation.op} ${operation.path}`;
}
