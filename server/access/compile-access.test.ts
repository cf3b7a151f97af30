import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { loadDefinitions } from '../validation/definitions.ts';
import { reindex } from '../repository/reindex.ts';
import type { ResourceDocument } from '../store/documents.ts';
import { openStore } from '../store/open-store.ts';
import type { Store } from '../store/port.ts';
import { loadConfig } from '../config.ts';
import { emptySearchValues } from '../search-index/extract.ts';
import type { Access, Interaction } from './access.ts';
import { compileAccess, type AccessContext, type Grant } from './compile-access.ts';

const BASE = 'http://example.org/fhir';
const CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const LAB = `category=${CATEGORY}|laboratory`;
const observation = (id: string, subject: string, category: string): Resource => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: { text: 'x' },
  subject: { reference: subject },
  category: [{ coding: [{ system: CATEGORY, code: category }] }],
});

const resources: Resource[] = [
  { resourceType: 'Patient', id: 'p1', telecom: [{ system: 'phone', value: '1' }] },
  { resourceType: 'Patient', id: 'p2' },
  { resourceType: 'Patient', id: 'p3', link: [{ other: { reference: 'Patient/p1' }, type: 'seealso' }] },
  observation('o1', 'Patient/p1', 'laboratory'),
  observation('o2', 'Patient/p1', 'vital-signs'),
  observation('o3', 'Patient/p2', 'vital-signs'),
  observation('o4', `${BASE}/Patient/p2`, 'laboratory'),
  { resourceType: 'Practitioner', id: 'pr1' },
  { resourceType: 'Device', id: 'dev1', patient: { reference: 'Patient/p2' } },
  { resourceType: 'Task', id: 't1', status: 'requested', intent: 'order', for: { reference: 'Patient/p1' } },
  { resourceType: 'Task', id: 't2', status: 'requested', intent: 'order', for: { reference: 'Patient/p2' } },
  { resourceType: 'DocumentReference', id: 'd1', status: 'current', content: [], subject: { reference: 'Patient/p1' } },
  { resourceType: 'Appointment', id: 'a1', status: 'booked', participant: [{ actor: { reference: 'Patient/p1' }, status: 'accepted' }] },
  { resourceType: 'Appointment', id: 'a2', status: 'booked', participant: [{ actor: { reference: 'Patient/p2' }, status: 'accepted' }] },
];

