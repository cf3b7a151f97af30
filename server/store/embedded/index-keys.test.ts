import assert from 'node:assert/strict';
import { INDEXES } from '../port.ts';
import { compileIndexKeys, keyIdentity } from './compiled-index-keys.ts';
import { indexKeys, markMultiValued, valuesAtPath, type MultiValued } from './index-keys.ts';

/** A small deterministic generator (mulberry32), so a failure names a reproducible seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Documents of every shape an index field may meet: missing, null, empty and nested arrays, duplicates,
 * sub-documents with and without the indexed fields, objects where scalars are expected, strings longer than
 * an index key holds (equal once cut), and numbers, booleans, NaN and -0.
 */
function documents(count: number, seed: number): Record<string, unknown>[] {
  const rnd = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)];
  const long = 'x'.repeat(420);
  const scalar = () => pick(['a', 'b', 'a', 'code|1|s', 1, 2, 1, true, false, null, NaN, -0, 0, `${long}1`, `${long}2`, '']);
  const value = (depth: number): unknown => {
    const r = rnd();
    if (r < 0.5 || depth > 2) return scalar();
    if (r < 0.8) return Array.from({ length: Math.floor(rnd() * 4) }, () => value(depth + 1));
    if (r < 0.9) return undefined;
    return { p: scalar() };
  };
  const element = (): unknown => {
    const r = rnd();
    if (r < 0.1) return pick([null, 'p', 3, undefined]);
    if (r < 0.15) return [element(), element()];
    const e: Record<string, unknown> = {};
    for (const f of ['p', 'lo', 'hi', 'tok']) if (rnd() < 0.8) e[f] = value(1);
    return e;
  };
  const group = (): unknown => {
    const r = rnd();
    if (r < 0.1) return undefined;
    if (r < 0.15) return pick([null, 'dt', 7]);
    if (r < 0.25) return element();
    return Array.from({ length: Math.floor(rnd() * 5) }, element);
  };
  return Array.from({ length: count }, () => {
    const doc: Record<string, unknown> = { _id: 'x' };
    for (const f of [
      'resourceType',
      'lastUpdated',
      'deleted',
      'tok',
      'ref',
      'str',
      'uri',
      'strx',
      'status',
      'receivedAt',
      'id',
      'versionId',
    ]) {
      const v = rnd() < 0.7 ? value(0) : undefined;
      if (v !== undefined || rnd() < 0.5) doc[f] = v;
    }
    for (const f of ['dt', 'num', 'cmp']) {
      const g = group();
      if (g !== undefined || rnd() < 0.5) doc[f] = g;
    }
    return doc;
  });
}

/** The index shapes Fhirline declares, and a few more. */
const SHAPES = [
  ...INDEXES.map((i) => i.fields),
  ['dt.p'],
  ['dt.p', 'dt.lo', 'num.lo'],
  ['dt.p', 'resourceType', 'dt.lo'],
  ['dt.p', 'dt.lo', 'dt.hi', 'tok'],
  ['cmp.tok.p', 'tok'],
].map((fields) => fields.map((f) => f.split('.')));

/** The reference: every flag found from all the values, as first written. */
function multiValuedFields(doc: unknown, paths: string[][]): MultiValued {
  const several = (values: unknown[]) => values.length > 1 && new Set(values).size > 1;
  const perDocument = paths.map((p) => several(valuesAtPath(doc, p)));
  const perElement = paths.map((p, i) => {
    if (p.length < 2) return perDocument[i];
    const head = doc !== null && typeof doc === 'object' ? (doc as Record<string, unknown>)[p[0]] : undefined;
    return (Array.isArray(head) ? head : [head]).some((element) => several(valuesAtPath(element, p.slice(1))));
  });
  return { perDocument, perElement };
}

describe('index keys (index-keys.ts)', function () {
  const many = (n: number) => Array.from({ length: n }, (_, i) => (i % 3 === 0 ? i % 7 : `v${i % 11}`));
  const docs = [
    ...documents(3000, 7),
    // Long lists with repeats (distinct values found by a Set rather than by comparing each pair).
    {
      resourceType: 'Basic',
      tok: many(40),
      cmp: [{ tok: many(30) }, { tok: many(20) }],
      dt: many(24).map((v, i) => ({ p: `p${i % 4}`, lo: v })),
    },
  ];

  it('the compiled keys are the generic ones, in the same order', function () {
    for (const paths of SHAPES) {
      const compiled = compileIndexKeys(paths);
      docs.forEach((doc, n) => assert.deepEqual(compiled(doc), indexKeys(doc, paths), `doc ${n} of ${paths.join()}`));
      for (const odd of [null, 'text', [docs[0], docs[1]]]) assert.deepEqual(compiled(odd), indexKeys(odd, paths));
    }
  });

  it('key identities are equal exactly when the JSON texts are', function () {
    const values = ['', 'a', 'a:', 's1:a', '1', 'null', 'true', 1, 10, 1.5, -0, 0, NaN, Infinity, -Infinity, null, true, false];
    const keys = values.flatMap((a) => [[a], ...values.map((b) => [a, b])]);
    for (const a of keys)
      for (const b of keys)
        assert.equal(
          keyIdentity(a) === keyIdentity(b),
          JSON.stringify(a) === JSON.stringify(b),
          `${JSON.stringify(a)} ${JSON.stringify(b)}`,
        );
  });

  it('multi-valued flags: set from the unset ones only, the same as found from all values', function () {
    for (const paths of SHAPES) {
      const multi: MultiValued = { perDocument: paths.map(() => false), perElement: paths.map(() => false) };
      const expected: MultiValued = { perDocument: paths.map(() => false), perElement: paths.map(() => false) };
      docs.forEach((doc, n) => {
        const found = multiValuedFields(doc, paths);
        const before = JSON.stringify(expected);
        for (const side of ['perDocument', 'perElement'] as const) found[side].forEach((several, i) => (expected[side][i] ||= several));
        // Each document alone too, not only the running union.
        const alone: MultiValued = { perDocument: paths.map(() => false), perElement: paths.map(() => false) };
        assert.equal(markMultiValued(alone, doc, paths), [...found.perDocument, ...found.perElement].some(Boolean));
        assert.deepEqual(alone, found, `doc ${n} of ${paths.join()}`);
        assert.equal(markMultiValued(multi, doc, paths), JSON.stringify(expected) !== before, `doc ${n} of ${paths.join()}`);
        assert.deepEqual(multi, expected);
      });
    }
  });
});
