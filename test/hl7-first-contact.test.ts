/**
 * HL7 first contact (issue 10, defect 3): with no HL7_SENDERS file, messages whose assigning authorities have no
 * mapping are applied with placeholder systems (hl7-listener/mapping/placeholder-systems.ts), listed by
 * GET /admin/hl7/unmapped-authorities (from the store), warned about once, and moved to the real system by
 * POST /admin/hl7/identifier-systems/$move. FHIR-Converter's samples are answered AA or a precise AR.
 */
import { hl7Listener } from '../hl7-listener/feature.ts';
import { createEngine } from '../server/engine/index.ts';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import type { Bundle, Encounter, Patient, ServiceRequest } from '@medplum/fhirtypes';
import { handleMessage } from '../hl7-listener/handle-message.ts';
import { unmappedAuthorities } from '../hl7-listener/unmapped-authorities.ts';
import { createLogger } from '../server/logger.ts';
import { EmbeddedStore } from '../server/store/embedded/embedded-store.ts';
import { useMllpTestServer } from './support/mllp-test-server.ts';

const HOSP = 'http://fhirline.org/fhir/hl7v2/facility/NORTH/authority/HOSP';
const msh = (type: string, control: string) => `MSH|^~\\&|ADT1|NORTH|FHIRLINE|FHIRLINE|20240601120000||${type}|${control}|P|2.5.1`;
const SAMPLES = new URL('../fixtures/hl7/fhir-converter/', import.meta.url);

