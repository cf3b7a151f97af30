/**
 * An in-process Fhirline with its MLLP listener on a free port and one connected client, for HL7 end-to-end
 * tests: registers mocha `before`/`after` hooks in the enclosing `describe`.
 *
 *   const hl7 = useMllpTestServer({ HL7_SENDERS: SENDERS });
 *   it('...', async () => { await hl7.client.request(message); await request(hl7.fhir.app.callback()).get(...); });
 */
import type { AddressInfo } from 'node:net';
import { startMllpServer, type MllpListener } from '../../hl7-listener/mllp-server.ts';
import { MllpClient } from '../../hl7-listener/testing/mllp-client.ts';
import { startTestServer, type TestServer } from './in-process-server.ts';

/** The fixtures' sender table (fixtures/hl7/senders.json). */
export const FIXTURE_SENDERS = new URL('../../fixtures/hl7/senders.json', import.meta.url).pathname;

export interface MllpTestServer {
  /** Set in `before`. */
  readonly fhir: TestServer;
  readonly client: MllpClient;
  /** Another connection to the listener (the caller closes it). */
  connect(): Promise<MllpClient>;
}

export function useMllpTestServer(env: Record<string, string> = {}, prepare?: (fhir: TestServer) => void): MllpTestServer {
  let fhir: TestServer | undefined;
  let listener: MllpListener | undefined;
  let client: MllpClient | undefined;
  const connect = () => MllpClient.connect((listener!.server.address() as AddressInfo).port);
  before(async () => {
    fhir = await startTestServer({ MLLP_PORT: '0', ...env });
    prepare?.(fhir);
    listener = await startMllpServer(fhir.engine);
    client = await connect();
  });
  after(async () => {
    client?.socket.destroy();
    await listener?.close();
    await fhir?.close();
  });
  return {
    get fhir() {
      return fhir!;
    },
    get client() {
      return client!;
    },
    connect,
  };
}
