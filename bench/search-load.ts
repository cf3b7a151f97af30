/**
 * Load process of the search benchmark (forked by search.ts): writes clinical records (clinical-data.ts)
 * `[from, to)` into the embedded store at `dataDir` through the server's own write path, in process:
 * `createResource` validates, extracts the search values and writes resource + history + outbox in one unit,
 * exactly as `POST [type]` does, minus HTTP. `inFlight` records are written at once (each record's resources in
 * order: patient, encounters, then the rest), so the store's group commit batches many units per commit.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { JsonValue } from '../server/fhir-json/fhir-json.ts';
import { createResource } from '../server/repository/write-path.ts';
import { prepareInThread } from '../server/repository/prepare-version.ts';
import { EmbeddedStore } from '../server/store/embedded/embedded-store.ts';
import { loadDefinitions } from '../server/validation/definitions.ts';
import { clinicalRecord, link } from './clinical-data.ts';
import { serveLoad } from './load-process.ts';
import { peakRssMb } from './proc-stats.ts';
import { UNRESTRICTED } from '../server/access/access.ts';

export interface SearchLoadInput {
  dataDir: string;
  seed: number;
  /** Records (patients) to write: indexes from..to-1. */
  from: number;
  to: number;
  /** Records written concurrently. */
  inFlight: number;
}

export interface SearchLoadResult {
  /** Server-assigned Patient ids by record index (from..to-1). */
  patientIds: string[];
  resources: number;
  /** `meta.lastUpdated` of every 1,000th resource written, in order: instants to build `_lastUpdated` queries on. */
  sampleLastUpdated: string[];
  byType: Record<string, number>;
  seconds: number;
  resourcesPerSec: number;
  /** CPU of this process (validation, extraction, index keys, LMDB writes) per resource, µs. */
  cpuUsPerResource: number;
  peakRssMb: number | null;
}

serveLoad<SearchLoadInput, SearchLoadResult>(async ({ dataDir, seed, from, to, inFlight }) => {
  loadDefinitions();
  const store = new EmbeddedStore(dataDir);
  await store.open();
  const patientIds: string[] = new Array(to - from);
  const byType: Record<string, number> = {};
  const sampleLastUpdated: string[] = [];
  let resources = 0;
  const create = async (resource: Resource): Promise<string> => {
    const { doc } = await createResource(
      { store, preparer: prepareInThread, access: UNRESTRICTED },
      resource.resourceType,
      resource as unknown as JsonValue,
    );
    byType[resource.resourceType] = (byType[resource.resourceType] ?? 0) + 1;
    if (resources++ % 1000 === 500) sampleLastUpdated.push(doc.lastUpdated);
    return doc.id;
  };

  let next = from;
  let lastLog = performance.now();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const worker = async () => {
    while (next < to) {
      const record = clinicalRecord(seed, next++);
      const patientId = await create(record.patient);
      patientIds[record.index - from] = patientId;
      const encounterIds = await Promise.all(record.encounters.map((e) => create(link(e, patientId))));
      await Promise.all(record.clinical.map((c) => create(link(c.resource, patientId, encounterIds[c.encounter]))));
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        const s = (lastLog - t0) / 1000;
        process.stderr.write(`[search-load] ${resources} resources in ${s.toFixed(0)} s (${Math.round(resources / s)}/s)\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await store.close();
  return {
    patientIds,
    resources,
    sampleLastUpdated,
    byType,
    seconds: Math.round(seconds * 10) / 10,
    resourcesPerSec: Math.round(resources / seconds),
    cpuUsPerResource: Math.round((cpu.user + cpu.system) / resources),
    peakRssMb: peakRssMb(process.pid),
  };
});
