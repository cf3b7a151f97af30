import assert from 'node:assert/strict';
import type { Binary, DiagnosticReport, Observation } from '@medplum/fhirtypes';
import { mapResults } from './oru.ts';
import { fixture } from '../testing/fixtures.ts';
import { SYSTEMS } from '../testing/context.ts';

describe('ORU^R01 -> DiagnosticReport, Observations, Specimen (IG message-oru-r01-to-bundle)', () => {
  it('the order is a conditional create (basedOn "when it exists" without a failing conditional reference); report by filler number', () => {
    const { message, context } = fixture('oru-r01.hl7');
    const entries = mapResults(message, context);
    const order = entries.find((e) => e.resource.resourceType === 'ServiceRequest')!;
    assert.equal(order.request.method, 'POST');
    assert.equal(decodeURIComponent(order.request.ifNoneExist!), `identifier=${SYSTEMS.placer}|ORD-5501`);
    const report = entries.find((e) => e.resource.resourceType === 'DiagnosticReport')!;
    assert.equal(decodeURIComponent(report.request.url), `DiagnosticReport?identifier=${SYSTEMS.filler}|LAB-88001`);
    const dr = report.resource as DiagnosticReport;
    assert.equal(dr.status, 'final');
    assert.equal(dr.basedOn?.[0].reference, order.fullUrl);
    assert.equal(dr.result?.length, 5);
    assert.equal(dr.specimen?.length, 1);
  });
  it('each Observation is identified by filler number + OBX-3 + OBX-4 (a correction updates it), NTE after OBX is its note', () => {
    const { message, context } = fixture('oru-r01.hl7');
    const observations = mapResults(message, context).filter((e) => e.resource.resourceType === 'Observation');
    assert.equal(observations[0].resource.resourceType, 'Observation');
    assert.deepEqual((observations[0].resource as Observation).identifier, [
      { system: SYSTEMS.filler, value: 'LAB-88001|http://loinc.org|2093-3|' },
    ]);
    assert.equal((observations[2].resource as Observation).note?.[0].text, 'Low HDL: cardiovascular risk.');
    assert.equal((observations[0].resource as Observation).interpretation?.[0].coding?.[0].code, 'H');
  });
  it('an embedded PDF (ED, Base64) becomes a Binary, the report presentedForm points at it', () => {
    const { message, context } = fixture('oru-r01-pdf.hl7');
    const entries = mapResults(message, context);
    const dr = entries.find((e) => e.resource.resourceType === 'DiagnosticReport')!.resource as DiagnosticReport;
    const binary = entries.find((e) => e.resource.resourceType === 'Binary')!;
    assert.equal(dr.presentedForm?.[0].contentType, 'application/pdf');
    assert.equal(dr.presentedForm?.[0].url, binary.request.url);
    assert.equal(dr.presentedForm?.[0].data, undefined);
    assert.ok(
      Buffer.from((binary.resource as Binary).data!, 'base64')
        .toString('latin1')
        .startsWith('%PDF-1.4'),
    );
    assert.equal(dr.result?.length, 1);
  });
});
