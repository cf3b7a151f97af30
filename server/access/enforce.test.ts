import assert from 'node:assert/strict';
import type { Bundle } from '@medplum/fhirtypes';
import { useTestServer } from '../../test/support/in-process-server.ts';
import { systemPrincipal, type JsonObject, type Principal } from '../engine/index.ts';
import { FhirError } from '../errors/fhir-error.ts';
import type { Filter } from '../store/port.ts';
import type { Access, Interaction } from './access.ts';

const JOB = systemPrincipal('enforce-test');

/**
 * A hand-built Access: patient `p1`'s compartment for Patient and Observation (read, search, create of
 * Observations), Practitioner readable, nothing else. The compiled ones (compile-access.ts) are tested there; this
 * tests that the engine's paths apply whatever an Access says.
 */
function patientAccess(id: string, interactions: Interaction[] = ['r', 's', 'c', 'u']): Access {
  const filters: Record<string, Filter> = {
    Patient: { _id: `Patient/${id}` },
    Observation: { ref: { $in: [`subject|Patient/${id}`] } },
    Practitioner: {},
  };
  return {
    unrestricted: false,
    admin: false,
    filter: (type, i) =>
      type === 'Practitioner' && i !== 'r' && i !== 's' ? undefined : interactions.includes(i) ? filters[type] : undefined,
    hiddenElements: (type) => (type === 'Patient' ? ['telecom'] : []),
    writableElements: () => undefined,
    missingScope: (type, i) => `patient/${type}.${i}`,
  };
}

const as = (access: Access): Principal => ({ kind: 'user', name: 'user/test', access });

