/**
 * The listener driven by a third-party MLLP client: `mllp_send` from Debian's `python3-hl7` (installed by
 * .ci/run). It frames each message (<VT> ... <FS><CR>), waits for the answer and prints it, so these tests see
 * exactly what an integration engineer trying Fhirline with that tool sees. Without `mllp_send` the suite is
 * skipped, and says so.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { AddressInfo, Server } from 'node:net';
import { dirname, join } from 'node:path';
import type { Bundle, DiagnosticReport, Observation, Patient } from '@medplum/fhirtypes';
import { archiveUrl } from '../hl7-listener/archive.ts';
import { startMllpServer } from '../hl7-listener/mllp-server.ts';
import type { Hl7MessageDocument } from '../hl7-listener/archive.ts';
import { REPO_ROOT } from './support/child-server.ts';
import { startTestServer, type TestServer } from './support/in-process-server.ts';

const FIXTURES = join(REPO_ROOT, 'fixtures', 'hl7');
const MLLP_SEND = 'mllp_send';

function mllpSendInstalled(): boolean {
  return spawnSync(MLLP_SEND, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Runs mllp_send against 127.0.0.1:port; resolves with the frames it printed (one per message sent). */
function mllpSend(port: number, args: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      MLLP_SEND,
      ['-p', String(port), ...args, '127.0.0.1'],
      { encoding: 'buffer', timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`mllp_send failed: ${error.message}\n${stderr.toString('utf8')}`));
        // It prints each answer as received, MLLP framing included, followed by a newline.
        // eslint-disable-next-line no-control-regex -- MLLP frames are delimited by the control characters VT and FS.
        resolve([...stdout.toString('utf8').matchAll(/\x0b([\s\S]*?)\x1c\r/g)].map((m) => m[1]!));
      },
    );
    child.stdin!.end();
  });
}

const segment = (message: string, name: string) =>
  message
    .split('\r')
    .find((s) => s.startsWith(`${name}|`))
    ?.split('|') ?? [];
/** [MSA-1, MSA-2] of an ACK. */
const msa = (ack: string) => segment(ack, 'MSA').slice(1, 3);
/** MSH-10 of a fixture file (one segment per line). */
const controlIdOf = (file: string) =>
  readFileSync(join(FIXTURES, file), 'latin1')
    .split(/\r\n|\r|\n/)[0]!
    .split('|')[9];
const lines = (file: string) => readFileSync(join(FIXTURES, file), 'latin1').split(/\r\n|\r|\n/);

/** Sent in this order: ADT first, the order before its results, the correction and cancel after them. */
const FIXTURE_ORDER = [
  'adt-a01.hl7',
  'adt-a08.hl7',
  'adt-a01-latin1.hl7',
  'orm-o01.hl7',
  'oru-r01.hl7',
  'oru-r01-critical.hl7',
  'oru-r01-corrected.hl7',
  'oru-r01-pdf.hl7',
  'orm-o01-cancel.hl7',
  'adt-a03.hl7',
  'adt-a40.hl7',
];

