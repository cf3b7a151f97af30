import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Patient } from '@medplum/fhirtypes';
import { startTestServer, type TestServer } from '../test/support/in-process-server.ts';
import { storedDocuments } from '../test/support/stored.ts';
import type { Filter } from '../server/engine/index.ts';
import { archiveOf } from './archive.ts';
import type { MapMessage } from './handle-message.ts';
import { conditionalUpdate } from './mapping/entries.ts';
import { fault, ERROR_CODES } from './mapping/errors.ts';
import { startMllpServer } from './mllp-server.ts';
import { MllpClient } from './testing/mllp-client.ts';

/** A stand-in mapping: PID-3 -> a Patient by identifier; PID-3 "FAIL" -> an AE fault at PID-3. */
const patientMapping: MapMessage = (message, context) => {
  const pid = message.segments.find((s) => s.name === 'PID');
  const id = pid?.fields[3]?.[0]?.[0]?.[0] ?? '';
  if (id === 'FAIL')
    return {
      ok: false as const,
      error: fault(ERROR_CODES.tableValueNotFound, 'PID-3 assigning authority unknown', { segment: 'PID', sequence: 1, field: 3 }),
    };
  const family = pid?.fields[5]?.[0]?.[0]?.[0] ?? '';
  const patient: Patient = { resourceType: 'Patient', identifier: [{ system: 'urn:mrn', value: id }], name: [{ family }] };
  return { ok: true as const, entries: [conditionalUpdate(context, 'patient', patient, `identifier=urn:mrn|${id}`)] };
};

const msg = (control: string, mrn = '123', family = 'Doe', extraMsh = '') =>
  [`MSH|^~\\&|LAB|HOSP|FHIRLINE|MAIN|20240101120000||ADT^A08|${control}|P|2.5.1${extraMsh}`, `PID|1||${mrn}||${family}`].join('\r');

const msa = (ack: string) => /\rMSA\|([^|\r]*)\|([^|\r]*)/.exec(ack)?.slice(1) ?? [];
const err = (ack: string) => /\r(ERR\|[^\r]*)/.exec(ack)?.[1] ?? '';

