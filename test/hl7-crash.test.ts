/**
 * HL7 v2 over MLLP across a crash of a real server process (test/support/child-server.ts, kill -9), issue 5
 * "Done means": an acknowledged message is durable, and a message whose ACK never came is applied exactly once
 * when the sender retries it with the same MSH-10 (HL7 v2.5 chapter 2.10.1: the receiver uses MSH-10 to
 * recognise a re-sent message).
 *
 * Every message is an ADT^A01 generated here with its own PID-3 and PV1-19, so each must produce exactly one
 * Patient and one Encounter, countable by identifier, and one archive record (/admin/hl7/messages).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Encounter, Patient } from '@medplum/fhirtypes';
import { MllpClient } from '../hl7-listener/testing/mllp-client.ts';
import { makeTempDataDir, REPO_ROOT, startChildServer, type ChildServer } from './support/child-server.ts';
import { getJson, mapLimit, readAllPages, type JsonAnswer } from './support/fhir-requests.ts';

/** fixtures/hl7/senders.json: STJ and STJVISIT assigning authorities of the STJOHN facility. */
const SENDERS = join(REPO_ROOT, 'fixtures', 'hl7', 'senders.json');
const PATIENT_SYSTEM = 'urn:oid:1.2.250.1.999.1.1';
const VISIT_SYSTEM = 'urn:oid:1.2.250.1.999.1.2';
const SENDERS_IN_FLIGHT = 8;

interface Sent {
  controlId: string;
  mrn: string;
  visit: string;
  text: string;
  /** The ACK received for it (before the kill or on retry). */
  ack?: string;
  /** No ACK came before the kill. */
  unanswered?: boolean;
}

const run = randomBytes(3).toString('hex');

function adtA01(n: number, enhanced: boolean): Sent {
  const controlId = `CRASH-${run}-${n}`;
  const mrn = `CR-${run}-${n}`;
  const visit = `CV-${run}-${n}`;
  const text = [
    // MSH-15 AL asks for an enhanced-mode accept acknowledgement (CA), otherwise original mode (AA).
    `MSH|^~\\&|CRASHADT|STJOHN|FHIRLINE|FHIRLINE|20240501101500||ADT^A01^ADT_A01|${controlId}|P|2.5.1${enhanced ? '|||AL|NE' : ''}`,
    'EVN|A01|20240501101500',
    `PID|1||${mrn}^^^STJ^MR||Crash^Test${n}||19700101|M`,
    `PV1|1|I|CARD^401^A^STJOHN||||||||||||||||${visit}^^^STJVISIT^VN|||||||||||||||||||||||||20240501101000`,
  ].join('\r');
  return { controlId, mrn, visit, text };
}

/** Enhanced mode (MSH-15 AL) is accepted with CA, original mode with AA (HL7 v2.5 chapter 2.9). */
const expectedCode = (s: Sent) => (s.text.includes('|||AL|NE') ? 'CA' : 'AA');
const msa = (ack: string) => /\rMSA\|([^|\r]*)\|([^|\r]*)/.exec(ack)?.slice(1, 3) ?? [];

async function startHl7Server(dataDir: string): Promise<ChildServer> {
  return startChildServer({ dataDir, env: { HL7_SENDERS: SENDERS } });
}

