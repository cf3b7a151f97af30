/**
 * `npm run load` end to end: a real server process (test/support/child-server.ts) and the loader run as a child
 * process on files written here, checking its exit code, its summary and what the server stored
 * (https://hl7.org/fhir/R4/http.html#transaction).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Bundle, Observation, Patient } from '@medplum/fhirtypes';
import { REPO_ROOT, freePorts, startChildServer, type ChildServer } from './support/child-server.ts';
import { getJson } from './support/fhir-requests.ts';
import { TEST_ADMIN } from './support/tokens.ts';

const EXAMPLES = path.dirname(createRequire(import.meta.url).resolve('hl7.fhir.r4.examples/package.json'));
const SYS = 'urn:fhirline-test:load';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node --import tsx server/load/load-main.ts ...args` (what `npm run load --` runs). */
function runLoader(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'server/load/load-main.ts', ...args],
      // The loader authenticates as the test admin client, as an operator would with the bootstrap client.
      {
        cwd: REPO_ROOT,
        timeout: 60_000,
        env: { ...process.env, FHIRLINE_CLIENT_ID: TEST_ADMIN.clientId, FHIRLINE_CLIENT_SECRET: TEST_ADMIN.clientSecret },
      },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
      },
    );
  });
}

const json = (file: string, value: unknown) => writeFileSync(file, JSON.stringify(value));
const observation = (subject: string, value: string) =>
  `{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"718-7"}]},"subject":{"reference":"${subject}"},"valueQuantity":{"value":${value},"unit":"g/dL"}}`;

describe('npm run load (posting Bundles and NDJSON to a running server)', function () {
  this.timeout(120_000);
  let server: ChildServer;
  let dir: string;
  before(async () => {
    server = await startChildServer();
    dir = mkdtempSync(path.join(tmpdir(), 'fhirline-load-e2e-'));
  });
  after(async () => {
    await server?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads transaction Bundles (urn:uuid rewritten), collections, single resources and NDJSON (PUT keeps ids, decimals exact); exit 0', async () => {
    const input = path.join(dir, 'ok');
    mkdirSync(path.join(input, 'ndjson'), { recursive: true });
    json(path.join(input, 'transaction.json'), {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: 'urn:uuid:7f1c0000-0000-4000-8000-000000000001',
          resource: { resourceType: 'Patient', identifier: [{ system: SYS, value: 'tx-1' }] },
          request: { method: 'POST', url: 'Patient' },
        },
        {
          resource: JSON.parse(observation('urn:uuid:7f1c0000-0000-4000-8000-000000000001', '12.0')),
          request: { method: 'POST', url: 'Observation' },
        },
      ],
    });
    json(path.join(input, 'collection.json'), {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        {
          fullUrl: 'urn:uuid:7f1c0000-0000-4000-8000-000000000002',
          resource: { resourceType: 'Patient', identifier: [{ system: SYS, value: 'col-1' }] },
        },
        { resource: JSON.parse(observation('urn:uuid:7f1c0000-0000-4000-8000-000000000002', '9.5')) },
      ],
    });
    copyFileSync(path.join(EXAMPLES, 'Patient-example.json'), path.join(input, 'Patient-example.json'));
    writeFileSync(
      path.join(input, 'ndjson', 'data.ndjson'),
      [
        '{"resourceType":"Patient","id":"nd-1","gender":"female"}',
        observation('Patient/nd-1', '13.50').replace('{"resourceType":"Observation",', '{"resourceType":"Observation","id":"nd-obs-1",'),
        '',
        '{"resourceType":"Patient","id":"nd-2"}',
      ].join('\n'),
    );

    const run = await runLoader([input, '--url', server.baseUrl, '--batch-size', '2', '--concurrency', '2']);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /^Loaded 8 resources from 4 file\(s\)/m);
    assert.match(run.stdout, /^Bundles sent: 5$/m);
    assert.match(run.stdout, /^ {2}Patient +5$/m);
    assert.match(run.stdout, /^ {2}Observation +3$/m);
    assert.match(run.stdout, /^Errors: none$/m);

    const tx = await getJson<Bundle<Observation>>(`${server.baseUrl}/Observation?subject:Patient.identifier=${SYS}|tx-1`);
    assert.equal(tx.body?.entry?.length, 1, 'the urn:uuid reference of the transaction was rewritten to the new Patient');
    const col = await getJson<Bundle<Observation>>(`${server.baseUrl}/Observation?subject:Patient.identifier=${SYS}|col-1`);
    assert.equal(col.body?.entry?.length, 1, 'the urn:uuid reference of the collection was rewritten to the new Patient');
    const example = await getJson<Patient>(`${server.baseUrl}/Patient/example`);
    assert.equal(example.status, 200, 'a single resource with an id is stored under that id');
    const nd = await fetch(`${server.baseUrl}/Observation/nd-obs-1`, { headers: { authorization: server.authorization } });
    assert.equal(nd.status, 200);
    assert.match(await nd.text(), /"value":13\.50/, 'the decimal keeps its precision');
    assert.equal((await getJson(`${server.baseUrl}/Patient/nd-2`)).status, 200);
  });

  it('lists each failure with its file, line or entry and the OperationOutcome diagnostics, stores none of a failed transaction; exit 1', async () => {
    const input = path.join(dir, 'bad');
    mkdirSync(input);
    json(path.join(input, 'bad-transaction.json'), {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          resource: { resourceType: 'Patient', identifier: [{ system: SYS, value: 'never-1' }] },
          request: { method: 'POST', url: 'Patient' },
        },
        { resource: { resourceType: 'Patient', gender: 'bogus' }, request: { method: 'POST', url: 'Patient' } },
      ],
    });
    writeFileSync(
      path.join(input, 'lines.ndjson'),
      ['{"resourceType":"Patient","id":"line-1"}', '{"resourceType":"Patient","id":"line-2","birthDate":"yesterday"}', 'not json'].join(
        '\n',
      ),
    );

    const run = await runLoader([input, '--url', server.baseUrl]);
    assert.equal(run.code, 1, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /^Loaded 0 resources/m);
    assert.match(run.stdout, /^Errors: 3; entries of failed Bundles not stored: 4$/m);
    assert.match(run.stdout, /bad-transaction\.json Bundle\.entry\[1\] HTTP 400: .*gender/);
    assert.match(run.stdout, /lines\.ndjson line 2 HTTP 400: .*birthDate/);
    assert.match(run.stdout, /lines\.ndjson line 3: not a FHIR resource/);
    // All or nothing (http.html#trules): the valid entries of the failed transactions are not there.
    const never = await getJson<Bundle>(`${server.baseUrl}/Patient?identifier=${SYS}|never-1`);
    assert.equal(never.body?.entry?.length ?? 0, 0);
    assert.equal((await getJson(`${server.baseUrl}/Patient/line-1`)).status, 404);
  });

  it('stops at once when the server cannot be reached; exit 1', async () => {
    const [port] = await freePorts(1);
    const file = path.join(dir, 'one.json');
    json(file, { resourceType: 'Patient' });
    const run = await runLoader([file, '--url', `http://127.0.0.1:${port}/fhir`]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /one\.json: request failed: ECONNREFUSED/);
    assert.match(run.stdout, /Stopped early/);
  });

  it('answers a usage error with exit 2', async () => {
    const run = await runLoader(['--concurrency', 'x']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /usage: npm run load/);
  });
});
