import assert from 'node:assert/strict';
import { escapeRegex, splitParts, splitValues, unescapeValue } from './split-values.ts';

describe('split-values (https://hl7.org/fhir/R4/search.html#escaping)', () => {
  it('"," separates values; "\\," is a literal comma', () => {
    assert.deepEqual(splitValues('a,b'), ['a', 'b']);
    assert.deepEqual(splitValues('a\\,b,c').map(unescapeValue), ['a,b', 'c']);
    assert.deepEqual(splitValues(''), ['']);
  });
  it('"|" separates the parts of a value; "\\|" and "\\\\" are literal', () => {
    assert.deepEqual(splitParts('http://s|c'), ['http://s', 'c']);
    assert.deepEqual(splitParts('a\\|b|c'), ['a|b', 'c']);
    assert.deepEqual(splitParts('a\\\\|c'), ['a\\', 'c']);
    assert.deepEqual(splitParts('x\\$y'), ['x$y']);
  });
  it('escapeRegex makes every metacharacter literal', () => {
    const text = '.*+?^${}()|[]\\/-';
    assert.ok(new RegExp(`^${escapeRegex(text)}$`).test(text));
    assert.ok(!new RegExp(`^${escapeRegex('a.c')}$`).test('abc'));
  });
});
