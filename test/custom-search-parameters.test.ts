/**
 * Custom SearchParameters end to end: the project's own in profiles/ are searchable and listed in the
 * CapabilityStatement; a server started with an extra SearchParameter (EXTRA_PROFILES_DIR) finds resources
 * written before it existed once `$reindex` ran; a bad SearchParameter file stops the start, naming the file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, CapabilityStatement, Parameters, SearchParameter } from '@medplum/fhirtypes';
import { makeTempDataDir, startChildServer, type ChildServer } from './support/child-server.ts';
import { FHIR_JSON, getJson } from './support/fhir-requests.ts';
import { startTestServer, type TestServer } from './support/in-process-server.ts';

const MAIDEN_NAME = 'http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName';
const INTERPRETER = 'http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired';
const BIRTH_PLACE = 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace';

function countOf(parameters: Parameters, name: string): number | undefined {
  return parameters.parameter?.find((p) => p.name === name)?.valueInteger;
}

describe('project SearchParameters in profiles/ (searchparameter.html)', () => {
  let server: TestServer;
  let ids: string[];
  before(async () => {
    server = await startTestServer();
    ids = [];
    for (const [maiden, interpreter] of [
      ['Jönes', true],
      ['Smith', false],
    ] as const) {
      const res = await server.http
        .post('/fhir/Patient')
        .set('content-type', FHIR_JSON)
        .send({
          resourceType: 'Patient',
          extension: [
            { url: MAIDEN_NAME, valueString: maiden },
            { url: INTERPRETER, valueBoolean: interpreter },
          ],
        });
      assert.equal(res.status, 201, res.text);
      ids.push(res.body.id);
    }
  });
  after(() => server.close());

  async function search(query: string): Promise<string[]> {
    const res = await server.http.get(`/fhir/Patient?${query}`).set('prefer', 'handling=strict');
    assert.equal(res.status, 200, res.text);
    return ((res.body as Bundle).entry ?? []).map((e) => e.resource!.id!).sort();
  }

  it('mothers-maiden-name is a string search: prefix, case- and accent-insensitive (search.html#string)', async () => {
    assert.deepEqual(await search('mothers-maiden-name=jon'), [ids[0]]);
    assert.deepEqual(await search('mothers-maiden-name:exact=Jönes'), [ids[0]]);
    assert.deepEqual(await search('mothers-maiden-name:exact=Jones'), []);
  });

  it('interpreter-required is a token search on the boolean (search.html#token)', async () => {
    assert.deepEqual(await search('interpreter-required=true'), [ids[0]]);
    assert.deepEqual(await search('interpreter-required=false'), [ids[1]]);
  });

  it('the CapabilityStatement lists both with their definition url and type, and the $reindex operation', async () => {
    const res = await server.http.get('/fhir/metadata');
    const statement = res.body as CapabilityStatement;
    const patient = statement.rest![0].resource!.find((r) => r.type === 'Patient')!;
    const maiden = patient.searchParam!.find((p) => p.name === 'mothers-maiden-name');
    assert.deepEqual(
      [maiden?.type, maiden?.definition],
      ['string', 'http://fhirline.org/fhir/SearchParameter/patient-mothers-maiden-name'],
    );
    assert.equal(patient.searchParam!.find((p) => p.name === 'interpreter-required')?.type, 'token');
    assert.ok(patient.operation!.some((o) => o.name === 'reindex'));
    assert.ok(statement.rest![0].operation!.some((o) => o.name === 'reindex'));
  });

  it('POST [type]/$reindex answers a Parameters resource with the counts; nothing changed here', async () => {
    const res = await server.http.post('/fhir/Patient/$reindex');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.resourceType, 'Parameters');
    assert.equal(countOf(res.body, 'examined'), 2);
    assert.equal(countOf(res.body, 'updated'), 0);
  });

  it('POST [type]/$reindex on an unknown type is 404 with an OperationOutcome', async () => {
    const res = await server.http.post('/fhir/Patientt/$reindex');
    assert.equal(res.status, 404);
    assert.equal(res.body.resourceType, 'OperationOutcome');
  });
});

describe('a server started with an extra SearchParameter (EXTRA_PROFILES_DIR) and $reindex', function () {
  this.timeout(120_000);
  const birthCity: SearchParameter = {
    resourceType: 'SearchParameter',
    url: 'http://example.org/fhir/SearchParameter/patient-birth-city',
    name: 'birth-city',
    status: 'active',
    description: 'City of birth (extension patient-birthPlace)',
    code: 'birth-city',
    base: ['Patient'],
    type: 'string',
    expression: `Patient.extension.where(url='${BIRTH_PLACE}').value.city`,
  };
  let dataDir: string;
  let extraDir: string;
  let child: ChildServer | undefined;

  before(() => {
    dataDir = makeTempDataDir();
    extraDir = mkdtempSync(join(tmpdir(), 'fhirline-profiles-'));
  });
  after(async () => {
    await child?.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(extraDir, { recursive: true, force: true });
  });

  async function post(path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${child!.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': FHIR_JSON, accept: FHIR_JSON, authorization: child!.authorization },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  async function searchIds(query: string): Promise<string[]> {
    const res = await getJson<Bundle>(`${child!.baseUrl}/Patient?${query}`);
    assert.equal(res.status, 200, res.text);
    return (res.body!.entry ?? []).map((e) => e.resource!.id!).sort();
  }

  it('resources written before the parameter existed are found by it after POST /$reindex, still at version 1', async () => {
    child = await startChildServer({ dataDir });
    const ids: string[] = [];
    for (const city of ['Leeds', 'York', 'Leeds']) {
      const res = await post('/Patient', { resourceType: 'Patient', extension: [{ url: BIRTH_PLACE, valueAddress: { city } }] });
      assert.equal(res.status, 201);
      ids.push(res.body.id as string);
    }
    assert.equal((await getJson(`${child.baseUrl}/Patient?birth-city=leeds`)).status, 200, 'lenient: unknown parameter ignored');
    await child.stop();

    writeFileSync(join(extraDir, 'searchparameter-patient-birth-city.json'), JSON.stringify(birthCity));
    child = await startChildServer({ dataDir, env: { EXTRA_PROFILES_DIR: extraDir } });

    const metadata = await getJson<CapabilityStatement>(`${child.baseUrl}/metadata`);
    const patient = metadata.body!.rest![0].resource!.find((r) => r.type === 'Patient')!;
    assert.equal(patient.searchParam!.find((p) => p.name === 'birth-city')?.definition, birthCity.url);

    assert.deepEqual(await searchIds('birth-city=leeds'), [], 'known now, but not yet indexed');
    const reindexed = await post('/$reindex');
    assert.equal(reindexed.status, 200);
    assert.equal(countOf(reindexed.body as unknown as Parameters, 'updated'), 3);

    assert.deepEqual(await searchIds('birth-city=leeds'), [ids[0], ids[2]].sort());
    assert.deepEqual(await searchIds('birth-city=york'), [ids[1]]);
    const history = await getJson<Bundle>(`${child.baseUrl}/Patient/${ids[0]}/_history`);
    assert.equal(history.body!.entry!.length, 1, 'no new version');
    assert.equal((await getJson<{ meta: { versionId: string } }>(`${child.baseUrl}/Patient/${ids[0]}`)).body!.meta.versionId, '1');

    // A resource written now is indexed at write time, no reindex needed.
    const later = await post('/Patient', { resourceType: 'Patient', extension: [{ url: BIRTH_PLACE, valueAddress: { city: 'Hull' } }] });
    assert.deepEqual(await searchIds('birth-city=hull'), [later.body.id]);
    await child.stop();
  });

  it('a SearchParameter whose code clashes with an R4 one stops the start, naming the file', async () => {
    writeFileSync(join(extraDir, 'searchparameter-patient-birth-city.json'), JSON.stringify({ ...birthCity, code: 'birthdate' }));
    child = undefined;
    await assert.rejects(startChildServer({ dataDir, env: { EXTRA_PROFILES_DIR: extraDir } }), (err: Error) => {
      assert.match(
        err.message,
        /searchparameter-patient-birth-city\.json: SearchParameter 'birthdate' code: clashes with http:\/\/hl7.org\/fhir\/SearchParameter\/individual-birthdate on Patient/,
      );
      return true;
    });
  });
});
