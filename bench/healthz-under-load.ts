/**
 * `/healthz` while the most expensive searches the limits allow run (server/search/README.md "Limits"): a child
 * server (start-server.ts, default settings) with ~2,000 Patients and one Observation each, then `/healthz` is
 * sampled alone and while loops of the largest allowed `:contains` list, 50 `_has` parameters,
 * `_include:iterate=*&_revinclude:iterate=*&_count=1000` and a batch of 50 searches run. A search that holds the
 * event loop shows up as `/healthz` latency.
 */
import http from 'node:http';
import { MAX_PARAMETERS, MAX_VALUES_PER_PARAMETER } from '../server/search/limits.ts';
import { patientGenerator } from './patients.ts';
import { summarize, type LatencySummary } from './percentiles.ts';
import { startServer } from './start-server.ts';

export interface HealthzBenchOptions {
  patients?: number;
  /** Measured time under load; default 20 s. */
  phaseMs?: number;
  log?: (msg: string) => void;
}

interface LoopFigures {
  count: number;
  statuses: Record<string, number>;
  latencyMs: LatencySummary | null;
}

const CODES = 10;

export async function healthzBenchmark(options: HealthzBenchOptions = {}) {
  const log = options.log ?? (() => {});
  const patients = options.patients ?? 2000;
  const phaseMs = options.phaseMs ?? 20_000;
  const server = await startServer();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const send = (method: string, path: string, body?: string, type = 'application/fhir+json') =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        {
          agent,
          host: '127.0.0.1',
          port: server.port,
          method,
          path,
          headers:
            body === undefined
              ? server.authHeaders
              : { ...server.authHeaders, 'content-type': type, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  try {
    log(`healthz: loading ${patients} Patients, one Observation each`);
    const generator = patientGenerator();
    const families: string[] = [];
    for (let from = 0; from < patients; from += 250) {
      const entry: unknown[] = [];
      for (let i = from; i < Math.min(patients, from + 250); i++) {
        const patient = generator.next();
        families.push(patient.name?.[0]?.family ?? '');
        entry.push({
          fullUrl: `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          resource: patient,
          request: { method: 'POST', url: 'Patient' },
        });
        entry.push({
          resource: {
            resourceType: 'Observation',
            status: 'final',
            code: { coding: [{ system: 'http://example.org/codes', code: `c${i % CODES}` }] },
            subject: { reference: `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}` },
            valueQuantity: { value: i % 100, unit: 'mmol/L' },
          },
          request: { method: 'POST', url: 'Observation' },
        });
      }
      const res = await send('POST', '/fhir', JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry }));
      if (res.status !== 200) throw new Error(`loading: HTTP ${res.status} ${res.body.slice(0, 300)}`);
    }

    // The largest searches the limits allow.
    const contains = `family:contains=${Array.from({ length: MAX_VALUES_PER_PARAMETER }, (_, i) => `zq${i}`).join(',')}`;
    const has = Array.from({ length: MAX_PARAMETERS - 1 }, (_, i) => `_has:Observation:subject:code=c${i % CODES}`).join('&');
    const includes = '_include:iterate=*&_revinclude:iterate=*&_count=1000';
    const batch = JSON.stringify({
      resourceType: 'Bundle',
      type: 'batch',
      entry: Array.from({ length: 50 }, (_, i) => ({
        request: {
          method: 'GET',
          url:
            i % 3 === 0
              ? `Patient?${contains}`
              : i % 3 === 1
                ? `Patient?${has}&_count=100`
                : `Patient?_revinclude=*&_count=100&family=${encodeURIComponent(families[i] ?? 'x')}`,
        },
      })),
    });
    const loops: Record<string, () => Promise<{ status: number }>> = {
      contains: () => send('GET', `/fhir/Patient?${contains}`),
      has: () => send('GET', `/fhir/Patient?${has}`),
      includeIterate: () => send('GET', `/fhir/Patient?${includes}`),
      batch50: () => send('POST', '/fhir', batch),
    };

    const sampleHealthz = async (ms: number) => {
      const samples: number[] = [];
      const end = performance.now() + ms;
      while (performance.now() < end) {
        const t = performance.now();
        const res = await send('GET', '/healthz');
        if (res.status === 200) samples.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 10));
      }
      return samples;
    };

    log('healthz: idle');
    const idle = summarize(await sampleHealthz(3000));
    log(`healthz: under load for ${phaseMs / 1000} s`);
    const figures: Record<string, LoopFigures> = {};
    const samples: Record<string, number[]> = {};
    let running = true;
    const workers = Object.entries(loops).map(async ([name, run]) => {
      const f: LoopFigures = { count: 0, statuses: {}, latencyMs: null };
      figures[name] = f;
      samples[name] = [];
      while (running) {
        const t = performance.now();
        const res = await run();
        samples[name].push(performance.now() - t);
        f.count++;
        f.statuses[res.status] = (f.statuses[res.status] ?? 0) + 1;
      }
    });
    const loaded = summarize(await sampleHealthz(phaseMs));
    running = false;
    await Promise.all(workers);
    for (const [name, f] of Object.entries(figures)) f.latencyMs = summarize(samples[name]);
    return {
      patients,
      observations: patients,
      phaseS: phaseMs / 1000,
      healthzIdleMs: idle,
      healthzUnderLoadMs: loaded,
      requests: figures,
      server: { startupMs: server.startupMs, peakRssMb: server.peakRssMb() },
    };
  } finally {
    agent.destroy();
    await server.stop();
  }
}
