import assert from 'node:assert/strict';
import { spmToSpecimen } from './spm.ts';
import { segment } from '../testing/hand-built.ts';
import { SYSTEMS, testContext } from '../testing/context.ts';

describe('SPM -> Specimen (IG segment-spm-to-specimen)', () => {
  it('placer/filler identifiers from the EIP subcomponents, type, collection and received times', () => {
    const parts = Array.from({ length: 19 }, () => '');
    Object.assign(parts, {
      0: 'SPM',
      1: '1',
      2: 'S-1&STJORD^S-1L&STJLAB',
      4: 'SER^Serum^HL70487',
      17: '20240312100000',
      18: '20240312101500',
    });
    const s = spmToSpecimen(segment(parts.join('|')), 1, testContext(), { reference: 'urn:uuid:p' });
    assert.deepEqual(
      s.identifier?.map((i) => [i.system, i.value]),
      [
        [SYSTEMS.placer, 'S-1'],
        [SYSTEMS.filler, 'S-1L'],
      ],
    );
    assert.equal(s.type?.coding?.[0].code, 'SER');
    assert.equal(s.collection?.collectedDateTime, '2024-03-12T10:00:00+01:00');
    assert.equal(s.receivedTime, '2024-03-12T10:15:00+01:00');
  });
});
