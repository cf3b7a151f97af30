import assert from 'node:assert/strict';
import { allOf, anyOf } from './filter-algebra.ts';

const a = { tok: 'a' };
const b = { tok: 'b' };

describe('access filter algebra (server/access/filter-algebra.ts)', () => {
  it('allOf: nothing wins, everything drops out, a repeated part counts once', () => {
    assert.equal(allOf([a, undefined]), undefined);
    assert.deepEqual(allOf([]), {});
    assert.deepEqual(allOf([{}, {}]), {});
    assert.equal(allOf([{}, a, a]), a);
    assert.deepEqual(allOf([a, b]), { $and: [a, b] });
  });

  it('anyOf: empty is nothing, everything wins', () => {
    assert.equal(anyOf([]), undefined);
    assert.equal(anyOf([undefined]), undefined);
    assert.deepEqual(anyOf([a, {}]), {});
    assert.equal(anyOf([a, undefined, a]), a);
    assert.deepEqual(anyOf([a, b]), { $or: [a, b] });
  });
});
