import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Query } from 'mingo';
import type { ResourceDocument } from '../documents.ts';
import { INDEXES, type Filter } from '../port.ts';
import { EmbeddedStore } from './embedded-store.ts';
import { conjunctiveConditions, indexPlans } from './index-plan.ts';

/** A resource document with search values; `n` spreads lastUpdated and dates over the keys. */
function doc(id: string, n: number, values: Partial<ResourceDocument> = {}): ResourceDocument {
  const day = `2020-01-${String((n % 28) + 1).padStart(2, '0')}`;
  return {
    _id: `Observation/${id}`,
    resourceType: 'Observation',
    id,
    versionId: 1,
    lastUpdated: `2024-01-01T00:${String(Math.floor(n / 60) % 60).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}.000Z`,
    deleted: false,
    content: '{}',
    tok: [n % 2 === 0 ? 'code|common|http://loinc.org' : 'code|other|http://loinc.org'],
    ref: [`subject|Patient/p${n % 50}`],
    str: [],
    dt: [{ p: 'date', lo: `${day}T00:00:00.000Z`, hi: `${day}T23:59:59.999Z` }],
    num: [],
    uri: [],
    ...values,
  };
}

describe('embedded store query plans (index-plan.ts, embedded-store.ts)', function () {
  let dir: string;
  let store: EmbeddedStore;
  const docs = Array.from({ length: 400 }, (_, n) => doc(`o${String(n).padStart(3, '0')}`, n));

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), 'fhirline-plan-'));
    store = new EmbeddedStore(dir);
    await store.open();
    await store.write(docs.map((d) => ({ op: 'insert' as const, collection: 'resources' as const, doc: d })));
  });
  after(async function () {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** What mingo alone answers over every document: the reference for every plan. */
  const expected = (filter: Filter) => docs.filter((d) => new Query(filter).test(d)).map((d) => d._id);
  const ids = async (filter: Filter, limit?: number) =>
    (await store.find<ResourceDocument>('resources', filter, { sort: { _id: 1 }, limit })).map((d) => d._id);
  const keysOf = (plan: string) => Number(/\((\d+) keys\)/.exec(plan)?.[1]);

  it('of two bound indexes, the one with fewer keys is used (a patient rather than a common code)', async function () {
    const filter = {
      $and: [{ resourceType: 'Observation' }, { deleted: false }, { tok: 'code|common|http://loinc.org' }, { ref: 'subject|Patient/p7' }],
    };
    const plan = await store.explain('resources', filter);
    assert.match(plan, /IXSCAN resources \{resourceType, ref\}/);
    assert.equal(keysOf(plan), 8);
    assert.deepEqual(await ids(filter), expected(filter));
  });

  it('an _id $in nested in $and (the matches of a _has) is looked up by primary key', async function () {
    const filter = {
      $and: [{ resourceType: 'Observation' }, { deleted: false }, { _id: { $in: ['Observation/o010', 'Observation/o003'] } }],
    };
    assert.match(await store.explain('resources', filter), /IXSCAN _id \(2 keys\)/);
    assert.deepEqual(await ids(filter), ['Observation/o003', 'Observation/o010']);
  });

  it('a range on a single-valued field uses both ends, also when it comes from an $or over that field', async function () {
    // `_lastUpdated=ge...` compiles to "above or within", `lt` to "below": together a window of 10 seconds.
    const filter = {
      $and: [
        { resourceType: 'Observation' },
        {
          $or: [
            { lastUpdated: { $gt: '2024-01-01T00:01:00.000Z' } },
            { lastUpdated: { $gte: '2024-01-01T00:01:00.000Z', $lte: '2024-01-01T00:01:00.000Z' } },
          ],
        },
        { lastUpdated: { $lt: '2024-01-01T00:01:10.000Z' } },
      ],
    };
    const plan = await store.explain('resources', filter);
    assert.match(plan, /lastUpdated/);
    assert.equal(keysOf(plan), 10);
    assert.deepEqual(await ids(filter), expected(filter));
  });

  it('on a multi-valued field a range is scanned from its lower end only, and still answered exactly', async function () {
    const extra = doc('multi', 1000, { tok: ['code|a|s', 'code|z|s'] });
    await store.write([{ op: 'insert', collection: 'resources', doc: extra }]);
    docs.push(extra);
    // MongoDB semantics: one value above 'code|m', another below 'code|n' - the document matches.
    const filter = { resourceType: 'Observation', tok: { $gt: 'code|m', $lt: 'code|n' } };
    assert.deepEqual(await ids(filter), expected(filter));
    assert.ok(expected(filter).includes('Observation/multi'));
  });

  it('a date eq bounds dt.lo at both ends through its $elemMatch', async function () {
    const filter = {
      $and: [
        { resourceType: 'Observation' },
        {
          'dt.p': 'date',
          dt: {
            $elemMatch: {
              p: 'date',
              lo: { $gte: '2020-01-05T00:00:00.000Z', $lte: '2020-01-05T23:59:59.999Z' },
              hi: { $lte: '2020-01-05T23:59:59.999Z' },
            },
          },
        },
      ],
    };
    const plan = await store.explain('resources', filter);
    assert.match(plan, /IXSCAN resources \{resourceType, dt.p, dt.lo\}/);
    assert.equal(keysOf(plan), expected(filter).length);
    assert.deepEqual(await ids(filter), expected(filter));
  });

  it('keyset pages on _id over one index key give the same pages as sorting every match', async function () {
    const filter = { $and: [{ resourceType: 'Observation' }, { deleted: false }, { tok: 'code|common|http://loinc.org' }] };
    const all = expected(filter).sort();
    const pages: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await ids(after ? { $and: [filter, { $or: [{ _id: { $gt: after } }] }] } : filter, 30);
      if (page.length === 0) break;
      pages.push(...page);
      after = page[page.length - 1];
    }
    assert.deepEqual(pages, all);
  });

  it('a count of a whole type is planned on {resourceType, deleted} and exact (tombstones and other types left out)', async function () {
    const tombstone = doc('gone', 7, { deleted: true, content: null, tok: [], ref: [], dt: [] });
    const patient = { ...doc('p', 1), _id: 'Patient/p', resourceType: 'Patient' };
    await store.write([tombstone, patient].map((d) => ({ op: 'insert' as const, collection: 'resources' as const, doc: d })));
    docs.push(tombstone, patient);
    const filter = { $and: [{ resourceType: 'Observation' }, { deleted: false }] };
    assert.match(await store.explain('resources', filter), /IXSCAN resources \{resourceType, deleted\}/);
    assert.equal(await store.count('resources', filter), expected(filter).length);
    const narrower = { $and: [filter, { ref: 'subject|Patient/p3' }] };
    assert.equal(await store.count('resources', narrower), expected(narrower).length);
    assert.deepEqual(await ids(filter, 5), expected(filter).sort().slice(0, 5));
  });

  it('two conditions on one index with few keys each are intersected before any document is read', async function () {
    const names = Array.from({ length: 60 }, (_, n) => ({
      ...doc(`n${n}`, n, { str: [`family|${n % 3 === 0 ? 'muller' : 'smith'}`, `given|${n % 4 === 0 ? 'zoe' : 'anna'}`] }),
      _id: `Patient/n${n}`,
      resourceType: 'Patient',
    }));
    await store.write(names.map((d) => ({ op: 'insert' as const, collection: 'resources' as const, doc: d })));
    docs.push(...names);
    const filter = { $and: [{ resourceType: 'Patient' }, { str: /^family\|mul/ }, { str: /^given\|zo/ }] };
    assert.match(
      await store.explain('resources', filter),
      /IXSCAN resources \{resourceType, str\} \(\d+ keys\) AND_SORTED IXSCAN \{resourceType, str\}/,
    );
    assert.deepEqual(await ids(filter), expected(filter));
    assert.equal(expected(filter).length, 5);
  });

  it('a lookup by identifier reads the one entry of its exact key, and finds what mingo alone finds', async function () {
    const tagged = doc('tagged', 3, { tok: ['code|common|http://loinc.org', 'identifier|X-1|urn:oid:1'] });
    await store.write([{ op: 'insert', collection: 'resources', doc: tagged }]);
    docs.push(tagged);
    const lookup = (tok: unknown[], type = 'Observation') => ({
      $and: [{ resourceType: type }, { deleted: false }, ...tok.map((t) => ({ tok: t }))],
    });
    assert.match(
      await store.explain('resources', lookup(['identifier|X-1|urn:oid:1'])),
      /IXSCAN resources \{resourceType, tok\} \(1 keys\)/,
    );
    const filters = [
      lookup(['identifier|X-1|urn:oid:1']),
      lookup(['code|common|http://loinc.org', 'identifier|X-1|urn:oid:1']),
      lookup(['identifier|X-1|urn:oid:1', 'code|other|http://loinc.org']),
      lookup(['identifier|none|urn:oid:1']),
      lookup(['identifier|X-1|urn:oid:1'], 'Condition'),
      { $and: [lookup(['identifier|X-1|urn:oid:1']), { lastUpdated: { $gt: '2000' } }] },
    ];
    for (const filter of filters) {
      assert.deepEqual(await ids(filter), expected(filter), JSON.stringify(filter));
      assert.equal(await store.count('resources', filter), expected(filter).length);
    }
  });

  it('keys of missing fields are left out, and no filter that a document missing the field can match reads them', async function () {
    const some = [0, 1, 2, 3].map((n) =>
      doc(`u${n}`, n, { uri: n === 3 ? ['uri|a', 'uri|b'] : [`uri|${n % 2 === 0 ? 'a' : 'b'}`], strx: n < 2 ? ['name|X'] : undefined }),
    );
    // Nulls where the search values never hold them: the store indexes any document.
    const odd = { ...doc('odd', 6), uri: [null], dt: [{ p: null, lo: null }], tok: null } as unknown as ResourceDocument;
    const without = [doc('bare', 5, { tok: [], ref: [], dt: [] }), odd];
    await store.write([...some, ...without].map((d) => ({ op: 'insert' as const, collection: 'resources' as const, doc: d })));
    docs.push(...some, ...without);
    const conditions: Filter[] = [
      {},
      { uri: null },
      { uri: { $eq: null } },
      { uri: { $in: ['uri|a', null] } },
      { uri: { $exists: false } },
      { uri: { $ne: 'uri|a' } },
      { uri: { $nin: ['uri|a'] } },
      { uri: { $not: /^uri\|a/ } },
      { uri: { $size: 0 } },
      { uri: [] },
      { $or: [{ uri: null }, { uri: 'uri|a' }] },
      { $nor: [{ uri: 'uri|a' }] },
      { 'dt.p': null },
      { 'dt.p': { $ne: 'date' } },
      { dt: { $elemMatch: { p: null } } },
      { dt: { $elemMatch: { p: 'date', lo: null } } },
      { 'dt.p': 'date', 'dt.lo': null },
      { strx: null },
      { tok: null },
      { ref: { $exists: false } },
      { uri: 'uri|a' },
      { uri: /^uri\|/ },
      { uri: { $gte: 'uri|b' } },
      { strx: 'name|X' },
    ];
    for (const condition of conditions) {
      const filter = { $and: [{ resourceType: 'Observation' }, condition] };
      assert.deepEqual(await ids(filter), expected(filter).sort(), JSON.stringify(condition));
      assert.equal(await store.count('resources', filter), expected(filter).length, JSON.stringify(condition));
    }
    assert.doesNotMatch(await store.explain('resources', { resourceType: 'Observation', uri: null }), /\{resourceType, uri\}/);
    assert.match(
      await store.explain('resources', { resourceType: 'Observation', uri: 'uri|a' }),
      /IXSCAN resources \{resourceType, uri\} \(3 keys\)/,
    );
  });

  it('an index is read for null only while no key has been left out of it', async function () {
    const fresh = new EmbeddedStore(await mkdtemp(join(tmpdir(), 'fhirline-plan-')));
    await fresh.open();
    try {
      const filter = { resourceType: 'Patient', 'num.p': null };
      await fresh.write([
        {
          op: 'insert',
          collection: 'resources',
          doc: { ...doc('with', 1, { num: [{ p: 'age', lo: 1, hi: 1 }] }), _id: 'Patient/with', resourceType: 'Patient' },
        },
      ]);
      assert.match(await fresh.explain('resources', filter), /\{resourceType, num.p\}/);
      const { num: _, ...without } = { ...doc('without', 2), _id: 'Patient/without', resourceType: 'Patient' };
      await fresh.write([{ op: 'insert', collection: 'resources', doc: without }]);
      assert.doesNotMatch(await fresh.explain('resources', filter), /num.p/);
      assert.deepEqual(
        (await fresh.find('resources', filter)).map((d) => d._id),
        ['Patient/without'],
      );
      // Kept across a restart.
      await fresh.close();
      await fresh.open();
      assert.doesNotMatch(await fresh.explain('resources', filter), /num.p/);
    } finally {
      await fresh.close();
    }
  });

  it('conditions of a one-branch $or must all hold; an $or over several fields binds nothing', function () {
    assert.deepEqual(conjunctiveConditions({ $or: [{ _id: { $gt: 'a' } }] }).get('_id'), [{ $gt: 'a' }]);
    assert.equal(conjunctiveConditions({ $or: [{ a: 1 }, { b: 2 }] }).size, 0);
    // Bounds of different types never make one covering range.
    assert.equal(conjunctiveConditions({ $or: [{ a: { $gt: 1 } }, { a: { $gt: 'x' } }] }).size, 0);
    assert.deepEqual(
      indexPlans(
        { resourceType: 'Observation' },
        INDEXES.filter((i) => i.collection === 'resources'),
      )[0].bounds,
      [{ values: ['Observation'] }],
    );
  });
});
