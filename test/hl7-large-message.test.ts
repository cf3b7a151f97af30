/**
 * Large HL7 messages (issue 10, defect 4): an embedded document (OBX-5 ED, Base64) up to the frame limit becomes a
 * Binary that the report's presentedForm points at, and a large message does not hold up another connection's
 * ACK for its whole processing time (measured and printed, never asserted).
 *
 * Where the time of a 19 MB ORU went (one core, in process, PREPARE_WORKERS=0): the Base64 checks overflowed the
 * stack (the AE 207); once linear, parseFrame 421 ms (splitSegments' per-character loop 232 ms, now a native
 * regular expression scan: 82 ms in all), mapping ~160 ms, validation ~130 ms (in the prepare workers on the
 * shipped configuration), LMDB encoding ~160 ms, garbage collection of the copies the rest. Another
 * connection's ACK meanwhile: 0.2-1.2 s at worst (was 5.6-10 s in the issue).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Binary, Bundle, DiagnosticReport } from '@medplum/fhirtypes';
import { createLogger } from '../server/logger.ts';
import { FIXTURE_SENDERS, useMllpTestServer } from './support/mllp-test-server.ts';

const pdf = (bytes: number) => Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(bytes)]).toString('base64');
const oru = (control: string, filler: string, base64: string) =>
  [
    `MSH|^~\\&|RADSYS|STJOHN|FHIRLINE|FHIRLINE|20240313090000||ORU^R01^ORU_R01|${control}|P|2.5.1`,
    'PID|1||100234^^^STJ^MR||Durand^Sophie',
    `OBR|1|ORD-${filler}^STJORD|RAD-${filler}^STJLAB|36643-5^XR Chest 2 Views^LN|||20240313083000|||||||||||||||20240313085900||RAD|F`,
    `OBX|1|ED|18748-4^Diagnostic imaging study^LN||^AP^PDF^Base64^${base64}||||||F`,
  ].join('\r');
const small = (control: string) =>
  [
    'MSH|^~\\&|EPICADT|STJOHN|FHIRLINE|FHIRLINE|20240313090000||ADT^A28|' + control + '|P|2.5.1',
    'PID|1||200001^^^STJ^MR||Martin^Paul',
  ].join('\r');

describe('HL7 large messages (issue 10)', function () {
  this.timeout(120_000);
  const logLines: string[] = [];
  const hl7 = useMllpTestServer(
    { HL7_SENDERS: FIXTURE_SENDERS },
    (fhir) => (fhir.services.logger = createLogger('warn', (line) => logLines.push(line))),
  );
  const connect = () => hl7.connect();

  it('a 0.9 MB PDF (1.2 MB of Base64) is answered AA; the report points at a Binary holding it', async () => {
    const client = await connect();
    const data = pdf(900_000);
    assert.match(await client.request(oru('BIG-1', '1', data)), /\rMSA\|AA\|BIG-1/);
    client.close();
    const reports = (await hl7.fhir.http.get('/fhir/DiagnosticReport?identifier=urn:oid:1.2.250.1.999.1.4|RAD-1').expect(200))
      .body as Bundle<DiagnosticReport>;
    const form = reports.entry![0].resource!.presentedForm![0];
    assert.equal(form.contentType, 'application/pdf');
    assert.equal(form.size, 900_009);
    assert.match(form.url!, /^Binary\/[0-9a-f]{40}$/);
    const binary = (await hl7.fhir.http.get(`/fhir/${form.url}`).set('Accept', 'application/fhir+json').expect(200)).body as Binary;
    assert.equal(binary.data, data);
  });

  it('a 19 MB message is applied, and another connection is answered meanwhile (timings printed)', async () => {
    const big = await connect();
    const other = await connect();
    const quiet: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await other.request(small(`Q-${i}`));
      quiet.push(performance.now() - t);
    }
    const started = performance.now();
    const bigAck = big.request(oru('BIG-19', '19', pdf(14_000_000)));
    const during: number[] = [];
    let done = false;
    void bigAck.then(() => (done = true));
    for (let i = 0; !done && i < 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const t = performance.now();
      assert.match(await other.request(small(`D-${i}`)), /\rMSA\|AA\|/);
      during.push(performance.now() - t);
    }
    const ack = await bigAck;
    const total = performance.now() - started;
    console.log(
      `      19 MB message: ${Math.round(total)} ms; other connection's ACK: idle ${quiet.map(Math.round).join('/')} ms, during max ${Math.round(Math.max(0, ...during))} ms over ${during.length} messages`,
    );
    assert.match(ack, /\rMSA\|AA\|BIG-19/, ack.slice(0, 300));
    big.close();
    other.close();
  });

  it('a failed message is logged with control id, type, sender and error code, without patient data', async () => {
    const client = await connect();
    assert.match(await client.request(oru('BAD-1', '2', 'not*base64')), /\rMSA\|AE\|BAD-1\rERR\|\|OBX\^1\^5\^1\^5\|102\^/);
    client.close();
    const line = logLines.find((l) => l.includes('BAD-1'));
    assert.ok(line, 'logged');
    const logged = JSON.parse(line) as Record<string, unknown>;
    assert.equal(logged.messageType, 'ORU^R01');
    assert.equal(logged.sender, 'RADSYS^STJOHN');
    assert.equal(logged.errorCode, '102');
    assert.doesNotMatch(line, /not\*base64|Durand|100234/);
  });
});
