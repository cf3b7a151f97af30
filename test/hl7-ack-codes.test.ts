/**
 * ACK codes by failure (issue 10, defect 5; hl7-listener/ack-code.ts): a cancel of an order never received is
 * AE with 0357 code 204 (unknown key identifier), not 207; the error queue records the same code.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { startMllpServer, type MllpListener } from '../hl7-listener/mllp-server.ts';
import { MllpClient } from '../hl7-listener/testing/mllp-client.ts';
import { startTestServer, type TestServer } from './support/in-process-server.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/hl7/${name}`, import.meta.url), 'latin1').replace(/\r?\n/g, '\r').replace(/\r+$/, '');

describe('HL7 ACK codes from the error kind (issue 10)', () => {
  let fhir: TestServer;
  let listener: MllpListener;
  let client: MllpClient;
  before(async () => {
    fhir = await startTestServer({ MLLP_PORT: '0', HL7_SENDERS: new URL('../fixtures/hl7/senders.json', import.meta.url).pathname });
    listener = await startMllpServer(fhir.services);
    client = await MllpClient.connect((listener.server.address() as AddressInfo).port);
  });
  after(async () => {
    client.socket.destroy();
    await listener.close();
    await fhir.close();
  });

  it('ORC CA for an order never received: CE/AE with ERR 204, listed in the error queue with code 204; after the order it applies', async () => {
    const ack = await client.request(fixture('orm-o01-cancel.hl7'));
    assert.match(ack, /\rMSA\|CE\|STJ-ORM-0002\rERR\|\|\|204\^Unknown key identifier\^HL70357\|E/);
    const queue = (await request(fhir.app.callback()).get('/admin/hl7/messages').expect(200)).body as { messages: { controlId: string; error: { code: string } }[] };
    assert.equal(queue.messages.find((m) => m.controlId === 'STJ-ORM-0002')?.error.code, '204');
    assert.match(await client.request(fixture('orm-o01.hl7')), /\rMSA\|CA\|STJ-ORM-0001/);
    const replay = await request(fhir.app.callback()).get('/admin/hl7/messages').expect(200);
    const id = (replay.body as { messages: { id: string }[] }).messages[0].id;
    const replayed = await request(fhir.app.callback()).post(`/admin/hl7/messages/${id}/$replay`).expect(200);
    assert.equal(replayed.body.ackCode, 'CA');
  });
});
