import assert from 'node:assert/strict';
import { xcnToReference } from './xcn.ts';
import { repetition } from '../testing/hand-built.ts';
import { SYSTEMS, testContext } from '../testing/context.ts';

describe('XCN -> logical Practitioner reference', () => {
  it('identifier from XCN-1 and XCN-9, display from the name', () => {
    assert.deepEqual(xcnToReference(repetition('1234^House^Gregory^^^Dr^^^STJDOC'), testContext().profile), {
      type: 'Practitioner',
      identifier: { system: SYSTEMS.staff, value: '1234' },
      display: 'Dr Gregory House',
    });
  });
});
