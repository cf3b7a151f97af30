import assert from 'node:assert/strict';
import { dg1ToCondition } from './dg1.ts';
import { segment } from '../testing/hand-built.ts';
import { testContext } from '../testing/context.ts';

describe('DG1 -> Condition (IG segment-dg1-to-condition)', () => {
  it('encounter diagnosis with ICD-10 code, onset, verification from DG1-6', () => {
    const c = dg1ToCondition(
      segment('DG1|1||I21.4^NSTEMI^I10||20240312090000|F'),
      1,
      testContext(),
      { reference: 'urn:uuid:p' },
      { reference: 'urn:uuid:e' },
      'k',
    );
    assert.equal(c.code?.coding?.[0].system, 'http://hl7.org/fhir/sid/icd-10');
    assert.equal(c.category?.[0].coding?.[0].code, 'encounter-diagnosis');
    assert.equal(c.verificationStatus?.coding?.[0].code, 'confirmed');
    assert.equal(c.onsetDateTime, '2024-03-12T09:00:00+01:00');
    assert.equal(c.encounter?.reference, 'urn:uuid:e');
  });
});
