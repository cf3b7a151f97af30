import assert from 'node:assert/strict';
import { obrToDiagnosticReport, orderStatus, toServiceRequest } from './orc-obr.ts';
import { segment } from '../testing/hand-built.ts';
import { SYSTEMS, testContext } from '../testing/context.ts';

describe('ORC/OBR -> ServiceRequest and DiagnosticReport (IG segment-orc/obr maps)', () => {
  it('status from ORC-5 (table 0038) before ORC-1 (table 0119)', () => {
    assert.equal(orderStatus(segment('ORC|NW|1')), 'active');
    assert.equal(orderStatus(segment('ORC|SC|1|||CM')), 'completed');
    assert.equal(orderStatus(segment('ORC|DC|1')), 'revoked');
    assert.equal(orderStatus(segment('ORC|HR|1')), 'on-hold');
  });
  it('placer (ORC-2) and filler (ORC-3) identifiers, code, requester, authoredOn', () => {
    const sr = toServiceRequest(
      segment('ORC|NW|ORD-1^STJORD|LAB-1^STJLAB||||||20240312095500|||1^House^Greg^^^Dr^^^STJDOC'),
      segment('OBR|1|||24331-1^Lipid panel^LN'),
      1,
      testContext(),
      { reference: 'urn:uuid:p' },
    );
    assert.deepEqual(
      sr.identifier?.map((i) => [i.system, i.value, i.type?.coding?.[0].code]),
      [
        [SYSTEMS.placer, 'ORD-1', 'PLAC'],
        [SYSTEMS.filler, 'LAB-1', 'FILL'],
      ],
    );
    assert.equal(sr.intent, 'order');
    assert.equal(sr.authoredOn, '2024-03-12T09:55:00+01:00');
    assert.equal(sr.requester?.display, 'Dr Greg House');
  });
  it('DiagnosticReport status from OBR-25 (table 0123)', () => {
    const parts = Array.from({ length: 26 }, () => '');
    Object.assign(parts, { 0: 'OBR', 1: '1', 3: 'LAB-1^STJLAB', 4: '24331-1^Lipid^LN', 25: 'P' });
    assert.equal(
      obrToDiagnosticReport(segment(parts.join('|')), undefined, 1, testContext(), { reference: 'urn:uuid:p' }).status,
      'preliminary',
    );
  });
});
