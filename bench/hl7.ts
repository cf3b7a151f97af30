/**
 * The HL7 v2 benchmark: a fresh server on an empty embedded store (HL7_SENDERS=fixtures/hl7/senders.json), fed
 * over MLLP from a second process by 4 connections, each sending ORU^R01 messages with 10 OBX one after another
 * and waiting for each ACK (hl7-worker.ts). Reports messages/s, resources/s, ACK latency, non-AA ACKs and the
 * server's peak RSS.
 */
import path from 'node:path';
import { OBX_PER_MESSAGE } from './hl7-messages.ts';
import type { Hl7WorkerInput, Hl7WorkerResult } from './hl7-worker.ts';
import { runLoadProcess } from './load-process.ts';
import { round2 } from './percentiles.ts';
import { REPO_ROOT, startServer } from './start-server.ts';

export interface Hl7BenchOptions {
  /** MLLP connections; default 4. */
  connections?: number;
  /** Measured messages per connection; default 1,500. */
  messages?: number;
  /** Unmeasured messages per connection first; default 25. */
  warmup?: number;
  /** Write the server's V8 CPU profile here. */
  cpuProfileDir?: string;
  log?: (msg: string) => void;
}

/** Issue 5's targets on this machine (embedded store). */
const TARGET_MESSAGES_PER_SEC = 400;
const TARGET_P99_MS = 50;

export async function hl7Benchmark(options: Hl7BenchOptions = {}) {
  const log = options.log ?? (() => {});
  const connections = options.connections ?? 4;
  const messages = options.messages ?? 1500;
  const warmup = options.warmup ?? 25;
  log('hl7: starting server on a fresh embedded store');
  const server = await startServer({
    cpuProfileDir: options.cpuProfileDir,
    env: { HL7_SENDERS: path.join(REPO_ROOT, 'fixtures', 'hl7', 'senders.json') },
  });
  log(
    `hl7: server pid ${server.pid} ready in ${server.startupMs} ms; ${connections} MLLP connections x ${messages} ORU^R01 (${OBX_PER_MESSAGE} OBX)`,
  );
  try {
    const result = await runLoadProcess<Hl7WorkerInput, Hl7WorkerResult>('bench/hl7-worker.ts', {
      mllpPort: server.mllpPort,
      serverPid: server.pid,
      connections,
      messages,
      warmup,
    });
    const resourcesPerMessage = await resourcesOfLastMessage(server.origin, server.authHeaders);
    const p99 = result.ackLatencyMs?.p99 ?? Infinity;
    return {
      connections,
      obxPerMessage: OBX_PER_MESSAGE,
      ...result,
      resourcesPerMessage,
      resourcesPerSec: resourcesPerMessage === null ? null : round2(result.messagesPerSec * resourcesPerMessage),
      server: { startupMs: server.startupMs, peakRssMb: server.peakRssMb() },
      targets: {
        messagesPerSec: TARGET_MESSAGES_PER_SEC,
        p99AckMs: TARGET_P99_MS,
        met: result.nonAa === 0 && result.messagesPerSec >= TARGET_MESSAGES_PER_SEC && p99 < TARGET_P99_MS,
      },
    };
  } finally {
    await server.stop();
  }
}

/** Resources the newest applied message wrote, from its archive record (/admin/hl7/messages). */
async function resourcesOfLastMessage(origin: string, headers: Record<string, string>): Promise<number | null> {
  const list = await fetch(`${origin}/admin/hl7/messages?status=applied&_count=1`, { headers }).then(
    (r) => r.json() as Promise<{ messages: { id: string }[] }>,
  );
  const id = list.messages[0]?.id;
  if (!id) return null;
  const record = await fetch(`${origin}/admin/hl7/messages/${id}`, { headers }).then((r) => r.json() as Promise<{ resources?: string[] }>);
  return record.resources?.length ?? null;
}
