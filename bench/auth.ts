/**
 * The `auth` benchmark (issue 11 "Performance"): the same reads and searches against the shipped server with
 * valid bearer tokens and against the same data with authorization bypassed in process (bench/bypass-server.ts),
 * alternately (A B B A ...), each run a fresh server process on one store, same concurrency, same requests.
 *
 * Principals (authorized runs): `system` (the bootstrap client's `system/*.*`), `doctor` (a doctor user's
 * `user/*.rs`) and `patient` (a patient user's `patient/*.rs` with their own record in context); both user tokens
 * come through the authorization code flow with PKCE over HTTP (smart-login.ts). The bypassed runs send the
 * `system`/`doctor` requests (`any` patient) and the `patient` requests (`own` record) with no token.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AuthKind, AuthPhase, AuthPrincipalLoad, AuthWorkerInput, AuthWorkerResult } from './auth-worker.ts';
import { onInterrupt } from './interrupt.ts';
import { runLoadProcess } from './load-process.ts';
import { patientGenerator } from './patients.ts';
import type { RestBenchOptions } from './rest.ts';
import { authorizationCodeToken } from './smart-login.ts';
import { startServer, type BenchServer } from './start-server.ts';

/** As `rest`'s, but `cpuProfileDir` gets each run's server CPU profile and phase windows in `<dir>/<run>/`. */
export interface AuthBenchOptions extends Pick<RestBenchOptions, 'concurrency' | 'phaseMs' | 'client' | 'cpuProfileDir' | 'log'> {
  /** Patients in the data set, each with 20 Observations (BENCH_AUTH_PATIENTS, default 500). */
  patients?: number;
  /** A/B pairs (BENCH_AUTH_PAIRS, default 2). */
  pairs?: number;
}

const OBSERVATIONS_PER_PATIENT = 20;
const AUTH_KINDS: AuthKind[] = ['read', 'observations', 'name'];
const SEED = 20261204;
const REDIRECT_URI = 'http://127.0.0.1/bench-callback';
const PASSWORD = 'bench-password-0123456';
/** The authorized principal each bypassed load stands beside. */
const BASELINE: Record<string, string> = { system: 'any', doctor: 'any', patient: 'own' };

interface DataSet {
  patientIds: string[];
  families: string[];
  /** The public app client's id (POST /admin/clients assigns it). */
  appClientId: string;
}

interface Figures {
  opsPerSec: number[];
  p50Ms: (number | null)[];
  p99Ms: (number | null)[];
  serverCpuUsPerOp: (number | null)[];
  entriesPerAnswer: (number | null)[];
  errors: number;
}

