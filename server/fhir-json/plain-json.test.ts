import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { LosslessNumber, parse, stringify } from 'lossless-json';
import { parseFhirJson, stringifyFhirJson, type JsonValue } from './fhir-json.ts';
import { plainKeyCount } from './plain-json.ts';

/** What fhir-json.ts did with lossless-json alone, the reference for the JSON.parse / JSON.stringify path. */
function losslessParse(text: string): JsonValue {
  return parse(text, null, (t) => (String(Number(t)) === t ? Number(t) : new LosslessNumber(t))) as JsonValue;
}

function losslessStringify(value: unknown, pretty = false): string {
  return stringify(value as JsonValue, undefined, pretty ? 2 : undefined) ?? 'null';
}

function outcome(f: () => unknown): unknown {
  try {
    return { value: f() };
  } catch (e) {
    return { error: (e as Error).constructor.name, message: (e as Error).message };
  }
}

/** parseFhirJson and stringifyFhirJson (compact and pretty) give exactly what lossless-json gives. */
function assertSameAsLossless(text: string, label = text): void {
  const expected = outcome(() => losslessParse(text));
  assert.deepEqual(
    outcome(() => parseFhirJson(text)),
    expected,
    label,
  );
  if (!('value' in (expected as object))) return;
  const value = (expected as { value: JsonValue }).value;
  for (const pretty of [false, true]) {
    assert.equal(stringifyFhirJson(parseFhirJson(text), pretty), losslessStringify(value, pretty), `${label} (pretty: ${pretty})`);
  }
}

describe('fhir-json: JSON.parse/JSON.stringify only where they give what lossless-json gives', () => {
  it('on decimals that a JS number would change, numbers in strings and escaped quotes', () => {
    const cases = [
      '{"value":13.50}',
      '{"value":1e3,"b":1E3,"c":1e-7,"d":1.5e+300}',
      '{"value":-0,"b":0,"c":-1,"d":-0.0}',
      '{"value":0.10000000000000001,"b":0.1,"c":12345678901234567890,"d":9007199254740993}',
      '{"text":"13.50 and -0 and 1e3","n":[1,2.5,-3]}',
      '{"text":"say \\"13.50\\" now","n":13.50}',
      '{"text":"ends with a backslash \\\\","n":1.0}',
      '{"text":"\\\\\\"1.50\\\\","n":2}',
      '{"a":"\\u0041\\/\\b\\f\\n\\r\\t","b":"é😀"}',
      ' \n\t{ "a" : [ 1 , 2 ] , "b" : { } , "c" : [ ] }\r\n',
      '13.50',
      '1',
      '"x"',
      'null',
      '[true,false,null]',
      '{"__proto__":{"a":1},"b":2}',
      '{"0":"a","b":"c","1":"d"}',
    ];
    for (const text of cases) assertSameAsLossless(text);
  });

  it('refuses duplicate keys with different values with the same message, and keeps equal ones', () => {
    for (const text of [
      '{"a":1,"a":2}',
      '{"a":{"b":1,"b":[1]}}',
      '{"a":1,"a":1}',
      '{"a":{"x":1.50},"a":{"x":1.50}}',
      '[{"a":1},{"a":1,"a":1}]',
    ]) {
      assertSameAsLossless(text);
    }
    assert.throws(() => parseFhirJson('{"a":1,"a":2}'), /Duplicate key 'a'/);
  });

  it('reports malformed JSON in lossless-json words', () => {
    for (const text of [
      '',
      ' ',
      '{',
      '{"a":1,}',
      '[1,]',
      '01',
      '1.',
      '-',
      '.5',
      '+1',
      '"a',
      '{"a" 1}',
      'nul',
      '[1] 2',
      '{"a":"\u0001"}',
      '"\\x"',
      'NaN',
      '\ufeff{}',
    ]) {
      assertSameAsLossless(text, JSON.stringify(text));
    }
  });

  it('leaves deep nesting to lossless-json', () => {
    assert.equal(plainKeyCount(`${'['.repeat(501)}${']'.repeat(501)}`), undefined);
    assertSameAsLossless(`${'['.repeat(400)}1${']'.repeat(400)}`, 'depth 400');
  });

  it('serialises values built in code as lossless-json does', () => {
    const values: unknown[] = [
      { a: undefined, b: 1 },
      { a: undefined },
      [undefined, () => 1, Symbol('s')],
      { a: new LosslessNumber('1.50'), b: [new LosslessNumber('1e3')] },
      { when: new Date(0) },
      { n: NaN, i: -Infinity, z: -0 },
      Object.assign(Object.create(null) as object, { a: 1 }),
      { toJSON: () => ({ x: 1 }) },
      { big: 10n },
      undefined,
    ];
    for (const value of values) {
      for (const pretty of [false, true]) assert.equal(stringifyFhirJson(value, pretty), losslessStringify(value, pretty), String(pretty));
    }
  });

  it('on every official R4 example (hl7.fhir.r4.examples), nearly all of them through JSON.parse', function () {
    this.timeout(600_000);
    const dir = dirname(createRequire(import.meta.url).resolve('hl7.fhir.r4.examples/package.json'));
    const files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'package.json' && !f.startsWith('.'));
    assert.ok(files.length > 5000, `only ${files.length} examples found`);
    let plain = 0;
    files.forEach((file, i) => {
      const text = readFileSync(join(dir, file), 'utf8');
      const expected = losslessParse(text);
      // The output tells a LosslessNumber (its text) from a number (`13.5`): equal output, equal values.
      assert.equal(stringifyFhirJson(parseFhirJson(text)), losslessStringify(expected), file);
      // Pretty output (the same code with indentation) on a tenth of them, to keep the test short.
      if (i % 10 === 0) assert.equal(stringifyFhirJson(parseFhirJson(text), true), losslessStringify(expected, true), file);
      if (plainKeyCount(text) !== undefined) plain++;
    });
    assert.ok(plain > files.length * 0.9, `${plain} of ${files.length} examples through JSON.parse`);
  });
});