describe('HL7 v2 listener driven by mllp_send (python3-hl7, a third-party MLLP client) (issue 5)', function () {
  this.timeout(120_000);
  let fhir: TestServer | undefined;
  let mllp: Server | undefined;
  let port: number;
  const acks = new Map<string, string>();

  before(async function () {
    if (!mllpSendInstalled()) {
      console.log(`      SKIPPED: '${MLLP_SEND}' is not installed (Debian package python3-hl7; .ci/run installs it)`);
      this.skip();
    }
    fhir = await startTestServer({ MLLP_PORT: '0', HL7_SENDERS: join(FIXTURES, 'senders.json') });
    mllp = (await startMllpServer(fhir.engine)).server;
    port = (mllp.address() as AddressInfo).port;
  });

  after(async () => {
    if (mllp) await new Promise((resolve) => mllp!.close(resolve));
    await fhir?.close();
  });

  const http = () => fhir!.http;
  const search = async <T>(query: string): Promise<T[]> => {
    const res = await http().get(`/fhir/${query}`);
    assert.equal(res.status, 200, `GET ${query}: ${res.text}`);
    return ((res.body as Bundle).entry ?? []).map((e) => e.resource as T);
  };
  const archived = async (controlId: string) => {
    const [record] = await fhir!.services.store.find<Hl7MessageDocument>('hl7messages', { controlId });
    assert.ok(record, `no archive record for MSH-10 ${controlId}`);
    return record;
  };

  it('answers every fixture CA with MSA-2 = its MSH-10 (enhanced mode, v2.5 chapter 2.9.3: MSH-15 AL) once it is stored', async () => {
    for (const file of FIXTURE_ORDER) {
      const answers = await mllpSend(port, ['--loose', '-f', join(FIXTURES, file)]);
      assert.equal(answers.length, 1, `${file}: mllp_send printed ${answers.length} answers`);
      const ack = answers[0]!;
      assert.deepEqual(msa(ack), ['CA', controlIdOf(file)], `${file}: ${ack.split('\r').join(' / ')}`);
      assert.equal(segment(ack, 'MSH')[8], `ACK^${segment(lines(file).join('\r'), 'MSH')[8]!.split('^')[1]}^ACK`, `${file}: MSH-9`);
      acks.set(file, ack);
      const record = await archived(controlIdOf(file)!);
      assert.equal(record.status, 'applied', file);
      assert.equal(record.ack, ack, `${file}: the archived ACK is the one sent`);
    }
  });

  it('stored the FHIR resources: one Observation per OBX with its LOINC code, the DiagnosticReport, the Latin-1 names as Unicode', async function () {
    if (acks.size < FIXTURE_ORDER.length) this.skip();
    const record = await archived('STJ-LAB-0001');
    const obxCodes = lines('oru-r01.hl7')
      .filter((l) => l.startsWith('OBX|'))
      .map((l) => l.split('|')[3]!.split('^')[0]);
    const observations = record.resources.filter((r) => r.startsWith('Observation/'));
    assert.equal(observations.length, obxCodes.length, `ORU^R01 with ${obxCodes.length} OBX -> ${observations.join(', ')}`);
    const codes: string[] = [];
    for (const ref of observations) {
      const res = await http().get(`/fhir/${ref}`);
      assert.equal(res.status, 200, ref);
      const obs = res.body as Observation;
      codes.push(obs.code.coding?.find((c) => c.system === 'http://loinc.org')?.code ?? '');
      assert.equal(
        obs.meta?.source,
        archiveUrl(fhir!.services.config.baseUrl, record._id),
        `${ref}: meta.source points at the archived message`,
      );
    }
    assert.deepEqual(codes.sort(), [...obxCodes].sort());
    const reports = await search<DiagnosticReport>(
      `DiagnosticReport?_id=${record.resources
        .filter((r) => r.startsWith('DiagnosticReport/'))
        .map((r) => r.split('/')[1])
        .join(',')}`,
    );
    assert.equal(reports.length, 1);
    assert.equal(reports[0]!.result?.length, obxCodes.length);

    const [latin1] = await search<Patient>('Patient?identifier=100777');
    assert.equal(latin1?.name?.[0]?.family, 'Müller');
    assert.equal(latin1?.name?.[0]?.given?.[0], 'Zoë');
    assert.equal((await search<Patient>('Patient?identifier=100234')).length, 1, 'PID-3 100234 is one Patient across A01, A08, ORM, ORU');
  });

  it('answers a message re-sent by mllp_send with the original ACK, byte for byte, and applies it once (v2.5 chapter 2.10.1)', async function () {
    if (!acks.has('oru-r01.hl7')) this.skip();
    const observationsBefore = (await search<Observation>('Observation?_count=1000')).length;
    const archiveBefore = (await fhir!.services.store.find<Hl7MessageDocument>('hl7messages', {})).length;
    const [again] = await mllpSend(port, ['--loose', '-f', join(FIXTURES, 'oru-r01.hl7')]);
    assert.equal(again, acks.get('oru-r01.hl7'));
    assert.equal((await search<Observation>('Observation?_count=1000')).length, observationsBefore);
    assert.equal((await fhir!.services.store.find<Hl7MessageDocument>('hl7messages', {})).length, archiveBefore);
  });

  it('answers several MLLP-framed messages on one connection in order, one ACK each (messages processed strictly in order)', async () => {
    const ids = ['MS-1', 'MS-2', 'MS-3'];
    const messages = ids.map((id, i) =>
      [
        `MSH|^~\\&|MLLPSEND|STJOHN|FHIRLINE|FHIRLINE|20240401080000||ADT^A01^ADT_A01|${id}|P|2.5.1`,
        'EVN|A01|20240401080000',
        `PID|1||MS-PAT-${i}^^^STJ^MR||Send^Test${i}||19900101|F`,
        `PV1|1|I|CARD^401^A^STJOHN||||||||||||||||MS-VISIT-${i}^^^STJVISIT^VN`,
      ].join('\r'),
    );
    // A file of MLLP frames (mllp_send 0.4.5 reads stdin as text under Python 3 and fails, so -f).
    const file = join(mkdtempSync(join(tmpdir(), 'fhirline-mllp-send-')), 'frames.mllp');
    writeFileSync(
      file,
      Buffer.concat(messages.map((m) => Buffer.concat([Buffer.from([0x0b]), Buffer.from(m, 'utf8'), Buffer.from([0x1c, 0x0d])]))),
    );
    const answers = await mllpSend(port, ['-f', file]);
    rmSync(dirname(file), { recursive: true, force: true });
    // Original mode (no MSH-15/16): AA.
    assert.deepEqual(
      answers.map(msa),
      ids.map((id) => ['AA', id]),
    );
    for (let i = 0; i < ids.length; i++) {
      const patients = await search<Patient>(`Patient?identifier=MS-PAT-${i}`);
      assert.deepEqual(
        patients.map((p) => p.name?.[0]?.given?.[0]),
        [`Test${i}`],
      );
    }
  });
});