/** Exactly one Patient and one Encounter for the message, version 1 (applied once), and the archive lists them. */
async function checkAppliedOnce(child: ChildServer, sent: Sent[], problems: string[]): Promise<void> {
  const applied = new Map<string, { resources: string[] }>();
  for (let url: string | undefined = `${child.origin}/admin/hl7/messages?status=applied&_count=200`; url;) {
    const page: JsonAnswer<{ messages: { id: string; controlId: string }[]; next?: string }> = await getJson(url);
    assert.equal(page.status, 200);
    for (const m of page.body!.messages) {
      const one = await getJson<{ resources: string[] }>(`${child.origin}/admin/hl7/messages/${m.id}`);
      if (applied.has(m.controlId)) problems.push(`MSH-10 ${m.controlId} is archived twice`);
      applied.set(m.controlId, one.body!);
    }
    url = page.body!.next ? `${child.origin}${page.body!.next}` : undefined;
  }
  await mapLimit(sent, 8, async (s) => {
    const patients = (await readAllPages(`${child.baseUrl}/Patient?identifier=${encodeURIComponent(`${PATIENT_SYSTEM}|${s.mrn}`)}`)).map(
      (e) => e.resource as Patient,
    );
    const encounters = (
      await readAllPages(`${child.baseUrl}/Encounter?identifier=${encodeURIComponent(`${VISIT_SYSTEM}|${s.visit}`)}`)
    ).map((e) => e.resource as Encounter);
    if (patients.length !== 1) problems.push(`${s.controlId}: ${patients.length} Patients with PID-3 ${s.mrn}`);
    if (encounters.length !== 1) problems.push(`${s.controlId}: ${encounters.length} Encounters with PV1-19 ${s.visit}`);
    for (const r of [...patients, ...encounters]) {
      if (r.meta?.versionId !== '1')
        problems.push(`${s.controlId}: ${r.resourceType}/${r.id} is at version ${r.meta?.versionId} (applied more than once?)`);
    }
    const record = applied.get(s.controlId);
    if (!record) {
      problems.push(`${s.controlId}: no applied archive record`);
      return;
    }
    const expected = [...patients.map((p) => `Patient/${p.id}`), ...encounters.map((e) => `Encounter/${e.id}`)].sort();
    const listed = record.resources.filter((r) => r.startsWith('Patient/') || r.startsWith('Encounter/')).sort();
    if (JSON.stringify(listed) !== JSON.stringify(expected))
      problems.push(`${s.controlId}: archive lists ${listed.join(', ')}, store has ${expected.join(', ')}`);
  });
  const ours = new Set(sent.map((s) => s.controlId));
  const extra = [...applied.keys()].filter((c) => c.startsWith(`CRASH-${run}-`) && !ours.has(c));
  if (extra.length > 0) problems.push(`archive records for messages never sent: ${extra.join(', ')}`);
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

describe('HL7 v2 listener across kill -9 of the server process (issue 5)', function () {
  this.timeout(180_000);
  let child: ChildServer | undefined;
  let dataDir: string | undefined;
  const clients: MllpClient[] = [];
  const connect = async (c: ChildServer) => {
    const client = await MllpClient.connect(c.mllpPort);
    clients.push(client);
    return client;
  };

  afterEach(async () => {
    for (const c of clients.splice(0)) c.socket.destroy();
    await child?.cleanup();
    child = undefined;
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('killed right after it sent AA/CA: the data is there after restart, and a re-send gets the original ACK and creates nothing twice', async () => {
    dataDir = makeTempDataDir('fhirline-hl7-crash-');
    child = await startHl7Server(dataDir);
    const sent = Array.from({ length: 6 }, (_, i) => adtA01(i, i % 2 === 1));
    const client = await connect(child);
    for (const s of sent) {
      s.ack = await client.request(s.text);
      assert.deepEqual(msa(s.ack), [expectedCode(s), s.controlId], s.ack);
    }
    // kill -9 as soon as the last ACK is read: no chance for anything to be flushed after it was sent.
    const exit = await child.kill9();
    assert.equal(exit.signal, 'SIGKILL');

    child = await startHl7Server(dataDir);
    const problems: string[] = [];
    await checkAppliedOnce(child, sent, problems);
    assert.deepEqual(problems, [], 'after kill -9 and restart');

    const again = await connect(child);
    for (const s of sent) assert.equal(await again.request(s.text), s.ack, `${s.controlId}: a re-send is answered with the original ACK`);
    await checkAppliedOnce(child, sent, problems);
    assert.deepEqual(problems, [], 'after the re-sends');
  });

  it('killed before it answered: every unanswered message retried after restart is applied exactly once', async () => {
    dataDir = makeTempDataDir('fhirline-hl7-crash-');
    child = await startHl7Server(dataDir);
    const sent: Sent[] = [];
    let n = 0;
    // Warm up (validators compile on first use) so the kill lands while the server works at its normal pace.
    const warm = adtA01(n++, false);
    sent.push(warm);
    warm.ack = await (await connect(child)).request(warm.text);
    assert.deepEqual(msa(warm.ack), ['AA', warm.controlId]);

    // Senders, each on its own connection, one message after another, waiting for each ACK (as real senders do),
    // until their connection dies: each ends with exactly one message that got no ACK. Bounded in count.
    const server = child;
    const sender = async () => {
      const client = await connect(server);
      while (n < 20_000) {
        const s = adtA01(n, n % 3 === 0);
        n++;
        sent.push(s);
        client.send(s.text);
        try {
          [s.ack] = await client.receive(1);
        } catch {
          s.unanswered = true;
          return;
        }
      }
    };
    const senders = Array.from({ length: SENDERS_IN_FLIGHT }, sender);
    // Kill once the load is flowing (some ACKs came back), at a random moment.
    const deadline = Date.now() + 60_000;
    while (sent.filter((s) => s.ack).length < 1 + SENDERS_IN_FLIGHT && Date.now() < deadline) await sleep(20);
    await sleep(Math.random() * 1_000);
    const exit = await child.kill9();
    await Promise.all(senders);
    assert.equal(exit.signal, 'SIGKILL');
    const unanswered = sent.filter((s) => s.unanswered);
    assert.ok(unanswered.length > 0, 'some messages should have been in flight at the kill');
    assert.ok(
      sent.some((s) => s.ack && s !== warm),
      'some messages should have been acknowledged before the kill',
    );
    for (const s of sent.filter((x) => x.ack)) assert.equal(msa(s.ack!)[1], s.controlId);

    // The senders retry what got no ACK, with the same MSH-10, on new connections after the restart.
    child = await startHl7Server(dataDir);
    const retry = await connect(child);
    for (const s of unanswered) {
      s.ack = await retry.request(s.text);
      assert.deepEqual(msa(s.ack), [expectedCode(s), s.controlId], `retry of ${s.controlId}: ${s.ack}`);
    }
    const problems: string[] = [];
    await checkAppliedOnce(child, sent, problems);
    // A second retry (the sender missed the first retry's ACK too) changes nothing either.
    for (const s of unanswered) assert.equal(await retry.request(s.text), s.ack, `second retry of ${s.controlId}`);
    await checkAppliedOnce(child, sent, problems);
    assert.deepEqual(problems, [], `${sent.length} messages, ${unanswered.length} unanswered at the kill and retried`);
    if (process.env.CRASH_TEST_VERBOSE) console.log(`      ${sent.length} messages sent, ${unanswered.length} unanswered at kill -9`);
  });
});
