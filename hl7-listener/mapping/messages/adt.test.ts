import assert from 'node:assert/strict';
import type { Encounter, Patient } from '@medplum/fhirtypes';
import { mapAdt } from './adt.ts';
import { fixture } from '../testing/fixtures.ts';
import { message } from '../testing/hand-built.ts';
import { testContext } from '../testing/context.ts';
import type { MappingError } from '../errors.ts';

const msh = (event: string) => `MSH|^~\\&|EPICADT|STJOHN|FHIRLINE|FHIRLINE|20240312083512||ADT^${event}|1|P|2.5.1`;
const pv1 = 'PV1|1|I|||||||||||||||||V1^^^STJVISIT^VN';

describe('ADT -> Patient, Encounter and the rest (IG message-adt-*-to-bundle)', () => {
  it('A01 fixture: Patient (PUT by identifier), Encounter in-progress, contacts, allergy, diagnosis, coverage, observations', () => {
    const { message: m, context } = fixture('adt-a01.hl7');
    const entries = mapAdt(m, 'A01', context);
    assert.deepEqual(
      entries.map((e) => `${e.request.method} ${e.resource.resourceType}`),
      ['PUT Patient', 'PUT Encounter', 'PUT AllergyIntolerance', 'PUT Condition', 'PUT Coverage', 'PUT Observation', 'PUT Observation'],
    );
    const patient = entries[0].resource as Patient;
    assert.equal(patient.contact?.[0].name?.given?.[0], 'Paul');
    assert.equal(patient.generalPractitioner?.[0].display, 'Dr Claire Bernard');
    const encounter = entries[1].resource as Encounter;
    assert.equal(encounter.status, 'in-progress');
    assert.equal(encounter.subject?.reference, entries[0].fullUrl);
  });
  for (const [event, status] of [
    ['A02', 'in-progress'],
    ['A03', 'finished'],
    ['A04', 'arrived'],
    ['A05', 'planned'],
    ['A11', 'cancelled'],
    ['A13', 'in-progress'],
  ] as const) {
    it(`${event} sets Encounter.status ${status}`, () => {
      const entries = mapAdt(message(`${msh(event)}\rPID|1||1^^^STJ^MR\r${pv1}`), event, testContext());
      assert.equal((entries[1].resource as Encounter).status, status);
    });
  }
  it('A28/A31 write the Patient only; A08 without PV1-19 writes the Patient only', () => {
    assert.equal(mapAdt(message(`${msh('A28')}\rPID|1||1^^^STJ^MR\r${pv1}`), 'A28', testContext()).length, 1);
    assert.equal(mapAdt(message(`${msh('A08')}\rPID|1||1^^^STJ^MR\rPV1|1|I`), 'A08', testContext()).length, 1);
  });
  it('A01 without a visit number: the Encounter is keyed by the patient and PV1-44 (else the event time), never refused for it', () => {
    const withAdmit = mapAdt(message(`${msh('A01')}\rPID|1||1^^^STJ^MR\rPV1|1|I${'|'.repeat(42)}20240312083000`), 'A01', testContext());
    const encounter = withAdmit[1].resource as Encounter;
    assert.deepEqual(encounter.identifier, [
      { system: 'urn:fhirline:hl7v2:derived-key', value: 'urn:oid:1.2.250.1.999.1.1|1|PV1-44|2024-03-12T08:30:00+01:00' },
    ]);
    const withEvent = mapAdt(message(`${msh('A01')}\rPID|1||1^^^STJ^MR\rPV1|1|I`), 'A01', testContext());
    assert.match((withEvent[1].resource as Encounter).identifier![0].value!, /\|PV1-44\|2024-03-12T08:35:12\+01:00$/);
    assert.throws(
      () => mapAdt(message(`${msh('A01').replace('20240312083512', '')}\rPID|1||1^^^STJ^MR\rPV1|1|I`), 'A01', testContext()),
      (e: MappingError) => e.code === '101' && e.location?.field === 19,
    );
  });
  it('the Latin-1 fixture (MSH-18 8859/1) gives correct Unicode names and addresses', () => {
    const { message: m, context } = fixture('adt-a01-latin1.hl7');
    const patient = mapAdt(m, 'A01', context)[0].resource as Patient;
    assert.equal(patient.name?.[0].family, 'Müller');
    assert.deepEqual(patient.name?.[0].given, ['Zoë', 'Renée']);
    assert.equal(patient.address?.[0].city, 'Besançon');
    assert.equal(patient.contact?.[0].name?.given?.[0], 'François');
  });
});
