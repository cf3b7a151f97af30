import assert from 'node:assert/strict';
import { obxToObservation, referenceRange } from './obx.ts';
import { segment } from '../testing/hand-built.ts';
import { testContext } from '../testing/context.ts';
import type { MappingError } from '../errors.ts';

const obx = (text: string) => obxToObservation(segment(text), 1, testContext());

describe('OBX -> Observation (IG segment-obx-to-observation)', () => {
  it('NM with UCUM units, OBX-7 range, OBX-8 HH interpretation, OBX-11 status', () => {
    const o = obx('OBX|1|NM|2823-3^Potassium^LN||6.9|mmol/L^mmol/L^UCUM|3.5-5.1|HH|||F|||20240312100000').observation!;
    assert.deepEqual(o.valueQuantity, { value: 6.9, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' });
    assert.equal(o.referenceRange?.[0].low?.value, 3.5);
    assert.deepEqual(o.interpretation?.[0].coding?.[0], {
      system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
      code: 'HH',
    });
    assert.equal(o.status, 'final');
    assert.equal(o.effectiveDateTime, '2024-03-12T10:00:00+01:00');
  });
  it('SN: comparator, range and ratio', () => {
    assert.deepEqual(obx('OBX|1|SN|X^x^LN||<^0.35|g/L||||F').observation!.valueQuantity, { value: 0.35, unit: 'g/L', comparator: '<' });
    assert.deepEqual(obx('OBX|1|SN|X^x^LN||^2^-^4||||||F').observation!.valueRange, { low: { value: 2 }, high: { value: 4 } });
    assert.deepEqual(obx('OBX|1|SN|X^x^LN||^1^:^128||||||F').observation!.valueRatio, {
      numerator: { value: 1 },
      denominator: { value: 128 },
    });
  });
  it('ST/TX/FT strings, CWE concepts, DTM dates, corrected status', () => {
    assert.equal(obx('OBX|1|TX|X^x^LN||line 1~line 2||||||F').observation!.valueString, 'line 1\nline 2');
    assert.equal(
      obx('OBX|1|CWE|X^x^LN||260373001^Detected^SCT||||||C').observation!.valueCodeableConcept?.coding?.[0].system,
      'http://snomed.info/sct',
    );
    assert.equal(obx('OBX|1|CWE|X^x^LN||N||||||C').observation!.status, 'corrected');
    assert.equal(obx('OBX|1|DTM|X^x^LN||20240101120000+0000||||||F').observation!.valueDateTime, '2024-01-01T12:00:00+00:00');
  });
  it('ED becomes an attachment (R4 Observation has no valueAttachment), Base64 checked', () => {
    const r = obx('OBX|1|ED|X^x^LN||^AP^PDF^Base64^JVBERi0=||||||F');
    assert.equal(r.observation, undefined);
    assert.deepEqual(r.attachment?.attachment, { contentType: 'application/pdf', data: 'JVBERi0=' });
    assert.throws(
      () => obx('OBX|1|ED|X^x^LN||^AP^PDF^Base64^not base64!||||||F'),
      (e: MappingError) => e.code === '102',
    );
  });
  it('a non-number NM, an unknown value type, a missing OBX-3 are faults with their field', () => {
    assert.throws(
      () => obx('OBX|1|NM|X^x^LN||high'),
      (e: MappingError) => e.code === '102' && e.location?.field === 5,
    );
    assert.throws(
      () => obx('OBX|1|ZZ|X^x^LN||1'),
      (e: MappingError) => e.code === '102' && e.location?.field === 2,
    );
    assert.throws(
      () => obx('OBX|1|NM|||1'),
      (e: MappingError) => e.code === '101' && e.location?.field === 3,
    );
  });
  it('reference ranges: bounds and text', () => {
    assert.equal(String(referenceRange('<1.50', undefined)?.high?.value), '1.50', 'sent precision kept');
    assert.equal(referenceRange('>0.4', undefined)?.low?.value, 0.4);
    assert.deepEqual(referenceRange('negative', undefined), { text: 'negative' });
  });
});
