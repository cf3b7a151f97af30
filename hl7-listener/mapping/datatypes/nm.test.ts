import assert from 'node:assert/strict';
import { isLosslessNumber } from 'lossless-json';
import { stringifyFhirJson } from '../../../server/engine/index.ts';
import { nmToDecimal } from './nm.ts';

describe('NM -> decimal with the sent precision (issue 10)', () => {
  it('keeps trailing zeros and writes the FHIR lexical form', () => {
    const cases: [string, string][] = [
      ['13.50', '13.50'],
      ['+1.20', '1.20'],
      ['007', '7'],
      ['.5', '0.5'],
      ['5.', '5'],
      ['-0.050', '-0.050'],
      ['68.5', '68.5'],
      ['0', '0'],
    ];
    for (const [sent, stored] of cases) assert.equal(stringifyFhirJson({ value: nmToDecimal(sent) }), `{"value":${stored}}`, sent);
  });
  it('is a plain number when its text is the number', () => {
    assert.equal(nmToDecimal('68.5'), 68.5);
    assert.ok(isLosslessNumber(nmToDecimal('13.50')));
  });
});
