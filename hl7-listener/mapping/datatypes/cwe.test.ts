import assert from 'node:assert/strict';
import { cweToCodeableConcept } from './cwe.ts';
import { repetition } from '../testing/hand-built.ts';

describe('CWE/CE -> CodeableConcept (IG datatype-cwe-to-codeableconcept)', () => {
  it('both triplets become codings with the systems of table 0396, CWE-9 the text', () => {
    assert.deepEqual(cweToCodeableConcept(repetition('2823-3^Potassium^LN^K^Potassium sérique^99LAB^^^Potassium [Moles/volume]')), {
      coding: [
        { system: 'http://loinc.org', code: '2823-3', display: 'Potassium' },
        { code: 'K', display: 'Potassium sérique' },
      ],
      text: 'Potassium [Moles/volume]',
    });
  });
  it('HL7nnnn is an HL7 table; a default system applies when CWE-3 is empty; text-only CWE is kept', () => {
    assert.equal(cweToCodeableConcept(repetition('F^Female^HL70001'))?.coding?.[0].system, 'http://terminology.hl7.org/CodeSystem/v2-0001');
    assert.equal(cweToCodeableConcept(repetition('HH'), 'http://x')?.coding?.[0].system, 'http://x');
    assert.deepEqual(cweToCodeableConcept(repetition('^Penicillin allergy')), { text: 'Penicillin allergy' });
  });
});
