import assert from 'node:assert/strict';
import type { Patient } from '@medplum/fhirtypes';
import { mapA40 } from './adt-a40.ts';
import { fixture } from '../testing/fixtures.ts';
import { SYSTEMS } from '../testing/context.ts';

describe('ADT^A40 merge (no IG map: README "A40")', () => {
  it('survivor gets the merged identifier (use old) and replaces; merged is inactive, replaced-by the survivor, found without the survivor', () => {
    const { message, context } = fixture('adt-a40.hl7');
    const [survivor, merged] = mapA40(message, context);
    const s = survivor.resource as Patient;
    const m = merged.resource as Patient;
    assert.deepEqual(
      s.identifier?.map((i) => [i.value, i.use]),
      [
        ['100234', undefined],
        ['100999', 'old'],
      ],
    );
    assert.deepEqual(s.link, [{ other: { reference: merged.fullUrl }, type: 'replaces' }]);
    assert.equal(m.active, false);
    assert.deepEqual(m.link, [{ other: { reference: survivor.fullUrl }, type: 'replaced-by' }]);
    assert.equal(decodeURIComponent(merged.request.url), `Patient?identifier=${SYSTEMS.mrn}|100999&identifier:not=${SYSTEMS.mrn}|100234`);
  });
});
