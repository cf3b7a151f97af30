import assert from 'node:assert/strict';
import { Query } from 'mingo';
import type { Filter, StoredDocument } from '../port.ts';
import { equalityMatcher, matcherOf } from './equality-match.ts';

describe('equality matching without mingo (equality-match.ts)', function () {
  const values = ['a', 'b', '', '1', 'true', 1, 0, -0, 2.5, true, false];
  const fieldValues: unknown[] = [
    ...values,
    undefined,
    null,
    [],
    ['a'],
    ['b', 1],
    [['a']],
    [null],
    [true, 0],
    { a: 'a' },
    [{ a: 'a' }],
    NaN,
  ];
  const docs: StoredDocument[] = fieldValues.flatMap((x, i) =>
    fieldValues.map((y, j) => {
      const doc: StoredDocument = { _id: `d${i}-${j}` };
      if (x !== undefined) doc.x = x;
      if (y !== undefined) doc.y = y;
      return doc;
    }),
  );

  it('matches exactly as mingo does, field by field and inside $and', function () {
    const filters: Filter[] = [{}, { $and: [] }];
    for (const a of values) {
      filters.push({ x: a }, { $and: [{ x: a }] });
      for (const b of values) filters.push({ x: a, y: b }, { $and: [{ x: a }, { $and: [{ y: b }] }] }, { x: a, $and: [{ x: b }] });
    }
    for (const filter of filters) {
      const fast = equalityMatcher(filter);
      assert.ok(fast, JSON.stringify(filter));
      const query = new Query(filter);
      for (const doc of docs) assert.equal(fast(doc), query.test(doc), `${JSON.stringify(filter)} on ${doc._id}`);
    }
  });

  it('leaves every other filter to mingo', function () {
    const others: Filter[] = [
      { x: null },
      { x: NaN },
      { x: /a/ },
      { x: { $eq: 'a' } },
      { x: ['a'] },
      { 'x.y': 'a' },
      { $or: [{ x: 'a' }] },
      { $and: [{ x: 'a' }, { y: { $ne: 'b' } }] },
      { $and: { x: 'a' } as unknown as Filter[] },
      JSON.parse('{"__proto__": "a"}') as Filter,
    ];
    for (const filter of others) assert.equal(equalityMatcher(filter), undefined, JSON.stringify(filter));
    const ne = matcherOf({ x: { $ne: 'a' } });
    assert.equal(ne({ _id: '1', x: 'b' }), true);
    assert.equal(ne({ _id: '2', x: ['a'] }), false);
  });
});
