/**
 * Every fixture mapped, validated (server/validation) and applied with the transaction engine on a real
 * embedded store, in the order a hospital would send them, asserting what ends up stored.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import type { DiagnosticReport, Encounter, Observation, Patient, Resource, ServiceRequest } from '@medplum/fhirtypes';
import type { JsonValue } from '../../server/engine/index.ts';
import { storedDocuments } from '../../test/support/stored.ts';
import { HL7_LISTENER } from '../principal.ts';
import { startTestServer, type TestServer } from '../../test/support/in-process-server.ts';
import { mapMessage } from './index.ts';
import { message } from './testing/hand-built.ts';
import { testContext } from './testing/context.ts';
import { FIXTURES, fixture } from './testing/fixtures.ts';
import type { TransactionEntry } from './entries.ts';

function entriesOf(name: string): TransactionEntry[] {
  const { message: m, context } = fixture(name);
  const result = mapMessage(m, context);
  if (!result.ok) throw result.error;
  return result.entries;
}

describe('mapMessage: every fixture in fixtures/hl7', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server.close());
  for (const name of readdirSync(FIXTURES).filter((f) => f.endsWith('.hl7'))) {
    it(`${name}: every resource passes the server's validation (R4 + invariants) and carries meta.source`, async () => {
      for (const entry of entriesOf(name)) {
        if (entry.request.method === 'PATCH') continue;
        const failure = await server.engine.validate(HL7_LISTENER, entry.resource as unknown as JsonValue);
        assert.equal(failure, undefined, `${name} ${entry.resource.resourceType}: ${JSON.stringify(failure)}`);
        assert.equal(entry.resource.meta?.source, `http://fhir.test/admin/hl7/messages/${name}`);
      }
    });
  }
});

describe('mapMessage: dispatch on MSH-9 (errors answered AR 200/201 or AE with a location)', () => {
  const msh = (type: string) => `MSH|^~\\&|EPICADT|STJOHN|FHIRLINE|FHIRLINE|20240312083512||${type}|1|P|2.5.1`;
  it('an unsupported message type is 0357 code 200 at MSH-9.1, an unsupported event 201 at MSH-9.2', () => {
    const type = mapMessage(message(`${msh('SIU^S12')}\rPID|1||1^^^STJ^MR`), testContext());
    assert.ok(!type.ok && type.error.kind === 'unsupported' && type.error.code === '200' && type.error.location?.component === 1);
    const event = mapMessage(message(`${msh('ADT^A17')}\rPID|1||1^^^STJ^MR`), testContext());
    assert.ok(!event.ok && event.error.kind === 'unsupported' && event.error.code === '201' && event.error.location?.component === 2);
  });
  it('a mapping fault is kind fault with the code and segment/sequence/field', () => {
    const r = mapMessage(
      message(`${msh('ORU^R01')}\rPID|1||1^^^STJ^MR\rOBR|1|A^STJORD|B^STJLAB|X^Y^LN\rOBX|1|NM|2823-3^K^LN||high`),
      testContext(),
    );
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'fault');
    assert.equal(r.error.code, '102');
    assert.deepEqual(r.error.location, { segment: 'OBX', sequence: 1, field: 5 });
  });
});

describe('HL7 messages applied as transactions (issue 5 identity rules) on the embedded store', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server.close());

  async function apply(name: string) {
    return server.engine.transaction(HL7_LISTENER, entriesOf(name) as unknown as JsonValue[]);
  }
  async function all<T extends Resource>(type: string): Promise<T[]> {
    const docs = await storedDocuments(server, type, true);
    return docs.map((d) => JSON.parse(d.content!) as T);
  }

  it('an A08 before its A01 creates the patient; the A01 then updates the same one (one Patient)', async () => {
    await apply('adt-a08.hl7');
    await apply('adt-a01.hl7');
    const patients = await all<Patient>('Patient');
    assert.equal(patients.length, 1);
    assert.equal(patients[0].contact?.[0].name?.family, 'Durand');
    const encounters = await all<Encounter>('Encounter');
    assert.equal(encounters.length, 1);
    assert.equal(encounters[0].status, 'in-progress');
    assert.equal(encounters[0].subject?.reference, `Patient/${patients[0].id}`);
  });

  it('ORM then ORU: the report is basedOn the existing order (no second ServiceRequest), results reference it', async () => {
    await apply('orm-o01.hl7');
    assert.equal((await all<ServiceRequest>('ServiceRequest')).length, 2);
    await apply('oru-r01.hl7');
    const requests = await all<ServiceRequest>('ServiceRequest');
    assert.equal(requests.length, 2);
    const lipid = requests.find((r) => r.code?.coding?.[0].code === '24331-1')!;
    const [report] = await all<DiagnosticReport>('DiagnosticReport');
    assert.equal(report.basedOn?.[0].reference, `ServiceRequest/${lipid.id}`);
    assert.equal(report.result?.length, 5);
    assert.equal((await all<Patient>('Patient')).length, 1, 'ORU matched the ADT patient');
  });

  it('a critical result then its correction (OBX-11 C) updates the same Observation', async () => {
    await apply('oru-r01-critical.hl7');
    const before = (await all<Observation>('Observation')).filter((o) => o.code.coding?.[0].code === '2823-3');
    assert.equal(before.length, 1);
    assert.equal(before[0].interpretation?.[0].coding?.[0].code, 'HH');
    await apply('oru-r01-corrected.hl7');
    const after = (await all<Observation>('Observation')).filter((o) => o.code.coding?.[0].code === '2823-3');
    assert.equal(after.length, 1);
    assert.equal(after[0].id, before[0].id);
    assert.equal(after[0].status, 'corrected');
    assert.equal(after[0].valueQuantity?.value, 4.2);
  });

  it('an ORC-only cancel revokes the existing order and keeps its detail', async () => {
    await apply('orm-o01-cancel.hl7');
    const potassium = (await all<ServiceRequest>('ServiceRequest')).find((r) => r.identifier?.some((i) => i.value === 'ORD-5502'))!;
    assert.equal(potassium.status, 'revoked');
    assert.equal(potassium.code?.coding?.[0].code, '2823-3');
  });

  it('A03 finishes the encounter', async () => {
    await apply('adt-a03.hl7');
    const [encounter] = await all<Encounter>('Encounter');
    assert.equal(encounter.status, 'finished');
    assert.equal(encounter.period?.end, '2024-03-16T10:45:00+01:00');
  });

  it('A40: the survivor gets the merged identifier, the merged patient is inactive with replaced-by, later messages find the survivor', async () => {
    // the patient about to be merged away, known under MRN 100999
    const requests = [
      {
        fullUrl: 'urn:uuid:6f1c1c9e-0000-4000-8000-000000000001',
        resource: { resourceType: 'Patient', identifier: [{ system: 'urn:oid:1.2.250.1.999.1.1', value: '100999' }] },
        request: { method: 'POST', url: 'Patient' },
      },
    ];
    await server.engine.transaction(HL7_LISTENER, requests as unknown as JsonValue[]);
    await apply('adt-a40.hl7');
    const patients = await all<Patient>('Patient');
    assert.equal(patients.length, 2);
    const survivor = patients.find((p) => p.identifier?.some((i) => i.value === '100234'))!;
    const merged = patients.find((p) => p !== survivor)!;
    assert.ok(survivor.identifier?.some((i) => i.value === '100999' && i.use === 'old'));
    assert.equal(merged.active, false);
    assert.deepEqual(merged.link, [{ other: { reference: `Patient/${survivor.id}` }, type: 'replaced-by' }]);
    await apply('adt-a08.hl7');
    assert.equal((await all<Patient>('Patient')).length, 2, 'no third patient');
  });
});
