/**
 * The fixture messages of fixtures/hl7/ through a real MLLP socket with the real mappings and the sender
 * table of fixtures/hl7/senders.json: ACKs, what is stored, and out-of-order ADT events (issue 5, "Identity").
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Encounter } from '@medplum/fhirtypes';
import { startMllpServer } from '../hl7-listener/mllp-server.ts';
import { MllpClient } from '../hl7-listener/testing/mllp-client.ts';
import type { ResourceDocument } from '../server/store/documents.ts';
import { startTestServer, type TestServer } from './support/in-process-server.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/hl7/${name}`, import.meta.url), 'latin1')
    .replace(/\r?\n/g, '\r')
    .replace(/\r+$/, '');
const msa = (ack: string) => /\rMSA\|([^|\r]*)\|([^|\r]*)/.exec(ack)?.slice(1) ?? [];

describe('HL7 v2 fixtures over MLLP with the real mappings (issue 5)', () => {
  let fhir: TestServer;
  let server: net.Server;
  let client: MllpClient;
  before(async () => {
    fhir = await startTestServer({ MLLP_PORT: '0', HL7_SENDERS: new URL('../fixtures/hl7/senders.json', import.meta.url).pathname });
    server = (await startMllpServer(fhir.engine)).server;
    client = await MllpClient.connect((server.address() as AddressInfo).port);
  });
  after(async () => {
    client?.socket.destroy();
    if (server) await new Promise((resolve) => server.close(resolve));
    await fhir.close();
  });

  const send = async (text: string) => {
    client.send(text);
    const [ack] = await client.receive(1);
    return ack;
  };
  const encounters = async () =>
    (await fhir.services.store.find<ResourceDocument>('resources', { resourceType: 'Encounter', deleted: false })).map(
      (d) => JSON.parse(d.content!) as Encounter,
    );

  it('A01 admits, A03 discharges, and a late event (older EVN-2) does not move the Encounter backwards', async () => {
    const [code, control] = msa(await send(fixture('adt-a01.hl7')));
    assert.equal(code, 'CA', 'MSH-15 AL asks for an enhanced-mode commit ACK');
    assert.equal(control, 'STJ-ADT-0001');
    assert.equal((await encounters())[0].status, 'in-progress');
    assert.equal(msa(await send(fixture('adt-a03.hl7')))[0], 'CA');
    const [discharged] = await encounters();
    assert.equal(discharged.status, 'finished');

    // The A08 of 13 March arrives after the discharge of 16 March: answered CA, the Encounter stays finished.
    const late = fixture('adt-a08.hl7');
    assert.equal(msa(await send(late))[0], 'CA');
    const after = await encounters();
    assert.equal(after.length, 1, 'still one Encounter for PV1-19');
    assert.equal(after[0].status, 'finished');
    assert.equal(after[0].meta?.versionId, discharged.meta?.versionId, 'the late event wrote no new version');
    const patients = await fhir.services.store.find<ResourceDocument>('resources', { resourceType: 'Patient', deleted: false });
    assert.equal(patients.length, 1, 'one Patient for PID-3 across the three messages');
  });

  it('a re-sent message is answered with the original ACK and applied once', async () => {
    const before = (await fhir.services.store.find('history', {})).length;
    const first = await send(fixture('adt-a01.hl7'));
    assert.equal(msa(first)[1], 'STJ-ADT-0001');
    assert.equal((await fhir.services.store.find('history', {})).length, before, 'nothing written again');
  });
});