describe('the engine applies a principal’s Access on every path (server/access/enforce.ts)', () => {
  const running = useTestServer();
  const engine = () => running.server.engine;
  const ids: Record<string, string> = {};
  const create = async (resource: JsonObject & { resourceType: string }) => {
    const [r] = await engine().transaction(JOB, [{ request: { method: 'POST', url: resource.resourceType }, resource }]);
    return r!.doc!.id;
  };
  const fails = (kind: string) => (err: unknown) => err instanceof FhirError && err.kind === kind;

  before(async () => {
    ids.gp = await create({ resourceType: 'Practitioner', name: [{ family: 'Gp' }] });
    ids.p1 = await create({ resourceType: 'Patient', name: [{ family: 'Visible' }], telecom: [{ system: 'phone', value: '1' }] });
    ids.p2 = await create({
      resourceType: 'Patient',
      name: [{ family: 'Hidden' }],
      generalPractitioner: [{ reference: `Practitioner/${ids.gp}` }],
    });
    for (const [p, code] of [
      ['p1', 'a'],
      ['p1', 'b'],
      ['p2', 'a'],
    ]) {
      await create({
        resourceType: 'Observation',
        status: 'final',
        code: { coding: [{ system: 'urn:c', code }] },
        subject: { reference: `Patient/${ids[p]}` },
        performer: [{ reference: `Practitioner/${ids.gp}` }],
      });
    }
  });

  it('search: only what the filter allows, also in _total and _summary=count', async () => {
    const me = as(patientAccess(ids.p1));
    const all: Bundle = await engine().search(me, 'Observation', '_total=accurate');
    assert.equal(all.total, 2);
    assert.equal((await engine().search(me, 'Observation', '_summary=count')).total, 2);
    assert.equal((await engine().search(JOB, 'Observation', '_summary=count')).total, 3);
  });

  it('includes and revincludes never add another patient; chains and _has reveal nothing', async () => {
    const me = as(patientAccess(ids.p1));
    const b = await engine().search(me, 'Observation', '_include=Observation:subject&_include=Observation:performer');
    const included = (b.entry ?? [])
      .filter((e) => e.search?.mode === 'include')
      .map((e) => `${e.resource?.resourceType}/${e.resource?.id}`);
    assert.deepEqual(included.sort(), [`Patient/${ids.p1}`, `Practitioner/${ids.gp}`].sort());
    const rev = await engine().search(
      me,
      'Practitioner',
      `_id=${ids.gp}&_revinclude=Observation:performer&_revinclude=Patient:general-practitioner`,
    );
    const revs = (rev.entry ?? []).filter((e) => e.search?.mode === 'include');
    assert.equal(revs.length, 2, 'only p1’s two Observations, never p2 or p2’s Observation');
    assert.ok(revs.every((e) => e.resource?.resourceType === 'Observation'));
    assert.equal((await engine().search(me, 'Observation', 'subject.name=Hidden&_summary=count')).total, 0);
    assert.equal((await engine().search(JOB, 'Observation', 'subject.name=Hidden&_summary=count')).total, 1);
    // Every Patient searchable, only p1's Observations: `_has` through p2's hidden Observation must not reveal p2.
    const base = patientAccess(ids.p1);
    const allPatients: Access = { ...base, filter: (type, i) => (type === 'Patient' ? {} : base.filter(type, i)) };
    const found = await engine().search(as(allPatients), 'Patient', '_has:Observation:subject:code=a');
    assert.deepEqual(
      found.entry?.map((e) => e.resource?.id),
      [ids.p1],
    );
    assert.equal((await engine().search(JOB, 'Patient', '_has:Observation:subject:code=a&_summary=count')).total, 2);
  });

  it('_list: a List the caller may not read lists nothing', async () => {
    const mine = (await engine().search(JOB, 'Observation', `subject=Patient/${ids.p1}`)).entry!.map((e) => e.resource!.id!);
    const list = await create({
      resourceType: 'List',
      status: 'current',
      mode: 'working',
      entry: mine.map((id) => ({ item: { reference: `Observation/${id}` } })),
    });
    assert.equal((await engine().search(JOB, 'Observation', `_list=${list}&_summary=count`)).total, 2);
    assert.equal((await engine().search(as(patientAccess(ids.p1)), 'Observation', `_list=${list}&_summary=count`)).total, 0);
  });

  it('read: a hidden resource is not-found exactly like a missing one, a type without scope is forbidden; elements hidden', async () => {
    const me = as(patientAccess(ids.p1));
    await assert.rejects(engine().read(me, 'Patient', ids.p2), fails('not-found'));
    await assert.rejects(engine().read(me, 'Patient', 'no-such-id'), fails('not-found'));
    await assert.rejects(engine().read(me, 'Encounter', 'x'), fails('forbidden'));
    const mine = await engine().read(me, 'Patient', ids.p1);
    assert.equal(mine.telecom, undefined);
    assert.ok(JSON.stringify(mine.meta).includes('SUBSETTED'));
  });

  it('writes: never outside the compartment, a transaction with one forbidden entry fails whole', async () => {
    const me = as(patientAccess(ids.p1));
    const obs = (subject: string) => ({
      request: { method: 'POST', url: 'Observation' },
      resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${subject}` } },
    });
    const [ok] = await engine().transaction(me, [obs(ids.p1)]);
    assert.equal(ok!.status, 201);
    await assert.rejects(engine().transaction(me, [obs(ids.p2)]), fails('forbidden'));
    const before = (await engine().search(JOB, 'Observation', '_summary=count')).total;
    await assert.rejects(engine().transaction(me, [obs(ids.p1), obs(ids.p2)]), fails('forbidden'));
    assert.equal((await engine().search(JOB, 'Observation', '_summary=count')).total, before, 'nothing of it was stored');
    await assert.rejects(
      engine().transaction(me, [
        { request: { method: 'PUT', url: `Patient/${ids.p2}` }, resource: { resourceType: 'Patient', id: ids.p2 } },
      ]),
      fails('not-found'),
    );
    await assert.rejects(engine().transaction(me, [{ request: { method: 'DELETE', url: `Observation/x` } }]), fails('forbidden'));
  });

  it('conditional writes match only what the caller sees', async () => {
    const me = as(patientAccess(ids.p1));
    // The condition matches p2's Observation for the system, nothing for p1: p1's create goes ahead (as its own).
    const [r] = await engine().transaction(me, [
      {
        request: { method: 'POST', url: 'Observation', ifNoneExist: `code=urn:c|a&subject=Patient/${ids.p2}` },
        resource: { resourceType: 'Observation', status: 'final', code: { text: 'y' }, subject: { reference: `Patient/${ids.p1}` } },
      },
    ]);
    assert.equal(r!.status, 201);
  });
});
