/**
 * Race-free conditional interactions on the shipped configuration (a child-process server with the default
 * PREPARE_WORKERS, so validation runs in a worker between the condition's search and the commit):
 * concurrent conditional creates, updates, patches and deletes, as REST requests and in transactions
 * (https://hl7.org/fhir/R4/http.html#ccreate, #cond-update, #cdelete, #patch).
 */
import assert from 'node:assert/strict';
import { FHIR_JSON, getJson } from './support/fhir-requests.ts';
import { startChildServer, type ChildServer } from './support/child-server.ts';

const SYS = 'http://hospital.test/mrn';
const patient = (mrn: string, family: string) => ({
  resourceType: 'Patient',
  identifier: [{ system: SYS, value: mrn }],
  name: [{ family }],
});

interface Answer {
  status: number;
  body: { id?: string; resourceType?: string; entry?: { response: { status: string; location?: string } }[] };
}

describe('concurrent conditional interactions on a child-process server with prepare workers', function () {
  this.timeout(300_000);
  let child: ChildServer;
  before(async () => {
    child = await startChildServer();
  });
  after(async () => {
    await child?.cleanup();
  });

  const send = async (method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    const res = await fetch(`${child.baseUrl}${path}`, {
      method,
      headers: { 'content-type': FHIR_JSON, accept: FHIR_JSON, authorization: child.authorization, ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Answer['body']) : {} };
  };
  const matching = async (mrn: string): Promise<string[]> => {
    const res = await getJson<{ entry?: { resource: { id: string } }[] }>(
      `${child.baseUrl}/Patient?identifier=${encodeURIComponent(`${SYS}|${mrn}`)}&_count=100`,
    );
    return (res.body?.entry ?? []).map((e) => e.resource.id);
  };
  const versions = async (id: string): Promise<number[]> => {
    const res = await getJson<{ entry?: { response: { etag: string } }[] }>(`${child.baseUrl}/Patient/${id}/_history?_count=1000`);
    return (res.body?.entry ?? []).map((e) => Number(/"(\d+)"/.exec(e.response.etag)![1]));
  };
  const statuses = (answers: Answer[]) => answers.map((a) => a.status).sort((a, b) => a - b);
  const condition = (mrn: string) => `identifier=${encodeURIComponent(`${SYS}|${mrn}`)}`;

  it('24 simultaneous POSTs with one If-None-Exist store one Patient, ten times; every caller gets it', async () => {
    for (let round = 0; round < 10; round++) {
      const mrn = `create-race-${round}`;
      const answers = await Promise.all(
        Array.from({ length: 24 }, (_, i) => send('POST', '/Patient', patient(mrn, `Racer${i}`), { 'if-none-exist': condition(mrn) })),
      );
      const stored = await matching(mrn);
      assert.equal(stored.length, 1, `round ${round}: ${stored.length} Patients stored (${statuses(answers).join(',')})`);
      assert.equal(answers.filter((a) => a.status === 201).length, 1, `round ${round}: ${statuses(answers).join(',')}`);
      assert.deepEqual(
        new Set(answers.map((a) => a.body.id)),
        new Set(stored),
        `round ${round}: every caller is answered with the one Patient`,
      );
      const later = await send('POST', '/Patient', patient(mrn, 'Later'), { 'if-none-exist': condition(mrn) });
      assert.equal(later.status, 200, 'a later conditional create finds the one match');
    }
  });

  it('16 simultaneous conditional updates of a new identifier store one Patient whose history has no gap, ten times', async () => {
    for (let round = 0; round < 10; round++) {
      const mrn = `update-race-${round}`;
      const answers = await Promise.all(
        Array.from({ length: 16 }, (_, i) => send('PUT', `/Patient?${condition(mrn)}`, patient(mrn, `Racer${i}`))),
      );
      const stored = await matching(mrn);
      assert.equal(stored.length, 1, `round ${round}: ${stored.length} Patients stored (${statuses(answers).join(',')})`);
      assert.equal(answers.filter((a) => a.status === 201).length, 1, `round ${round}: ${statuses(answers).join(',')}`);
      assert.ok(
        answers.every((a) => a.status === 201 || a.status === 200 || a.status === 409),
        statuses(answers).join(','),
      );
      const succeeded = answers.filter((a) => a.status === 200 || a.status === 201).length;
      assert.deepEqual(
        await versions(stored[0]),
        Array.from({ length: succeeded }, (_, i) => succeeded - i),
        'one version per successful update',
      );
    }
  });

  it('conditional patches and updates of one match never lose a write: one version each, none of them 409', async () => {
    // Nine writers: each lost race means another one finished, so all finish within MAX_CLAIM_ATTEMPTS (10).
    const created = await send('POST', '/Patient', patient('patch-race', 'Start'));
    const patches = Array.from({ length: 6 }, (_, i) =>
      send('PATCH', `/Patient?${condition('patch-race')}`, [{ op: 'add', path: '/name/-', value: { family: `P${i}` } }], {
        'content-type': 'application/json-patch+json',
      }),
    );
    const updates = Array.from({ length: 3 }, (_, i) =>
      send('PUT', `/Patient?${condition('patch-race')}`, { ...patient('patch-race', `U${i}`), id: created.body.id }),
    );
    const answers = await Promise.all([...patches, ...updates]);
    assert.deepEqual(
      statuses(answers),
      answers.map(() => 200),
      'a lost race re-runs the condition instead of answering 409',
    );
    assert.deepEqual(
      await versions(created.body.id!),
      Array.from({ length: 10 }, (_, i) => 10 - i),
    );
  });

  it('a conditional update racing a change that makes its match stop matching does not update the changed resource', async () => {
    for (let round = 0; round < 5; round++) {
      const mrn = `moved-${round}`;
      const created = await send('POST', '/Patient', patient(mrn, 'Start'));
      const id = created.body.id!;
      // One request moves the Patient to another identifier; the others update whatever matches the old one.
      const [moved, ...others] = await Promise.all([
        send('PUT', `/Patient/${id}`, { ...patient(`${mrn}-new`, 'Moved'), id }),
        ...Array.from({ length: 6 }, (_, i) => send('PUT', `/Patient?${condition(mrn)}`, patient(mrn, `Cond${i}`))),
      ]);
      assert.ok(moved.status === 200 || moved.status === 409, String(moved.status));
      const current = await getJson<{ identifier: { value: string }[]; name: { family: string }[] }>(`${child.baseUrl}/Patient/${id}`);
      // A conditional update can only write this Patient while it holds the old identifier: once the move is
      // stored, nothing that matched before it may overwrite it.
      if (moved.status === 200)
        assert.deepEqual([current.body!.identifier[0].value, current.body!.name[0].family], [`${mrn}-new`, 'Moved'], `round ${round}`);
      assert.ok(
        others.every((a) => a.status === 200 || a.status === 201),
        statuses(others).join(','),
      );
      assert.ok((await matching(mrn)).length <= 1);
    }
  });

  it('simultaneous conditional deletes of one match delete it once: one new version, every caller 204', async () => {
    for (let round = 0; round < 5; round++) {
      const mrn = `delete-race-${round}`;
      const created = await send('POST', '/Patient', patient(mrn, 'Doomed'));
      const answers = await Promise.all(Array.from({ length: 8 }, () => send('DELETE', `/Patient?${condition(mrn)}`, undefined)));
      assert.deepEqual(
        statuses(answers),
        answers.map(() => 204),
        `round ${round}`,
      );
      assert.equal((await getJson(`${child.baseUrl}/Patient/${created.body.id}`)).status, 410);
      assert.deepEqual(await versions(created.body.id!), [2, 1], 'one delete version');
    }
  });

  it('8 simultaneous transactions of a conditional update (new identifier) and a conditional patch (existing one): no duplicate, no lost write', async () => {
    for (let round = 0; round < 3; round++) {
      const fresh = `tx-upd-${round}`;
      const existing = await send('POST', '/Patient', patient(`tx-patch-${round}`, 'Start'));
      const patchData = (i: number) =>
        Buffer.from(JSON.stringify([{ op: 'add', path: '/name/-', value: { family: `T${i}` } }])).toString('base64');
      const bundle = (i: number) => ({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { resource: patient(fresh, `Tx${i}`), request: { method: 'PUT', url: `Patient?${condition(fresh)}` } },
          {
            resource: { resourceType: 'Binary', contentType: 'application/json-patch+json', data: patchData(i) },
            request: { method: 'PATCH', url: `Patient?${condition(`tx-patch-${round}`)}` },
          },
        ],
      });
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => send('POST', '', bundle(i))));
      assert.deepEqual(
        statuses(answers),
        answers.map(() => 200),
        `round ${round}`,
      );
      const stored = await matching(fresh);
      assert.equal(stored.length, 1, `round ${round}: ${stored.length} Patients for the new identifier`);
      assert.deepEqual(await versions(stored[0]), [8, 7, 6, 5, 4, 3, 2, 1], 'one version per transaction');
      assert.deepEqual(await versions(existing.body.id!), [9, 8, 7, 6, 5, 4, 3, 2, 1], 'every patch applied once');
    }
  });

  it('simultaneous transactions that conditionally delete one match all succeed and delete it once', async () => {
    const created = await send('POST', '/Patient', patient('tx-delete', 'Doomed'));
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ request: { method: 'DELETE', url: `Patient?${condition('tx-delete')}` } }],
    };
    const answers = await Promise.all(Array.from({ length: 6 }, () => send('POST', '', bundle)));
    assert.deepEqual(
      statuses(answers),
      answers.map(() => 200),
    );
    assert.deepEqual(await versions(created.body.id!), [2, 1]);
  });

  it('12 simultaneous transactions that conditionally create one Patient and an Observation for it store one Patient', async () => {
    for (let round = 0; round < 5; round++) {
      const mrn = `tx-race-${round}`;
      const bundle = (i: number) => ({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            fullUrl: `urn:uuid:00000000-0000-4000-8000-00000000000${round}`,
            resource: patient(mrn, `Tx${i}`),
            request: { method: 'POST', url: 'Patient', ifNoneExist: condition(mrn) },
          },
          {
            resource: {
              resourceType: 'Observation',
              status: 'final',
              code: { text: `obs ${i}` },
              subject: { reference: `urn:uuid:00000000-0000-4000-8000-00000000000${round}` },
            },
            request: { method: 'POST', url: 'Observation' },
          },
        ],
      });
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => send('POST', '', bundle(i))));
      assert.deepEqual(
        statuses(answers),
        answers.map(() => 200),
        `round ${round}`,
      );
      const stored = await matching(mrn);
      assert.equal(stored.length, 1, `round ${round}: ${stored.length} Patients`);
      assert.equal(answers.filter((a) => a.body.entry![0].response.status.startsWith('201')).length, 1);
      const observations = await getJson<{ total: number }>(`${child.baseUrl}/Observation?subject=Patient/${stored[0]}&_total=accurate`);
      assert.equal(observations.body!.total, 12, 'every Observation refers to the one Patient');
    }
  });
});
