import assert from 'node:assert/strict';
import { parseFhirJson, stringifyFhirJson, toPlain } from './fhir-json.ts';

describe('fhir-json: decimal precision (https://hl7.org/fhir/R4/datatypes.html#decimal)', () => {
  it('keeps trailing zeros and exponents exactly', () => {
    const text = '{"resourceType":"Observation","valueQuantity":{"value":13.50},"x":[1.0,0.10,1e3,2,12345678901234567890]}';
    assert.equal(stringifyFhirJson(parseFhirJson(text)), text);
  });

  it('gives plain numbers to code that computes with them', () => {
    const plain = toPlain<{ valueQuantity: { value: number } }>(parseFhirJson('{"valueQuantity":{"value":13.50}}'));
    assert.equal(plain.valueQuantity.value, 13.5);
    assert.equal(typeof plain.valueQuantity.value, 'number');
  });

  it('returns the same object when nothing needs converting', () => {
    const value = parseFhirJson('{"a":[1,2.5,"x"]}');
    assert.equal(toPlain(value), value);
  });

  it('rejects malformed JSON and duplicate keys', () => {
    assert.throws(() => parseFhirJson('{"a":1,'), SyntaxError);
    assert.throws(() => parseFhirJson('{"a":1,"a":2}'));
  });

  it('pretty-prints with two spaces, numbers still exact', () => {
    assert.equal(stringifyFhirJson(parseFhirJson('{"v":1.50}'), true), '{\n  "v": 1.50\n}');
  });
});
