/**
 * Load process of the `auth` benchmark (forked by auth.ts): for each principal (a bearer token, or none when the
 * server bypasses authorization) and each request kind — `GET Patient/{id}`, `Observation?subject=Patient/x&_count=20`,
 * `Patient?name=<family>` — a closed-loop phase at the given concurrency. The patients asked for come from a
 * seeded PRNG, so an authorized run and a bypassed run send the same requests in the same order.
 */
import { createHttpClient } from './http-client.ts';
import { runPhase, type OpOutcome, type PhaseReport } from './load.ts';
import { serveLoad } from './load-process.ts';
import { seededRandom } from './patients.ts';
import type { RestWorkerInput } from './rest-worker.ts';

export type AuthKind = 'read' | 'observations' | 'name';

/** Patients a load may ask for: `any` of the data set, or only the patient user's `own` record. */
export interface PatientChoice {
  ids: string[];
  families: string[];
}

export interface AuthPrincipalLoad {
  /** e.g. `system`, `doctor`, `patient` (authorized) or `any`, `own` (bypassed). */
  name: string;
  /** `Bearer …`, or undefined (bypassed server). */
  authorization?: string;
  patients: PatientChoice;
}

/** As the REST worker's, but `warmupOps` untimed requests of each load and kind (twice over) come first. */
export interface AuthWorkerInput extends Pick<
  RestWorkerInput,
  'origin' | 'serverPid' | 'concurrency' | 'phaseMs' | 'warmupOps' | 'seed' | 'client'
> {
  loads: AuthPrincipalLoad[];
  kinds: AuthKind[];
}

export type AuthPhase = Omit<PhaseReport, 'monotonicUs'> & {
  /** Mean entries per answer (searches) — equal authorized and bypassed, or the two did different work. */
  entriesPerAnswer: number | null;
};

export interface AuthWorkerResult {
  /** By principal, then kind. */
  phases: Record<string, Record<AuthKind, AuthPhase>>;
  /** Each phase's window on the monotonic clock (for cpuprofile-summary.ts --phases), `principal.kind`. */
  windows: Record<string, [number, number]>;
}

const HEADERS = { accept: 'application/fhir+json' };

serveLoad<AuthWorkerInput, AuthWorkerResult>(async (input) => {
  const { origin, serverPid, concurrency, phaseMs, warmupOps } = input;
  const log = (msg: string) => process.stderr.write(`[auth] ${msg}\n`);
  const phases: AuthWorkerResult['phases'] = {};
  const windows: AuthWorkerResult['windows'] = {};
  const clients = input.loads.map((load) =>
    createHttpClient(input.client, origin, concurrency, load.authorization ? { authorization: load.authorization } : {}),
  );
  /** One request of `kind` as `load`, to a patient from `rnd`; counts the entries of search answers. */
  const operation = (l: number, kind: AuthKind, rnd: () => number, tally: { answers: number; entries: number }) => {
    const { ids, families } = input.loads[l]!.patients;
    const client = clients[l]!;
    return async (): Promise<OpOutcome> => {
      const i = Math.floor(rnd() * ids.length);
      const path =
        kind === 'read'
          ? `/fhir/Patient/${ids[i]}`
          : kind === 'observations'
            ? `/fhir/Observation?subject=Patient/${ids[i]}&_count=20`
            : `/fhir/Patient?name=${encodeURIComponent(families[i]!)}`;
      const res = await client.request('GET', path, undefined, HEADERS);
      if (res.status !== 200) return `HTTP ${res.status}`;
      if (kind !== 'read') {
        tally.answers++;
        tally.entries += countOf(res.body, '"fullUrl"');
      }
      return null;
    };
  };

  // Every load and kind first, untimed: V8 optimises the code paths of all of them before any is measured.
  for (let round = 0; round < 2; round++)
    for (let l = 0; l < input.loads.length; l++)
      for (const kind of input.kinds) {
        const warm = await runPhase({
          name: 'warm-up',
          concurrency,
          maxOps: warmupOps,
          op: operation(l, kind, seededRandom(input.seed + 1), { answers: 0, entries: 0 }),
        });
        if (warm.errors) throw new Error(`${input.loads[l]!.name} ${kind}: ${JSON.stringify(warm.errorKinds)} during warm-up`);
      }

  for (let l = 0; l < input.loads.length; l++) {
    const name = input.loads[l]!.name;
    phases[name] = {} as Record<AuthKind, AuthPhase>;
    for (const kind of input.kinds) {
      const tally = { answers: 0, entries: 0 };
      const op = operation(l, kind, seededRandom(input.seed), tally);
      const { monotonicUs, ...report } = await runPhase({ name: `${name} ${kind}`, concurrency, durationMs: phaseMs, op, serverPid });
      windows[`${name}.${kind}`] = monotonicUs;
      const entriesPerAnswer = tally.answers ? Math.round((tally.entries / tally.answers) * 10) / 10 : null;
      phases[name][kind] = { ...report, entriesPerAnswer };
      log(
        `${name} ${kind}: ${report.opsPerSec}/s, p50 ${report.latencyMs?.p50} ms, p99 ${report.latencyMs?.p99} ms, ` +
          `${report.serverCpuUsPerOp} µs server CPU/op, ${report.errors} errors${entriesPerAnswer === null ? '' : `, ${entriesPerAnswer} entries`}`,
      );
    }
  }
  for (const client of clients) client.close();
  return { phases, windows };
});

function countOf(text: string, needle: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}
