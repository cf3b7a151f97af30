import assert from 'node:assert/strict';
import { validate, version } from 'uuid';
import { newResourceId } from './new-id.ts';

describe('newResourceId', () => {
  it('gives valid, distinct UUIDv7 ids, each greater than the one before (across refills of the random pool)', () => {
    const ids = Array.from({ length: 2000 }, () => newResourceId());
    for (const id of ids) {
      assert.ok(validate(id) && version(id) === 7, id);
      assert.match(id, /^[A-Za-z0-9\-.]{1,64}$/); // a FHIR id (datatypes.html#id)
    }
    for (let i = 1; i < ids.length; i++) assert.ok(ids[i - 1] < ids[i], `${ids[i - 1]} < ${ids[i]}`);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('carries the creation time in its first 48 bits (RFC 9562 section 5.7)', () => {
    const before = Date.now();
    const id = newResourceId();
    const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    assert.ok(ms >= before && ms <= Date.now() + 1, `${ms} in [${before}, now]`);
  });
});
