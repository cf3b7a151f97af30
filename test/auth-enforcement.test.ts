/**
 * Issue 11 end to end, on the shipped configuration (a child server, prepare workers on): tokens got as clients get
 * them (a SMART authorization-code flow with PKCE through our pages, client_credentials) and what each may see and
 * do, on every path around the rules: includes, revincludes, chains, `_has`, counts, history, vread, conditional
 * writes, transactions, admin operations, element hiding and granular scopes.
 */
import assert from 'node:assert/strict';
import type { Bundle, OperationOutcome } from '@medplum/fhirtypes';
import { startChildServer, type ChildServer } from './support/child-server.ts';
import { userToken } from './support/smart-login.ts';

const LOINC = 'http://loinc.org';
const CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const REDIRECT = 'http://127.0.0.1:9/callback';
const PASSWORD = 'a long enough password';

/** What the tests read of an answer: a Bundle, an OperationOutcome or a resource. */
type Answer = Omit<Bundle, 'resourceType'> & Pick<OperationOutcome, 'issue'> & Record<string, unknown> & { id?: string };

describe('authorization enforced inside the engine, over HTTP with real tokens (issue 11)', function () {
  this.timeout(120_000);
  let child: ChildServer;
  const ids: Record<string, string> = {};
  const tokens: Record<string, string> = {};

  /** A request with `token` (a key of `tokens`, or the child's admin token by default). */
  const call = async (method: string, path: string, token?: string, body?: unknown) => {
    const res = await fetch(`${child.origin}${path}`, {
      method,
      headers: {
        accept: 'application/fhir+json',
        authorization: token ? `Bearer ${tokens[token]}` : child.authorization,
        ...(body !== undefined ? { 'content-type': 'application/fhir+json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Answer, text };
  };
  const create = async (resource: Record<string, unknown>) => {
    const res = await call('POST', `/fhir/${resource.resourceType as string}`, undefined, resource);
    assert.equal(res.status, 201, res.text);
    return res.body.id!;
  };
  const observation = (patient: string, code: string, category: string) => ({
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: CATEGORY, code: category }] }],
    code: { coding: [{ system: LOINC, code }] },
    subject: { reference: `Patient/${ids[patient]}` },
  });
  const refsOf = (bundle: Pick<Bundle, 'entry'>) => (bundle.entry ?? []).map((e) => `${e.resource?.resourceType}/${e.resource?.id}`).sort();

  before(async () => {
    child = await startChildServer();
    ids.gp = await create({ resourceType: 'Practitioner', name: [{ family: 'Gp' }] });
    ids.alice = await create({
      resourceType: 'Patient',
      name: [{ family: 'Aliceson' }],
      telecom: [{ system: 'phone', value: '555-0101' }],
    });
    ids.bob = await create({ resourceType: 'Patient', name: [{ family: 'Bobbington' }] });
    ids.aliceLab = await create(observation('alice', '2823-3', 'laboratory'));
    ids.aliceVital = await create(observation('alice', '8867-4', 'vital-signs'));
    ids.bobLab = await create(observation('bob', '2823-3', 'laboratory'));
    for (const [target, patient] of [
      ['aliceLab', 'alice'],
      ['bobLab', 'bob'],
    ]) {
      await create({
        resourceType: 'Provenance',
        target: [{ reference: `Observation/${ids[target]}` }, { reference: `Patient/${ids[patient]}` }],
        recorded: '2026-12-01T10:00:00Z',
        agent: [{ who: { reference: `Practitioner/${ids.gp}` } }],
      });
    }
    ids.task = await create({
      resourceType: 'Task',
      status: 'requested',
      intent: 'order',
      description: 'draw blood',
      for: { reference: `Patient/${ids.alice}` },
    });
    const client = await call('POST', '/admin/clients', undefined, {
      client_name: 'ward app',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'none',
      scope:
        'openid fhirUser launch/patient patient/*.cruds user/*.cruds patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory',
    });
    assert.equal(client.status, 201, client.text);
    const users: [string, string, string, string][] = [
      ['alice', 'patient', `Patient/${ids.alice}`, 'patient/*.rs'],
      ['doctor', 'doctor', `Practitioner/${ids.gp}`, 'user/*.cruds'],
      ['nurse', 'nurse', `Practitioner/${ids.gp}`, 'user/*.cruds'],
      ['insurer', 'insurer', `Practitioner/${ids.gp}`, 'user/*.cruds'],
      [
        'labview',
        'doctor',
        `Practitioner/${ids.gp}`,
        'launch/patient patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory',
      ],
    ];
    for (const [username, role, fhirUser, scope] of users) {
      const made = await call('POST', '/admin/users', undefined, { username, password: PASSWORD, role, fhirUser });
      assert.equal(made.status, 201, made.text);
      const answer = await userToken({
        origin: child.origin,
        baseUrl: child.baseUrl,
        clientId: client.body.client_id as string,
        redirectUri: REDIRECT,
        username,
        password: PASSWORD,
        scope,
        patient: ids.alice,
      });
      tokens[username] = answer.access_token;
    }
  });

  after(() => child?.cleanup());

  it('a patient token: includes, revincludes, chains and _has never show another patient; counts match what is visible', async () => {
    const page = await call('GET', '/fhir/Observation?_include=Observation:subject&_revinclude=Provenance:target&_total=accurate', 'alice');
    assert.equal(page.status, 200, page.text);
    const refs = refsOf(page.body);
    assert.ok(!refs.includes(`Patient/${ids.bob}`) && !refs.includes(`Observation/${ids.bobLab}`), refs.join());
    assert.ok(refs.includes(`Observation/${ids.aliceLab}`) && refs.includes(`Patient/${ids.alice}`));
    assert.equal(page.body.total, 2);
    assert.equal((await call('GET', '/fhir/Observation?_summary=count', 'alice')).body.total, 2);
    assert.equal((await call('GET', '/fhir/Observation?subject.name=Bobbington&_summary=count', 'alice')).body.total, 0);
    assert.equal((await call('GET', '/fhir/Observation?subject.name=Bobbington&_summary=count')).body.total, 1, 'the system sees it');
    const has = await call('GET', `/fhir/Patient?_has:Observation:subject:code=${LOINC}|2823-3`, 'alice');
    assert.deepEqual(refsOf(has.body), [`Patient/${ids.alice}`]);
    const everyone = await call('GET', '/fhir/?_type=Patient,Observation&_summary=count', 'alice');
    assert.equal(everyone.body.total, 3);
  });

  it('a patient token: another patient’s record reads as 404 exactly like a missing one, in read, vread and history', async () => {
    const hidden = await call('GET', `/fhir/Observation/${ids.bobLab}`, 'alice');
    const missing = await call('GET', '/fhir/Observation/no-such-id', 'alice');
    assert.equal(hidden.status, 404);
    assert.equal(missing.status, 404);
    assert.equal(hidden.body.issue?.[0]?.code, missing.body.issue?.[0]?.code);
    assert.equal((await call('GET', `/fhir/Observation/${ids.bobLab}/_history/1`, 'alice')).status, 404);
    const history = await call('GET', '/fhir/Observation/_history', 'alice');
    assert.deepEqual(refsOf(history.body), [`Observation/${ids.aliceLab}`, `Observation/${ids.aliceVital}`].sort());
    const system = await call('GET', '/fhir/_history?_count=100', 'alice');
    assert.ok(!refsOf(system.body).some((r) => r.endsWith(ids.bob) || r.endsWith(ids.bobLab)));
    assert.equal((await call('GET', `/fhir/Patient/${ids.bob}/_history`, 'alice')).status, 404);
  });

  it('a patient token may read outside its compartment, never write; a missing scope is 403 naming it', async () => {
    assert.equal((await call('GET', `/fhir/Practitioner/${ids.gp}`, 'alice')).status, 200);
    const write = await call('POST', '/fhir/Observation', 'alice', observation('alice', '1-1', 'vital-signs'));
    assert.equal(write.status, 403, write.text);
    assert.match(write.body.issue?.[0]?.diagnostics ?? '', /patient\/Observation\.c/);
    assert.equal((await call('PUT', `/fhir/Practitioner/${ids.gp}`, 'alice', { resourceType: 'Practitioner', id: ids.gp })).status, 403);
    assert.equal((await call('POST', '/fhir/$reindex', 'alice', { resourceType: 'Parameters' })).status, 403);
    assert.equal((await call('GET', '/admin/hl7/messages', 'alice')).status, 403);
    assert.equal((await call('GET', '/admin/users', 'alice')).status, 403);
  });

  it('a doctor writes orders; one forbidden entry fails a whole transaction; conditional matches see only what is visible', async () => {
    const order = { resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: `Patient/${ids.alice}` } };
    assert.equal((await call('POST', '/fhir/ServiceRequest', 'doctor', order)).status, 201);
    const dispense = { resourceType: 'MedicationDispense', status: 'completed', medicationCodeableConcept: { text: 'x' } };
    assert.equal((await call('POST', '/fhir/MedicationDispense', 'doctor', dispense)).status, 403);
    const before = (await call('GET', '/fhir/ServiceRequest?_summary=count')).body.total;
    const tx = await call('POST', '/fhir', 'doctor', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { request: { method: 'POST', url: 'ServiceRequest' }, resource: order },
        { request: { method: 'POST', url: 'MedicationDispense' }, resource: dispense },
      ],
    });
    assert.equal(tx.status, 403, tx.text);
    assert.equal((await call('GET', '/fhir/ServiceRequest?_summary=count')).body.total, before, 'nothing of the transaction was stored');
    // The patient's conditional create cannot see Bob's Observation: no match, and its own create is refused anyway.
    const conditional = await fetch(`${child.baseUrl}/Observation`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${tokens.alice}`,
        'content-type': 'application/fhir+json',
        'if-none-exist': `subject=Patient/${ids.bob}`,
      },
      body: JSON.stringify(observation('bob', '2823-3', 'laboratory')),
    });
    assert.equal(conditional.status, 403);
  });

  it('a nurse: vital signs only, and only the status of a Task', async () => {
    assert.equal((await call('POST', '/fhir/Observation', 'nurse', observation('alice', '8867-4', 'vital-signs'))).status, 201);
    assert.equal((await call('POST', '/fhir/Observation', 'nurse', observation('alice', '2823-3', 'laboratory'))).status, 403);
    const task = (await call('GET', `/fhir/Task/${ids.task}`, 'nurse')).body;
    assert.equal((await call('PUT', `/fhir/Task/${ids.task}`, 'nurse', { ...task, status: 'in-progress' })).status, 200);
    const changed = await call('PUT', `/fhir/Task/${ids.task}`, 'nurse', { ...task, status: 'in-progress', description: 'something else' });
    assert.equal(changed.status, 403, changed.text);
  });

  it('an insurer sees Patient without telecom and no clinical data', async () => {
    const patient = await call('GET', `/fhir/Patient/${ids.alice}`, 'insurer');
    assert.equal(patient.status, 200);
    assert.equal(patient.body.telecom, undefined);
    assert.equal((await call('GET', `/fhir/Observation/${ids.aliceLab}`, 'insurer')).status, 403);
    const byPhone = await call('GET', '/fhir/Patient?phone=555-0101', 'insurer');
    assert.equal(byPhone.status, 403, 'a search on the hidden element would tell its value');
    assert.equal(byPhone.body.issue?.[0]?.expression?.[0], 'phone');
    const found = await call('GET', '/fhir/Patient?family=Aliceson', 'insurer');
    assert.equal(
      (found.body.entry?.[0]?.resource as { telecom?: unknown } | undefined)?.telecom,
      undefined,
      'hidden in search results too',
    );
  });

  it('a granular scope: only laboratory Observations of the patient in context', async () => {
    const page = await call('GET', '/fhir/Observation', 'labview');
    assert.equal(page.status, 200, page.text);
    assert.deepEqual(refsOf(page.body), [`Observation/${ids.aliceLab}`]);
    assert.equal((await call('GET', `/fhir/Observation/${ids.aliceVital}`, 'labview')).status, 404);
  });
});
