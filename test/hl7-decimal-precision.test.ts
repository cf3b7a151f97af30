/**
 * HL7 keeps decimal precision as REST does (issue 10, defect 2): OBX-5 `13.50` (NM) sent over MLLP reads back
 * over REST as `13.50`, and so do OBX-7 reference range bounds.
 */
import assert from 'node:assert/strict';
import { FIXTURE_SENDERS, useMllpTestServer } from './support/mllp-test-server.ts';

const ORU = [
  'MSH|^~\\&|LABSYS|STJOHN|FHIRLINE|FHIRLINE|20240312143000||ORU^R01^ORU_R01|DEC-0001|P|2.5.1',
  'PID|1||100234^^^STJ^MR||Durand^Sophie',
  'OBR|1|ORD-9001^STJORD|LAB-99001^STJLAB|2823-3^Potassium^LN|||20240312100000|||||||||||||||20240312142900|||F',
  'OBX|1|NM|2823-3^Potassium^LN||13.50|mmol/L^millimole per liter^UCUM|3.50-5.10|H|||F',
].join('\r');

describe('HL7 OBX-5 NM keeps the sent decimal text (issue 10)', () => {
  const hl7 = useMllpTestServer({ HL7_SENDERS: FIXTURE_SENDERS });

  it('13.50 over MLLP is 13.50 in GET /fhir/Observation', async () => {
    assert.match(await hl7.client.request(ORU), /\rMSA\|AA\|DEC-0001/);
    const res = await hl7.fhir.http.get('/fhir/Observation?code=http://loinc.org|2823-3').expect(200);
    assert.match(res.text, /"valueQuantity":\{"value":13\.50,/);
    assert.match(res.text, /"low":\{"value":3\.50,/);
    assert.match(res.text, /"high":\{"value":5\.10,/);
    // Search sees the number: 13.50 = 13.5.
    const found = await hl7.fhir.http.get('/fhir/Observation?value-quantity=13.5').expect(200);
    assert.equal(found.body.total ?? found.body.entry?.length, 1);
  });
});
