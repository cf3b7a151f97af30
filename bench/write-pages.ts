/**
 * LMDB pages written per create and per update of the bench Patient (bench/patients.ts), through the real write
 * path on a fresh embedded store with a prepare worker, in groups of `BENCH_PAGES_UNITS` (default 14, what the
 * REST benchmark's group commit gathers per commit at 32 connections) written at once, so one commit holds each
 * group. Bytes written come from /proc/self/io (`wchar`: LMDB writes every dirty 4 kB page with pwrite), so the
 * figure does not depend on the load of the machine, unlike CPU time. Linux only.
 *
 *   npx tsx bench/write-pages.ts            # 200 groups of each: create, update, create again
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Patient } from '@medplum/fhirtypes';
import { parseFhirJson } from '../server/fhir-json/fhir-json.ts';
import { startPreparer } from '../server/repository/prepare-pool.ts';
import { createResource, updateResource } from '../server/repository/write-path.ts';
import { EmbeddedStore } from '../server/store/embedded/embedded-store.ts';
import { patientGenerator } from './patients.ts';
import { UNRESTRICTED } from '../server/access/access.ts';

const UNITS = Number(process.env.BENCH_PAGES_UNITS ?? 14);
const GROUPS = 200;
const PAGE = 4096;

const dir = mkdtempSync(path.join(os.tmpdir(), 'fhirline-pages-'));
const store = new EmbeddedStore(dir);
await store.open();
const preparer = await startPreparer(1, {});
const ctx = { store, preparer, access: UNRESTRICTED };
const patients = patientGenerator();
const stored: Patient[] = [];
const written = () => Number(/^wchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))![1]);
const body = (p: Patient) => parseFhirJson(JSON.stringify(p));

async function pagesPerWrite(write: (i: number) => Promise<void>): Promise<number> {
  const before = written();
  for (let g = 0; g < GROUPS; g++) await Promise.all(Array.from({ length: UNITS }, (_, i) => write(g * UNITS + i)));
  return Math.round(((written() - before) / (GROUPS * UNITS) / PAGE) * 10) / 10;
}
const create = async () => {
  const patient = patients.next();
  const { doc } = await createResource(ctx, 'Patient', body(patient));
  stored.push({ ...patient, id: doc.id });
};
const update = async (i: number) => {
  const k = (i * 7919) % stored.length; // spread over the stored patients, one group never updating one twice
  stored[k] = patients.change(stored[k]);
  await updateResource(ctx, 'Patient', stored[k].id!, body(stored[k]));
};
try {
  await pagesPerWrite(create); // warm-up: the first commits of each index database
  const figures = {
    unitsPerCommit: UNITS,
    createPages: await pagesPerWrite(create),
    updatePages: await pagesPerWrite(update),
    createAgainPages: await pagesPerWrite(create),
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
} finally {
  await preparer.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
