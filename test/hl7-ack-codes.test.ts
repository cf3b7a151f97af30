/**
 * ACK codes by failure (issue 10, defect 5; hl7-listener/ack-code.ts): a cancel of an order never received is
 * AE with 0357 code 204 (unknown key identifier), not 207; the error queue records the same code.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FIXTURE_SENDERS, useMllpTestServer } from './support/mllp-test-server.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/hl7/${name}`, import.meta.url), 'latin1')
    .replace(/\r?\n/g, '\r')
    .replace(/\r+$/, '');

describe('HL7 ACK codes from the error kind (issue 10)', () => {
  const hl7 = useMllpTestServer({ HL7_SENDERS: FIXTURE_SENDERS });

  it('ORC CA for an order never received: CE/AE with ERR 204, listed in the error queue with code 204; after the order it applies', async () => {
    const ack = await hl7.client.request(fixture('orm-o01-cancel.hl7'));
    assert.match(ack, /\rMSA\|CE\|STJ-ORM-0002\rERR\|\|\|204\^Unknown key identifier\^HL70357\|E/);
    const queue = (await hl7.fhir.http.get('/admin/hl7/messages').expect(200)).body as {
      messages: { controlId: string; error: { code: string } }[];
    };
    assert.equal(queue.messages.find((m) => m.controlId === 'STJ-ORM-0002')?.error.code, '204');
    assert.match(await hl7.client.request(fixture('orm-o01.hl7')), /\rMSA\|CA\|STJ-ORM-0001/);
    const replay = await hl7.fhir.http.get('/admin/hl7/messages').expect(200);
    const id = (replay.body as { messages: { id: string }[] }).messages[0].id;
    const replayed = await hl7.fhir.http.post(`/admin/hl7/messages/${id}/$replay`).expect(200);
    assert.equal(replayed.body.ackCode, 'CA');
  });
});
