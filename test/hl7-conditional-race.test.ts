/**
 * Two HL7 v2 feeds that send the same new PID-3 at the same moment (two MLLP connections to a child-process
 * server with the default prepare workers): the listener's transactions use the same race-free conditional
 * writes as REST (server/bundle/transaction.ts), so there is one Patient, and both messages are accepted.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { MllpClient } from '../hl7-listener/testing/mllp-client.ts';
import { REPO_ROOT, startChildServer, type ChildServer } from './support/child-server.ts';
import { getJson } from './support/fhir-requests.ts';

/** fixtures/hl7/senders.json maps the STJ assigning authority of STJOHN to this system. */
const PATIENT_SYSTEM = 'urn:oid:1.2.250.1.999.1.1';
const run = randomBytes(3).toString('hex');
const msa = (ack: string) => /\rMSA\|([^|\r]*)\|/.exec(ack)?.[1];

/** An ADT^A01 from `feed` admitting the patient `mrn` with its own visit number. */
function adtA01(feed: string, round: number, mrn: string): string {
  return [
    `MSH|^~\\&|${feed}|STJOHN|FHIRLINE|FHIRLINE|20240501101500||ADT^A01^ADT_A01|${feed}-${run}-${round}|P|2.5.1`,
    'EVN|A01|20240501101500',
    `PID|1||${mrn}^^^STJ^MR||Race^Test||19700101|F`,
    `PV1|1|I|CARD^401^A^STJOHN||||||||||||||||${feed}-V-${run}-${round}^^^STJVISIT^VN|||||||||||||||||||||||||20240501101000`,
  ].join('\r');
}

describe('two HL7 feeds sending the same new PID-3 at once (child-process server, prepare workers)', function () {
  this.timeout(300_000);
  let child: ChildServer;
  let feeds: MllpClient[];
  before(async () => {
    child = await startChildServer({ env: { HL7_SENDERS: join(REPO_ROOT, 'fixtures', 'hl7', 'senders.json') } });
    feeds = await Promise.all([MllpClient.connect(child.mllpPort), MllpClient.connect(child.mllpPort)]);
  });
  after(async () => {
    for (const feed of feeds ?? []) feed.socket.destroy();
    await child?.cleanup();
  });

  it('store one Patient for the identifier, twenty times, and accept both messages', async () => {
    for (let round = 0; round < 20; round++) {
      const mrn = `RACE-${run}-${round}`;
      const acks = await Promise.all([feeds[0].request(adtA01('ADTA', round, mrn)), feeds[1].request(adtA01('ADTB', round, mrn))]);
      assert.deepEqual(acks.map(msa), ['AA', 'AA'], `round ${round}`);
      const patients = await getJson<{ total: number }>(
        `${child.baseUrl}/Patient?identifier=${encodeURIComponent(`${PATIENT_SYSTEM}|${mrn}`)}&_total=accurate`,
      );
      assert.equal(patients.body!.total, 1, `round ${round}: Patients with PID-3 ${mrn}`);
    }
  });
});