describe('compileAccess (server/access/compile-access.ts)', () => {
  let dir: string;
  let store: Store;
  let context: AccessContext;
  before(async () => {
    loadDefinitions();
    dir = await mkdtemp(join(tmpdir(), 'fhirline-access-'));
    store = await openStore(loadConfig({ DATA_DIR: dir }));
    // Stored without search values, then indexed by $reindex's own code: the values the write path extracts.
    const docs = resources.map((r): ResourceDocument => ({
      ...emptySearchValues(),
      _id: `${r.resourceType}/${r.id}`,
      resourceType: r.resourceType,
      id: r.id!,
      versionId: 1,
      lastUpdated: '2024-01-01T00:00:00.000Z',
      deleted: false,
      content: JSON.stringify(r),
    }));
    await store.write(docs.map((doc) => ({ op: 'insert', collection: 'resources', doc })));
    await reindex(store);
    context = { store, baseUrl: BASE };
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const access = (grant: Partial<Grant>) => compileAccess(context, { scope: '', clientScope: '', admin: false, ...grant });

  /** The ids of `type` the access lets `i` touch; undefined when it allows nothing at all. */
  async function selected(a: Access, type: string, i: Interaction): Promise<string[] | undefined> {
    const filter = a.filter(type, i);
    if (filter === undefined) return undefined;
    const docs = await store.find<ResourceDocument>('resources', { $and: [{ resourceType: type }, { deleted: false }, filter] });
    return docs.map((d) => d.id).sort();
  }

  it('a client with system/*.* and no role: everything', async () => {
    const a = await access({ scope: 'system/*.*', clientScope: 'system/*.*', admin: true });
    assert.deepEqual(a.filter('Observation', 's'), {});
    assert.deepEqual(a.filter('Patient', 'd'), {});
    assert.equal(a.admin, true);
    assert.equal(a.unrestricted, false);
  });

  it('patient/ scopes reach the launch patient compartment, relative and absolute references', async () => {
    const p1 = await access({ scope: 'patient/*.rs', clientScope: 'patient/*.rs', patient: 'p1' });
    assert.deepEqual(await selected(p1, 'Observation', 's'), ['o1', 'o2']);
    assert.deepEqual(await selected(p1, 'Patient', 'r'), ['p1', 'p3']);
    assert.deepEqual(await selected(p1, 'Device', 's'), ['dev1'], 'a type outside the compartment is read unfiltered (issue 11)');
    const p2 = await access({ scope: 'patient/*.rs', clientScope: 'patient/*.rs', patient: 'p2' });
    assert.deepEqual(await selected(p2, 'Observation', 's'), ['o3', 'o4']);
    assert.equal(await selected(p2, 'Observation', 'c'), undefined);
  });

  it('patient/ scopes: outside the compartment read and search only; no launch patient, nothing', async () => {
    const a = await access({ scope: 'patient/*.cruds', clientScope: 'patient/*.cruds', patient: 'p1' });
    assert.deepEqual(await selected(a, 'Practitioner', 'r'), ['pr1']);
    assert.equal(a.filter('Practitioner', 'c'), undefined);
    assert.equal(a.filter('Practitioner', 'u'), undefined);
    assert.deepEqual(await selected(a, 'Observation', 'c'), ['o1', 'o2']);
    const none = await access({ scope: 'patient/*.rs', clientScope: 'patient/*.rs' });
    assert.equal(none.filter('Observation', 's'), undefined);
    assert.equal(none.filter('Practitioner', 's'), undefined);
  });

  it('a granular scope narrows to what its query matches', async () => {
    const a = await access({ scope: `patient/Observation.rs?${LAB}`, clientScope: 'patient/*.rs', patient: 'p1' });
    assert.deepEqual(await selected(a, 'Observation', 's'), ['o1']);
    assert.equal(a.filter('Patient', 'r'), undefined);
  });

  it('granular values are data: an operator-looking value matches nothing, an unknown ValueSet allows nothing', async () => {
    const op = await access({ scope: 'system/Observation.rs?category={"$ne":null}', clientScope: 'system/*.*' });
    assert.deepEqual(await selected(op, 'Observation', 's'), []);
    const vs = await access({ scope: 'system/Observation.rs?code:in=http://example.org/no-such-vs', clientScope: 'system/*.*' });
    assert.equal(vs.filter('Observation', 's'), undefined);
  });

  it("the client's registered scopes are re-applied: the intersection", async () => {
    const a = await access({ scope: 'patient/*.rs', clientScope: 'patient/Observation.rs', patient: 'p1' });
    assert.deepEqual(await selected(a, 'Observation', 's'), ['o1', 'o2']);
    assert.equal(a.filter('Patient', 's'), undefined);
    const granular = await access({ scope: 'patient/Observation.rs', clientScope: `patient/Observation.rs?${LAB}`, patient: 'p1' });
    assert.deepEqual(await selected(granular, 'Observation', 's'), ['o1']);
  });

  it('a doctor reads everything and writes what the role allows; system/ scopes do not count for a user', async () => {
    const a = await access({ scope: 'user/*.cruds', clientScope: 'user/*.cruds', role: 'doctor', fhirUser: 'Practitioner/pr1' });
    assert.deepEqual(await selected(a, 'Observation', 's'), ['o1', 'o2', 'o3', 'o4']);
    assert.equal(a.filter('Observation', 'c'), undefined);
    assert.deepEqual(a.filter('Task', 'u'), {});
    assert.equal(a.writableElements('Task'), undefined);
    const system = await access({ scope: 'system/*.*', clientScope: 'system/*.*', role: 'doctor' });
    assert.equal(system.filter('Observation', 's'), undefined);
  });

  it('a doctor with a patient/ launch scope sees that patient only', async () => {
    const a = await access({ scope: 'patient/*.rs', clientScope: 'patient/*.rs user/*.rs', role: 'doctor', patient: 'p2' });
    assert.deepEqual(await selected(a, 'Observation', 's'), ['o3', 'o4']);
  });

  it('a nurse writes vital-sign Observations only, and only the status elements of a Task', async () => {
    const a = await access({ scope: 'user/*.cruds', clientScope: 'user/*.cruds', role: 'nurse' });
    assert.deepEqual(await selected(a, 'Observation', 'c'), ['o2', 'o3']);
    assert.deepEqual(await selected(a, 'Observation', 's'), ['o1', 'o2', 'o3', 'o4']);
    assert.deepEqual(await selected(a, 'Task', 'u'), ['t1', 't2']);
    assert.deepEqual(a.writableElements('Task'), ['status', 'businessStatus', 'statusReason']);
    assert.equal(a.filter('Task', 'c'), undefined);
    assert.equal(a.filter('Task', 'd'), undefined);
  });

  it('a pharmacist reads laboratory Observations only; a lab-tech writes them', async () => {
    const pharmacist = await access({ scope: 'user/*.rs', clientScope: 'user/*.rs', role: 'pharmacist' });
    assert.deepEqual(await selected(pharmacist, 'Observation', 's'), ['o1', 'o4']);
    assert.deepEqual(pharmacist.writableElements('MedicationRequest'), ['status', 'statusReason']);
    const labTech = await access({ scope: 'user/*.cruds', clientScope: 'user/*.cruds', role: 'lab-tech' });
    assert.deepEqual(await selected(labTech, 'Observation', 'u'), ['o1', 'o4']);
  });

  it('an insurer sees Patient without telecom and no clinical notes', async () => {
    const a = await access({ scope: 'user/*.rs', clientScope: 'user/*.rs', role: 'insurer' });
    assert.deepEqual(a.hiddenElements('Patient'), ['telecom']);
    assert.deepEqual(a.hiddenElements('Coverage'), []);
    assert.deepEqual(await selected(a, 'Patient', 's'), ['p1', 'p2', 'p3']);
    assert.equal(a.filter('DocumentReference', 's'), undefined);
    assert.equal(a.filter('Observation', 's'), undefined);
  });

  it('an admin manages the directory and reads no clinical data', async () => {
    const a = await access({ scope: 'user/*.cruds', clientScope: 'user/*.cruds', role: 'admin', admin: true });
    assert.equal(a.admin, true);
    assert.deepEqual(a.filter('Practitioner', 'c'), {});
    assert.equal(a.filter('Observation', 's'), undefined);
    assert.equal(a.filter('Patient', 'r'), undefined);
  });

  it("a patient user's user/ scopes reach their own compartment only", async () => {
    const a = await access({ scope: 'user/*.cruds', clientScope: 'user/*.cruds', role: 'patient', fhirUser: 'Patient/p1' });
    assert.deepEqual(await selected(a, 'Observation', 's'), ['o1', 'o2']);
    assert.deepEqual(await selected(a, 'Patient', 'r'), ['p1', 'p3']);
    assert.deepEqual(await selected(a, 'DocumentReference', 's'), ['d1']);
    assert.deepEqual(await selected(a, 'Practitioner', 's'), ['pr1']);
    assert.equal(a.filter('Practitioner', 'c'), undefined);
    assert.equal(
      a.filter('Device', 's'),
      undefined,
      "outside the compartment only what a rule names: another patient's implant stays hidden",
    );
    assert.equal(a.filter('Observation', 'c'), undefined);
    assert.deepEqual(await selected(a, 'Appointment', 'c'), ['a1']);
    assert.deepEqual(await selected(a, 'Appointment', 'u'), ['a1']);
    assert.deepEqual(a.writableElements('Appointment'), ['status', 'cancelationReason']);
    assert.equal(a.filter('Appointment', 'd'), undefined);
    assert.deepEqual(await selected(a, 'Task', 'c'), ['t1']);
    const absolute = await access({ scope: 'user/*.rs', clientScope: 'user/*.rs', role: 'patient', fhirUser: `${BASE}/Patient/p2` });
    assert.deepEqual(await selected(absolute, 'Observation', 's'), ['o3', 'o4']);
    const practitioner = await access({ scope: 'user/*.rs', clientScope: 'user/*.rs', role: 'patient', fhirUser: 'Practitioner/pr1' });
    assert.equal(practitioner.filter('Observation', 's'), undefined);
  });

  it('the compartment reached by the token, the client and the role alike is one filter, not one per rule', async () => {
    const a = await access({
      scope: 'launch/patient patient/*.rs',
      clientScope: 'launch/patient patient/*.rs user/*.rs',
      role: 'patient',
      fhirUser: 'Patient/p1',
      patient: 'p1',
    });
    const refs = ['subject|Patient/p1', `subject|${BASE}/Patient/p1`, 'performer|Patient/p1', `performer|${BASE}/Patient/p1`];
    assert.deepEqual(a.filter('Observation', 's'), { ref: { $in: refs } });
    assert.deepEqual(await selected(a, 'Observation', 's'), ['o1', 'o2']);
  });

  it('missingScope names the scope in the token context', async () => {
    const patient = await access({ scope: 'patient/Observation.rs launch/patient', clientScope: 'patient/*.rs', patient: 'p1' });
    assert.equal(patient.missingScope('Observation', 'c'), 'patient/Observation.c');
    const user = await access({ scope: 'user/Patient.rs', clientScope: 'user/*.rs', role: 'doctor' });
    assert.equal(user.missingScope('Condition', 'u'), 'user/Condition.u');
    const client = await access({ scope: 'system/Patient.rs', clientScope: 'system/*.*' });
    assert.equal(client.missingScope('Patient', 'd'), 'system/Patient.d');
  });

  it('a role without a policy allows nothing', async () => {
    const a = await access({ scope: 'user/*.rs', clientScope: 'user/*.rs', role: 'surgeon' as Grant['role'] });
    assert.equal(a.filter('Observation', 's'), undefined);
  });

  it('a store failure while compiling rejects the grant, and the next try compiles again', async () => {
    const down = new Proxy(store, {
      get: (target, name) =>
        name === 'find' || name === 'findOne' ? () => Promise.reject(new Error('store down')) : Reflect.get(target, name),
    });
    const grant: Grant = { scope: 'system/Observation.rs?code:in=http://example.org/vs', clientScope: 'system/*.*', admin: false };
    await assert.rejects(compileAccess({ store: down, baseUrl: BASE }, grant), /store down/);
    await assert.rejects(compileAccess({ store: down, baseUrl: BASE }, grant), /store down/);
  });

  it('compiles each distinct grant once', async () => {
    const grant: Grant = { scope: 'user/*.rs', clientScope: 'user/*.rs', role: 'doctor', admin: false };
    const first = await compileAccess(context, grant);
    assert.equal(await compileAccess(context, { ...grant }), first);
    assert.notEqual(await compileAccess(context, { ...grant, role: 'nurse' }), first);
    assert.equal(first.filter('Observation', 's'), first.filter('Observation', 's'));
  });
});
