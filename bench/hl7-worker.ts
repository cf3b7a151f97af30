/**
 * Load process of the HL7 benchmark (forked by hl7.ts): `connections` MLLP connections, each sending its ORU^R01
 * messages (hl7-messages.ts) one after another and waiting for each ACK before the next, as real senders do.
 * Latency runs from writing the frame to reading the whole ACK frame.
 */
import { randomBytes } from 'node:crypto';
import { MllpClient } from '../hl7-listener/testing/mllp-client.ts';
import { oruMessage } from './hl7-messages.ts';
import { serveLoad } from './load-process.ts';
import { round2, summarize, type LatencySummary } from './percentiles.ts';
import { cpuTimeMs, mainThreadCpuTimeMs } from './proc-stats.ts';

export interface Hl7WorkerInput {
  mllpPort: number;
  serverPid: number;
  connections: number;
  /** Measured messages per connection. */
  messages: number;
  /** Messages per connection sent first and not measured (validators compile on first use). */
  warmup: number;
}

export interface Hl7WorkerResult {
  messages: number;
  durationS: number;
  messagesPerSec: number;
  ackLatencyMs: LatencySummary | null;
  /** ACKs whose MSA-1 is not AA, by code, and the first one's text. */
  nonAa: number;
  nonAaCodes: Record<string, number>;
  firstNonAa?: string;
  serverCpuPct: number | null;
  /** Server CPU time per message (all threads): the figure to compare on a busy machine. */
  serverCpuMsPerMessage: number | null;
  /** The main thread alone (proc-stats.ts mainThreadCpuTimeMs): the serial part of the server. */
  serverMainThreadCpuMsPerMessage: number | null;
  clientCpuPct: number;
}

const msa1 = (ack: string) => /\rMSA\|([^|\r]*)/.exec(ack)?.[1] ?? '(no MSA)';

serveLoad<Hl7WorkerInput, Hl7WorkerResult>(async (input) => {
  const { mllpPort, serverPid, connections, messages, warmup } = input;
  const run = randomBytes(3).toString('hex');
  const log = (msg: string) => process.stderr.write(`[hl7] ${msg}\n`);
  const clients = await Promise.all(Array.from({ length: connections }, () => MllpClient.connect(mllpPort)));
  const latencies: number[] = [];
  const nonAaCodes: Record<string, number> = {};
  let firstNonAa: string | undefined;

  const send = async (client: MllpClient, connection: number, from: number, count: number, measured: boolean) => {
    for (let n = from; n < from + count; n++) {
      const { text } = oruMessage(run, connection, n);
      const t0 = performance.now();
      const ack = await client.request(text);
      const ms = performance.now() - t0;
      if (!measured) continue;
      latencies.push(ms);
      const code = msa1(ack);
      if (code !== 'AA') {
        nonAaCodes[code] = (nonAaCodes[code] ?? 0) + 1;
        firstNonAa ??= ack.split('\r').join('\n').slice(0, 1000);
      }
    }
  };

  await Promise.all(clients.map((c, i) => send(c, i, 0, warmup, false)));
  log(`warm-up done (${warmup * connections} messages); measuring ${messages * connections}`);
  const cpu0 = cpuTimeMs(serverPid);
  const main0 = mainThreadCpuTimeMs(serverPid);
  const clientCpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(clients.map((c, i) => send(c, i, warmup, messages, true)));
  const elapsedMs = performance.now() - t0;
  const cpu1 = cpuTimeMs(serverPid);
  const main1 = mainThreadCpuTimeMs(serverPid);
  const clientCpu = process.cpuUsage(clientCpu0);
  for (const c of clients) c.close();

  const sent = latencies.length;
  const nonAa = Object.values(nonAaCodes).reduce((a, b) => a + b, 0);
  return {
    messages: sent,
    durationS: round2(elapsedMs / 1000),
    messagesPerSec: round2(sent / (elapsedMs / 1000)),
    ackLatencyMs: summarize(latencies),
    nonAa,
    nonAaCodes,
    ...(firstNonAa && { firstNonAa }),
    serverCpuPct: cpu0 !== null && cpu1 !== null ? round2(((cpu1 - cpu0) / elapsedMs) * 100) : null,
    serverCpuMsPerMessage: cpu0 !== null && cpu1 !== null && sent > 0 ? round2((cpu1 - cpu0) / sent) : null,
    serverMainThreadCpuMsPerMessage: main0 !== null && main1 !== null && sent > 0 ? round2((main1 - main0) / sent) : null,
    clientCpuPct: round2(((clientCpu.user + clientCpu.system) / 1000 / elapsedMs) * 100),
  };
});