describe('MLLP listener over a real TCP socket (issue 5)', () => {
  let fhir: TestServer;
  let server: net.Server;
  let port: number;
  const clients: MllpClient[] = [];

  const connect = async () => {
    const c = await MllpClient.connect(port);
    clients.push(c);
    return c;
  };

  async function start(env: Record<string, string> = {}, idleTimeoutMs?: number) {
    fhir = await startTestServer({ MLLP_PORT: '0', ...env });
    server = (await startMllpServer(fhir.engine, { map: patientMapping, ...(idleTimeoutMs && { idleTimeoutMs }) })).server;
    port = (server.address() as AddressInfo).port;
  }

  async function stop() {
    for (const c of clients.splice(0)) c.socket.destroy();
    await new Promise((resolve) => server.close(resolve));
    await fhir.close();
  }

  const patients = () => storedDocuments(fhir, 'Patient');
  const archived = (filter: Filter = {}) => archiveOf(fhir.engine).find(filter);

  describe('with the default limits', () => {
    beforeEach(() => start());
    afterEach(() => stop());

    it('answers AA (MSA-2 = MSH-10) once the Patient and the archive record are stored', async () => {
      const ack = await (await connect()).request(msg('C1'));
      assert.deepEqual(msa(ack), ['AA', 'C1']);
      const [p] = await patients();
      assert.equal(JSON.parse(p!.content!).name[0].family, 'Doe');
      const [record] = await archived();
      assert.equal(record!.status, 'applied');
      assert.equal(record!.ack, ack);
      assert.equal(record!.controlId, 'C1');
      assert.equal(record!.sendingApplication, 'LAB');
      assert.equal(record!.messageType, 'ADT^A08');
      assert.deepEqual(record!.resources, [`Patient/${p!.id}`]);
      assert.match(record!.text, /^MSH\|/);
    });

    it('answers a re-sent message (same MSH-3/4 and MSH-10) with the original ACK and never applies it twice', async () => {
      const client = await connect();
      const first = await client.request(msg('C2', '7', 'First'));
      const second = await client.request(msg('C2', '7', 'Changed'));
      assert.equal(second, first);
      const [p] = await patients();
      assert.equal(p!.versionId, 1);
      assert.equal(JSON.parse(p!.content!).name[0].family, 'First');
      assert.equal((await archived()).length, 1);
    });

    it('applies a message once when two connections send it at the same time', async () => {
      const [a, b] = [await connect(), await connect()];
      const [ackA, ackB] = await Promise.all([a.request(msg('C3', '9')), b.request(msg('C3', '9'))]);
      assert.equal(ackA, ackB);
      assert.equal((await patients())[0]!.versionId, 1);
    });

    it('answers AE with ERR (0357 code, ERR-2 location) when the mapping fails, and keeps it in the error queue', async () => {
      const ack = await (await connect()).request(msg('C4', 'FAIL'));
      assert.deepEqual(msa(ack), ['AE', 'C4']);
      assert.match(err(ack), /^ERR\|\|PID\^1\^3\^1\|103\^Table value not found\^HL70357\|E\|/);
      const [record] = await archived({ status: 'failed' });
      assert.equal(record!.error!.code, '103');
      assert.equal((await patients()).length, 0);
    });

    it('answers AR 102 for a broken MSH and keeps serving the connection', async () => {
      const client = await connect();
      const ack = await client.request('MSH|^^|LAB|HOSP|F|M|2024||ADT^A08|B1|P|2.5.1\rPID|1||1');
      assert.deepEqual(msa(ack), ['AR', 'B1']);
      assert.match(err(ack), /\|102\^Data type error\^HL70357\|/);
      assert.deepEqual(msa(await client.request(msg('C5'))), ['AA', 'C5']);
    });

    it('answers enhanced mode (MSH-15/16) with CA', async () => {
      const ack = await (await connect()).request(msg('E1', '1', 'Doe', '|||AL|NE'));
      assert.deepEqual(msa(ack), ['CA', 'E1']);
    });

    it('handles several frames in one read and answers them in order', async () => {
      const client = await connect();
      const frames = ['P1', 'P2', 'P3', 'P4'].map((c, i) =>
        Buffer.concat([Buffer.from([0x0b]), Buffer.from(msg(c, `m${i}`)), Buffer.from([0x1c, 0x0d])]),
      );
      client.socket.write(Buffer.concat(frames));
      const acks = await client.receive(4);
      assert.deepEqual(
        acks.map((a) => msa(a)[1]),
        ['P1', 'P2', 'P3', 'P4'],
      );
    });

    it('reassembles a frame split across reads, byte by byte, after garbage before the start block', async () => {
      const client = await connect();
      const bytes = Buffer.concat([Buffer.from('garbage\r\n'), Buffer.from([0x0b]), Buffer.from(msg('S1')), Buffer.from([0x1c, 0x0d])]);
      for (const b of bytes) {
        client.socket.write(Buffer.from([b]));
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.deepEqual(msa((await client.receive(1))[0]!), ['AA', 'S1']);
    });

    it('survives a peer that disconnects mid-frame; other connections are unaffected', async () => {
      const other = await connect();
      const quitter = await connect();
      quitter.socket.write(Buffer.concat([Buffer.from([0x0b]), Buffer.from(msg('Q1').slice(0, 30))]));
      quitter.socket.destroy();
      assert.deepEqual(msa(await other.request(msg('Q2'))), ['AA', 'Q2']);
      assert.equal((await archived({ controlId: 'Q1' })).length, 0);
    });
  });

  describe('with a small MLLP_MAX_BYTES and idle timeout', () => {
    beforeEach(() => start({ MLLP_MAX_BYTES: '2000' }, 300));
    afterEach(() => stop());

    it('answers AR to a frame over MLLP_MAX_BYTES, stores nothing, and serves the next message', async () => {
      const client = await connect();
      const big = msg('BIG', '1', 'x'.repeat(5000));
      assert.deepEqual(msa(await client.request(big)), ['AR', 'BIG']);
      assert.equal((await patients()).length, 0);
      assert.deepEqual(msa(await client.request(msg('SMALL'))), ['AA', 'SMALL']);
    });

    it('closes an idle connection', async () => {
      const client = await connect();
      await assert.rejects(client.receive(1), /connection closed/);
      assert.equal(client.closed, true);
    });
  });
});

describe('MLLP listener graceful close (server.ts stop)', () => {
  it('finishes and answers the message being handled, then closes; no new connection is taken', async () => {
    const fhir = await startTestServer({ MLLP_PORT: '0' });
    let closed: Promise<void> | undefined;
    let close = (): Promise<void> => Promise.resolve();
    // The stop arrives while the message is being handled: after it was read, before its transaction commits.
    const closingMapping: MapMessage = (message, context) => {
      closed ??= close();
      return patientMapping(message, context);
    };
    const listener = await startMllpServer(fhir.engine, { map: closingMapping });
    close = listener.close;
    const port = (listener.server.address() as AddressInfo).port;
    const client = await MllpClient.connect(port);
    try {
      const ack = await client.request(msg('CLOSE-1', 'C-1', 'Drain'));
      assert.deepEqual(msa(ack), ['AA', 'CLOSE-1']);
      await closed;
      const stored = await storedDocuments(fhir, 'Patient');
      assert.equal(stored.length, 1);
      await assert.rejects(MllpClient.connect(port), /ECONNREFUSED/);
    } finally {
      client.socket.destroy();
      await fhir.close();
    }
  });
});