describe('HL7 first contact without HL7_SENDERS (issue 10)', () => {
  const logLines: string[] = [];
  const hl7 = useMllpTestServer({}, (fhir) => (fhir.services.logger = createLogger('warn', (line) => logLines.push(line))));
  const http = () => hl7.fhir.http;
  const search = async <T>(query: string): Promise<T[]> =>
    ((await http().get(`/fhir/${query}`).expect(200)).body as Bundle).entry?.map((e) => e.resource as T) ?? [];

  it('PID-3 12345^^^HOSP^MR is answered AA and stored with a placeholder system; listed with sender, namespace, first seen, count; warned once', async () => {
    const a01 = [
      msh('ADT^A01', 'FC-1'),
      'PID|1||12345^^^HOSP^MR||Nguyen^An||19700101|F',
      'PV1|1|I|W1^1^A||||||||||||||||V-1^^^HOSP^VN|||||||||||||||||||||||||20240601110000',
    ].join('\r');
    assert.match(await hl7.client.request(a01), /\rMSA\|AA\|FC-1/);
    assert.match(await hl7.client.request(a01.replace('ADT^A01', 'ADT^A08').replace('FC-1', 'FC-2')), /\rMSA\|AA\|FC-2/);
    const [patient] = await search<Patient>(`Patient?identifier=${encodeURIComponent(`${HOSP}|12345`)}`);
    assert.equal(patient.name?.[0].family, 'Nguyen');
    const [encounter] = await search<Encounter>(`Encounter?identifier=${encodeURIComponent(`${HOSP}|V-1`)}`);
    assert.equal(encounter.subject?.reference, `Patient/${patient.id}`);

    const listed = (await http().get('/admin/hl7/unmapped-authorities').expect(200)).body as {
      authorities: { sender: string; namespace: string; system: string; firstSeen: string; count: number }[];
    };
    const row = listed.authorities.find((a) => a.system === HOSP);
    assert.deepEqual(
      { ...row, firstSeen: undefined, lastSeen: undefined },
      { sender: 'ADT1^NORTH', namespace: 'HOSP', system: HOSP, firstSeen: undefined, lastSeen: undefined, count: 2 },
    );
    assert.match(row!.firstSeen, /^\d{4}-\d\d-\d\dT/);
    const warnings = logLines.filter((l) => l.includes(HOSP));
    assert.equal(warnings.length, 1, 'one warning per unmapped authority');
    assert.doesNotMatch(warnings[0], /12345|Nguyen/, 'no patient data in the log');
  });

  it('the list is kept in the store: a new store on the same data directory lists the same', async () => {
    const again = await unmappedAuthorities(hl7.fhir.engine);
    assert.ok(again.some((a) => a.system === HOSP && a.count === 2));
    // The embedded store is one process: the reopened copy reads what the running one committed.
    await hl7.fhir.services.store.close();
    const reopened = new EmbeddedStore(hl7.fhir.services.config.dataDir);
    for (const collection of hl7Listener().collections) reopened.register(collection);
    await reopened.open();
    try {
      assert.deepEqual(await unmappedAuthorities(createEngine({ ...hl7.fhir.services, store: reopened })), again);
    } finally {
      await reopened.close();
      await hl7.fhir.services.store.open();
    }
  });

  it('PID-3 without CX-4, OBR-2 without namespace, A01 without PV1-19, ORC NW with RQD: all AA', async () => {
    const noAuthority = [msh('ADT^A01', 'FC-3'), 'PID|1||777||Okafor^Chi', `PV1|1|I|W1^1^A${'|'.repeat(41)}20240601100000`].join('\r');
    assert.match(await hl7.client.request(noAuthority), /\rMSA\|AA\|FC-3/);
    const [patient] = await search<Patient>(
      `Patient?identifier=${encodeURIComponent('http://fhirline.org/fhir/hl7v2/facility/NORTH/unnamed/patient|777')}`,
    );
    assert.ok(patient);
    const encounters = await search<Encounter>(`Encounter?subject=Patient/${patient.id}`);
    assert.equal(encounters.length, 1, 'keyed by patient and PV1-44');
    assert.equal(encounters[0].period?.start, '2024-06-01T10:00:00+00:00');
    assert.match(await hl7.client.request(noAuthority.replace('FC-3', 'FC-4')), /\rMSA\|AA\|FC-4/);
    assert.equal((await search<Encounter>(`Encounter?subject=Patient/${patient.id}`)).length, 1, 'the same admission again finds it');

    const order = [msh('ORM^O01', 'FC-5'), 'PID|1||777', 'ORC|NW|PL-1', 'OBR|1|PL-1||2823-3^Potassium^LN'].join('\r');
    assert.match(await hl7.client.request(order), /\rMSA\|AA\|FC-5/);
    const [placed] = await search<ServiceRequest>(
      `ServiceRequest?identifier=${encodeURIComponent('http://fhirline.org/fhir/hl7v2/facility/NORTH/unnamed/placer|PL-1')}`,
    );
    assert.equal(placed.code?.coding?.[0].code, '2823-3');

    const requisition = [
      msh('ORM^O01', 'FC-6'),
      'PID|1||777',
      'ORC|NW|RQ-1^SUPPLY',
      'RQD|1|23455^Implant, Special Hip||I45323^Implant|1|EA',
    ].join('\r');
    assert.match(await hl7.client.request(requisition), /\rMSA\|AA\|FC-6/);
    const [supply] = await search<ServiceRequest>(
      `ServiceRequest?identifier=${encodeURIComponent('http://fhirline.org/fhir/hl7v2/facility/NORTH/authority/SUPPLY|RQ-1')}`,
    );
    assert.equal(supply.code?.coding?.[0].code, '23455', 'a new order is created, not a status change of a missing one');
  });

  it('POST /admin/hl7/identifier-systems/$move moves every identifier of the placeholder system, as new versions', async () => {
    const real = 'urn:oid:1.2.999.77';
    const before = await search<Patient>(`Patient?identifier=${encodeURIComponent(`${HOSP}|12345`)}`);
    await http().post('/admin/hl7/identifier-systems/$move').send({ from: 'urn:not-a-placeholder', to: real }).expect(400);
    const moved = await http().post('/admin/hl7/identifier-systems/$move').send({ from: HOSP, to: real }).expect(200);
    assert.deepEqual(moved.body, { from: HOSP, to: real, examined: 2, updated: 2, retried: 0 });
    assert.equal((await search<Patient>(`Patient?identifier=${encodeURIComponent(`${HOSP}|12345`)}`)).length, 0);
    const [after] = await search<Patient>(`Patient?identifier=${encodeURIComponent(`${real}|12345`)}`);
    assert.equal(after.id, before[0].id);
    assert.equal(Number(after.meta?.versionId), Number(before[0].meta?.versionId) + 1);
    assert.equal((await search<Encounter>(`Encounter?identifier=${encodeURIComponent(`${real}|V-1`)}`)).length, 1);
    await http().get(`/fhir/Patient/${after.id}/_history`).expect(200);
  });

  it("FHIR-Converter's sample messages: AA/CA, or AR/CR 200/201 for what we do not map; never AE", async () => {
    for (const file of readdirSync(SAMPLES).filter((f) => f.endsWith('.hl7'))) {
      const bytes = Buffer.from(readFileSync(new URL(file, SAMPLES), 'latin1').replace(/\r?\n/g, '\r').replace(/\r+$/, ''), 'latin1');
      const { record, ack } = await handleMessage(hl7.fhir.engine, { bytes, peer: '127.0.0.1' });
      const ok =
        record.ackCode === 'AA' ||
        record.ackCode === 'CA' ||
        ((record.ackCode === 'AR' || record.ackCode === 'CR') && ['200', '201'].includes(record.error?.code ?? ''));
      assert.ok(ok, `${file}: ${record.ackCode} ${JSON.stringify(record.error)}`);
      if (ack) assert.match(ack, new RegExp(`\\rMSA\\|${record.ackCode}\\|`));
    }
  });
});
