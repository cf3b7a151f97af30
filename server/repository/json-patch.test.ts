import assert from 'node:assert/strict';
import { FhirError } from '../errors/fhir-error.ts';
import type { JsonObject } from '../fhir-json/fhir-json.ts';
import { applyJsonPatch, MAX_PATCH_OPERATIONS } from './json-patch.ts';

const resource = (): JsonObject => ({ resourceType: 'Patient', id: 'p', name: [{ family: 'Doe' }] });
const size = (r: JsonObject) => Buffer.byteLength(JSON.stringify(r));
const kindOf = (fn: () => void): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    assert.ok(err instanceof FhirError, String(err));
    return `${err.kind} ${err.outcome.issue[0].expression?.[0] ?? ''}`;
  }
};

describe('applyJsonPatch (RFC 6902 with bounds)', () => {
  it('applies operations in order, in place', () => {
    const r = resource();
    applyJsonPatch(
      r,
      [
        { op: 'add', path: '/gender', value: 'female' },
        { op: 'copy', from: '/name/0', path: '/name/-' },
        { op: 'remove', path: '/name/0' },
      ],
      size(r),
      10_000,
    );
    assert.deepEqual(r, { resourceType: 'Patient', id: 'p', name: [{ family: 'Doe' }], gender: 'female' });
  });

  it('stops at the first failing operation and names it', () => {
    const r = resource();
    assert.equal(
      kindOf(() =>
        applyJsonPatch(
          r,
          [
            { op: 'test', path: '/name/0/family', value: 'Roe' },
            { op: 'add', path: '/active', value: true },
          ],
          size(r),
          10_000,
        ),
      ),
      'unprocessable operation[0]',
    );
    assert.equal(r.active, undefined);
  });

  it('bounds operations, copies and the resulting size; checks each operation before applying any', () => {
    const r = resource();
    const n = size(r);
    const many = Array.from({ length: MAX_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '/id', value: 'p' }));
    assert.equal(
      kindOf(() => applyJsonPatch(r, many, n, 10_000)),
      `too-costly operation[${MAX_PATCH_OPERATIONS}]`,
    );
    const doubling = Array.from({ length: 10 }, () => ({ op: 'copy', from: '/name', path: '/name/-' }));
    assert.match(
      kindOf(() => applyJsonPatch(resource(), doubling, n, 10_000))!,
      /^too-costly operation\[\d\]$/,
    );
    assert.equal(
      kindOf(() => applyJsonPatch(resource(), [{ op: 'add', path: '/text', value: 'x'.repeat(200) }], n, n + 100)),
      'too-large operation[0]',
    );
    assert.equal(
      kindOf(() =>
        applyJsonPatch(
          r,
          [
            { op: 'add', path: '/active', value: true },
            { op: 'replace', path: 'active', value: false },
          ],
          n,
          10_000,
        ),
      ),
      'invalid operation[1].path',
    );
    assert.equal(r.active, undefined, 'a malformed operation is found before the first one is applied');
    assert.equal(
      kindOf(() => applyJsonPatch(r, { op: 'add' }, n, 10_000)),
      'invalid ',
    );
  });
});
