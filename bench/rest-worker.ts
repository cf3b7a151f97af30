/**
 * Load process of the REST benchmark (forked by rest.ts): warm-up, then creates, reads and updates of typical
 * Patients against a running server, each phase closed-loop at the given concurrency.
 */
import type { Patient } from '@medplum/fhirtypes';
import { createHttpClient } from './http-client.ts';
import { runPhase, type OpOutcome, type PhaseReport } from './load.ts';
import { serveLoad } from './load-process.ts';
import { patientGenerator, seededRandom } from './patients.ts';
import { peakRssMb } from './proc-stats.ts';

export interface RestWorkerInput {
  origin: string;
  serverPid: number;
  concurrency: number;
  /** Length of each measured phase. */
  phaseMs: number;
  /** Creates (then as many reads, and half as many updates) before measuring; not counted. */
  warmupOps: number;
  seed: number;
  client: 'raw' | 'node-http';
  /** Headers every request carries: the bench token (`authorization: Bearer …`), from start-server.ts. */
  authHeaders: Record<string, string>;
}

export interface RestWorkerResult {
  warmup: { creates: PhaseReport; reads: PhaseReport; updates: PhaseReport };
  create: PhaseReport;
  read: PhaseReport;
  update: PhaseReport;
  /** Patients on the server when the updates started. */
  patients: number;
  /** Mean size of a created Patient's JSON as sent, in bytes. */
  patientBytes: number;
  /** Peak RSS of this load process, MB. */
  clientPeakRssMb: number | null;
}

const JSON_HEADERS = { accept: 'application/fhir+json' };

serveLoad<RestWorkerInput, RestWorkerResult>(async (input) => {
  const { origin, serverPid, concurrency, phaseMs, warmupOps } = input;
  const client = createHttpClient(input.client, origin, concurrency, input.authHeaders);
  const patients = patientGenerator(input.seed);
  const rnd = seededRandom(input.seed + 1);
  const created: { id: string; resource: Patient }[] = [];
  let bytesSent = 0;
  let createsSent = 0;
  const log = (msg: string) => process.stderr.write(`[rest] ${msg}\n`);

  const create = async (): Promise<OpOutcome> => {
    const resource = patients.next();
    const body = JSON.stringify(resource);
    bytesSent += body.length;
    createsSent++;
    const res = await client.request('POST', '/fhir/Patient', body, JSON_HEADERS);
    if (res.status !== 201) return `HTTP ${res.status}`;
    const id = (JSON.parse(res.body) as Patient).id;
    if (!id) return 'created resource has no id';
    created.push({ id, resource });
    return null;
  };

  const read = async (): Promise<OpOutcome> => {
    const { id } = created[Math.floor(rnd() * created.length)];
    const res = await client.request('GET', `/fhir/Patient/${id}`, undefined, JSON_HEADERS);
    return res.status === 200 ? null : `HTTP ${res.status}`;
  };

  // Loop `slot` only ever updates patients slot, slot + c, slot + 2c, ...: never two updates of one id at once.
  const makeUpdate = (c: number) => {
    const cursors = new Array<number>(c).fill(0);
    return async (slot: number): Promise<OpOutcome> => {
      const owned = Math.floor((created.length - 1 - slot) / c) + 1;
      const entry = created[slot + c * (cursors[slot]++ % owned)];
      const resource = { ...patients.change(entry.resource), id: entry.id };
      const res = await client.request('PUT', `/fhir/Patient/${entry.id}`, JSON.stringify(resource), JSON_HEADERS);
      if (res.status !== 200) return `HTTP ${res.status}`;
      entry.resource = resource;
      return null;
    };
  };

  log(`warm-up: ${warmupOps} creates, ${warmupOps} reads, ${Math.ceil(warmupOps / 2)} updates`);
  const warmCreates = await runPhase({ name: 'warm-up creates', concurrency, maxOps: warmupOps, op: create });
  if (created.length === 0) throw new Error(`no create succeeded during warm-up: ${JSON.stringify(warmCreates.errorKinds)}`);
  const warmReads = await runPhase({ name: 'warm-up reads', concurrency, maxOps: warmupOps, op: read });
  const warmC = Math.min(concurrency, created.length);
  const warmUpdates = await runPhase({
    name: 'warm-up updates',
    concurrency: warmC,
    maxOps: Math.ceil(warmupOps / 2),
    op: makeUpdate(warmC),
  });

  log(`creates for ${phaseMs / 1000} s`);
  const createReport = await runPhase({ name: 'create', concurrency, durationMs: phaseMs, op: create, serverPid });
  log(`  ${createReport.opsPerSec}/s, p99 ${createReport.latencyMs?.p99} ms, ${createReport.errors} errors`);

  log(`reads for ${phaseMs / 1000} s`);
  const readReport = await runPhase({ name: 'read', concurrency, durationMs: phaseMs, op: read, serverPid });
  log(`  ${readReport.opsPerSec}/s, p99 ${readReport.latencyMs?.p99} ms, ${readReport.errors} errors`);

  const updateC = Math.min(concurrency, created.length);
  log(`updates for ${phaseMs / 1000} s`);
  const updateReport = await runPhase({ name: 'update', concurrency: updateC, durationMs: phaseMs, op: makeUpdate(updateC), serverPid });
  log(`  ${updateReport.opsPerSec}/s, p99 ${updateReport.latencyMs?.p99} ms, ${updateReport.errors} errors`);

  client.close();
  return {
    warmup: { creates: warmCreates, reads: warmReads, updates: warmUpdates },
    create: createReport,
    read: readReport,
    update: updateReport,
    patients: created.length,
    patientBytes: Math.round(bytesSent / Math.max(1, createsSent)),
    clientPeakRssMb: peakRssMb(process.pid),
  };
});
