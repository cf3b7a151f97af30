import assert from 'node:assert/strict';
import { anyLiteral, escapeRegex, splitParts, splitValues, unescapeValue } from './split-values.ts';

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
  it('anyLiteral finds the texts given, metacharacters included', () => {
    const texts = ['zq1', 'zq12', 'zq2', 'a.b', '(x', 'é'];
    const re = new RegExp(`^(?:${anyLiteral(texts)})$`);
    for (const t of ['zq1', 'zq2', 'a.b', '(x', 'é']) assert.ok(re.test(t), t);
    for (const t of ['zq', 'zq3', 'axb', 'x', '']) assert.ok(!re.test(t), t);
    assert.ok(new RegExp(anyLiteral(texts)).test('--zq12--'), 'zq12 contains zq1');
  });
});
