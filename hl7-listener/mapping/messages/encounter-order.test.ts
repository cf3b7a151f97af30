import assert from 'node:assert/strict';
import type { Encounter } from '@medplum/fhirtypes';
import { keepNewerEncounter } from './encounter-order.ts';
import { EVENT_TIME_URL } from '../segments/pv1.ts';
import type { TransactionEntry } from '../entries.ts';

const encounter = (time: string, status: Encounter['status']): Encounter => ({
  resourceType: 'Encounter',
  status,
  class: { code: 'IMP' },
  extension: [{ url: EVENT_TIME_URL, valueDateTime: time }],
});
const entry = (e: Encounter): TransactionEntry => ({
  fullUrl: 'urn:uuid:e',
  resource: e,
  request: { method: 'PUT', url: 'Encounter?identifier=s%7C1' },
});

describe('out-of-order ADT never moves an Encounter backwards (hook for the listener)', () => {
  it('an older event than the stored one becomes a conditional create with the same fullUrl', () => {
    const late = entry(encounter('2024-03-12T08:00:00+01:00', 'in-progress'));
    const kept = keepNewerEncounter(late, encounter('2024-03-16T11:00:00+01:00', 'finished'));
    assert.deepEqual(kept.request, { method: 'POST', url: 'Encounter', ifNoneExist: 'identifier=s%7C1' });
    assert.equal(kept.fullUrl, 'urn:uuid:e');
  });
  it('a newer (or same-time) event, or nothing stored, is applied as is; offsets are compared as instants', () => {
    const e = entry(encounter('2024-03-16T11:00:00+01:00', 'finished'));
    assert.equal(keepNewerEncounter(e, encounter('2024-03-16T09:30:00+00:00', 'in-progress')), e);
    assert.equal(keepNewerEncounter(e, undefined), e);
  });
});