export async function authBenchmark(options: AuthBenchOptions = {}) {
  const { patients = 500, pairs = 2, concurrency = 32, phaseMs = 10_000, log = () => {} } = options;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fhirline-bench-auth-'));
  const unregister = onInterrupt(() => rmSync(dataDir, { recursive: true, force: true }));
  try {
    log(`auth: loading ${patients} Patients x ${OBSERVATIONS_PER_PATIENT} Observations, a doctor and a patient user`);
    const loader = await startServer({ dataDir });
    let data: DataSet;
    try {
      data = await loadData(loader, patients);
    } finally {
      await loader.stop();
    }
    const any = { ids: data.patientIds, families: data.families };
    const own = { ids: [data.patientIds[0]!], families: [data.families[0]!] };

    const runs: { mode: 'authorized' | 'bypassed'; phases: AuthWorkerResult['phases']; startupMs: number }[] = [];
    for (let i = 0; i < pairs * 2; i++) {
      // A B B A: neither mode always runs first on a machine whose load drifts.
      const mode = i % 4 === 0 || i % 4 === 3 ? 'authorized' : 'bypassed';
      const runName = `${i + 1}-${mode}`;
      const profileDir = options.cpuProfileDir && path.join(options.cpuProfileDir, runName);
      if (profileDir) mkdirSync(profileDir, { recursive: true });
      const server = await startServer({ dataDir, bypassAuthorization: mode === 'bypassed', cpuProfileDir: profileDir });
      log(`auth: run ${runName}, server pid ${server.pid} ready in ${server.startupMs} ms`);
      try {
        const loads: AuthPrincipalLoad[] =
          mode === 'bypassed'
            ? [
                { name: 'any', patients: any },
                { name: 'own', patients: own },
              ]
            : [
                { name: 'system', authorization: server.authorization, patients: any },
                {
                  name: 'doctor',
                  authorization: (await userToken(server, data.appClientId, 'bench.doctor', 'openid fhirUser user/*.rs')).authorization,
                  patients: any,
                },
                { name: 'patient', authorization: await patientToken(server, data.appClientId, data.patientIds[0]!), patients: own },
              ];
        const result = await runLoadProcess<AuthWorkerInput, AuthWorkerResult>('bench/auth-worker.ts', {
          origin: server.origin,
          serverPid: server.pid,
          concurrency,
          phaseMs,
          warmupOps: 10 * concurrency,
          seed: SEED,
          client: options.client ?? 'raw',
          loads,
          kinds: AUTH_KINDS,
        });
        runs.push({ mode, phases: result.phases, startupMs: server.startupMs });
        if (profileDir) writeFileSync(path.join(profileDir, 'phases.json'), `${JSON.stringify(result.windows, null, 2)}\n`);
      } finally {
        await server.stop();
      }
    }
    return { patients, observations: patients * OBSERVATIONS_PER_PATIENT, concurrency, phaseS: phaseMs / 1000, pairs, ...summarise(runs) };
  } finally {
    unregister();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Medians over the runs, and authorized / bypassed for each principal and kind. */
function summarise(runs: { mode: 'authorized' | 'bypassed'; phases: AuthWorkerResult['phases'] }[]) {
  const collect = (mode: string, principal: string, kind: AuthKind): Figures => {
    const phases = runs.filter((r) => r.mode === mode).map((r) => r.phases[principal]![kind]) as AuthPhase[];
    return {
      opsPerSec: phases.map((p) => p.opsPerSec),
      p50Ms: phases.map((p) => p.latencyMs?.p50 ?? null),
      p99Ms: phases.map((p) => p.latencyMs?.p99 ?? null),
      serverCpuUsPerOp: phases.map((p) => p.serverCpuUsPerOp),
      entriesPerAnswer: phases.map((p) => p.entriesPerAnswer),
      errors: phases.reduce((n, p) => n + p.errors, 0),
    };
  };
  const comparison: Record<string, Record<AuthKind, unknown>> = {};
  for (const [principal, baseline] of Object.entries(BASELINE)) {
    comparison[principal] = {} as Record<AuthKind, unknown>;
    for (const kind of AUTH_KINDS) {
      const authorized = collect('authorized', principal, kind);
      const bypassed = collect('bypassed', baseline, kind);
      const a = median(authorized.opsPerSec);
      const b = median(bypassed.opsPerSec);
      comparison[principal]![kind] = {
        authorized,
        bypassed,
        /** Median authorized requests/s over median bypassed requests/s (target >= 0.90). */
        throughputRatio: a !== null && b ? Math.round((a / b) * 100) / 100 : null,
        /** Median bypassed server CPU per request over authorized: the same ratio, less sensitive to other load. */
        cpuRatio: ratio(median(bypassed.serverCpuUsPerOp), median(authorized.serverCpuUsPerOp)),
      };
    }
  }
  return { order: runs.map((r) => r.mode), comparison, target: { throughputRatio: 0.9 } };
}

function median(values: (number | null)[]): number | null {
  const v = values.filter((x): x is number => x !== null).sort((x, y) => x - y);
  if (!v.length) return null;
  return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
}

function ratio(a: number | null, b: number | null): number | null {
  return a !== null && b ? Math.round((a / b) * 100) / 100 : null;
}

async function userToken(server: BenchServer, clientId: string, username: string, scope: string) {
  return authorizationCodeToken({
    origin: server.origin,
    fhirBase: `${server.origin}/fhir`,
    clientId,
    redirectUri: REDIRECT_URI,
    scope,
    username,
    password: PASSWORD,
  });
}

/** The patient user's token, checked to carry their own record as the patient in context. */
async function patientToken(server: BenchServer, clientId: string, patientId: string): Promise<string> {
  const token = await userToken(server, clientId, 'bench.patient', 'openid fhirUser launch/patient patient/*.rs');
  if (token.patient !== patientId) throw new Error(`the patient token's context is ${token.patient}, not ${patientId}`);
  return token.authorization;
}

/** The data set, the public app client and the two users, written with the bench's admin token. */
async function loadData(server: BenchServer, patients: number): Promise<DataSet> {
  const send = async (method: string, url: string, body: unknown, expect: number) => {
    const res = await fetch(`${server.origin}${url}`, {
      method,
      headers: { ...server.authHeaders, 'content-type': url.startsWith('/admin') ? 'application/json' : 'application/fhir+json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status !== expect) throw new Error(`${method} ${url}: HTTP ${res.status} ${text.slice(0, 1000)}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  const practitioner = await send(
    'POST',
    '/fhir/Practitioner',
    { resourceType: 'Practitioner', name: [{ family: 'Bench', given: ['Doc'] }] },
    201,
  );
  const generator = patientGenerator(SEED);
  const patientIds: string[] = [];
  const families: string[] = [];
  const perBundle = 10;
  for (let from = 0; from < patients; from += perBundle) {
    const entry: unknown[] = [];
    for (let i = from; i < Math.min(patients, from + perBundle); i++) {
      const patient = generator.next();
      // The patient user's record has a family name of its own, so its `Patient?name=` finds that one patient
      // with and without authorization (the generator's names repeat).
      if (i === 0) patient.name = [{ ...patient.name?.[0], family: 'Quillfeather' }];
      families.push(patient.name?.[0]?.family ?? 'Unknown');
      const fullUrl = `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      entry.push({ fullUrl, resource: patient, request: { method: 'POST', url: 'Patient' } });
      for (let k = 0; k < OBSERVATIONS_PER_PATIENT; k++)
        entry.push({ resource: observation(fullUrl, k), request: { method: 'POST', url: 'Observation' } });
    }
    const bundle = await send('POST', '/fhir', { resourceType: 'Bundle', type: 'transaction', entry }, 200);
    for (const e of bundle.entry as { response: { location: string } }[]) {
      const [type, id] = e.response.location.split('/');
      if (type === 'Patient') patientIds.push(id!);
    }
  }
  const app = await send(
    'POST',
    '/admin/clients',
    {
      client_name: 'Bench app',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'none',
      scope: 'openid fhirUser launch/patient patient/*.rs user/*.rs',
    },
    201,
  );
  await send(
    'POST',
    '/admin/users',
    { username: 'bench.doctor', password: PASSWORD, role: 'doctor', fhirUser: `Practitioner/${String(practitioner.id)}` },
    201,
  );
  await send(
    'POST',
    '/admin/users',
    { username: 'bench.patient', password: PASSWORD, role: 'patient', fhirUser: `Patient/${patientIds[0]}` },
    201,
  );
  return { patientIds, families, appClientId: String(app.client_id) };
}

/** A vital-sign or laboratory Observation of the patient at `subject`. */
function observation(subject: string, k: number) {
  const lab = k % 2 === 0;
  return {
    resourceType: 'Observation',
    status: 'final',
    category: [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/observation-category',
            code: lab ? 'laboratory' : 'vital-signs',
          },
        ],
      },
    ],
    code: { coding: [{ system: 'http://loinc.org', code: lab ? '2345-7' : '8867-4', display: lab ? 'Glucose' : 'Heart rate' }] },
    subject: { reference: subject },
    effectiveDateTime: new Date(Date.UTC(2026, 0, 1 + k)).toISOString(),
    valueQuantity: lab
      ? { value: 80 + k, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' }
      : { value: 60 + k, unit: 'beats/minute', system: 'http://unitsofmeasure.org', code: '/min' },
  };
}
