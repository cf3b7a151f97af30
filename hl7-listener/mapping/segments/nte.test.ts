import assert from 'node:assert/strict';
import { notesAfter } from './nte.ts';
import { message } from '../testing/hand-built.ts';

describe('NTE -> Annotation', () => {
  it('the NTEs right after a segment are its notes, lines joined', () => {
    const m = message('OBX|1|ST|X||a\rNTE|1||first~second\rNTE|2||third\rOBX|2|ST|Y||b');
    assert.deepEqual(notesAfter(m.segments, 0), [{ text: 'first\nsecond' }, { text: 'third' }]);
    assert.deepEqual(notesAfter(m.segments, 3), []);
  });
});
