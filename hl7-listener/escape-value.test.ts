import assert from 'node:assert/strict';
import { escapeValue } from './escape-value.ts';
import { parseMessage } from './parse-message.ts';

describe('escapeValue (HL7 v2.5 chapter 2.7.1)', () => {
  it('escapes the default delimiters as \\F\\ \\S\\ \\R\\ \\E\\ \\T\\', () => {
    assert.equal(
      escapeValue('a|b^c~d\\e&f', { field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' }),
      'a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f',
    );
  });

  it('escapes custom delimiters with the custom escape character and leaves the default ones as data', () => {
    const enc = { field: '#', component: '$', repetition: '%', escape: '!', subcomponent: '@' };
    assert.equal(escapeValue('a#b$c%d!e@f|g^h', enc), 'a!F!b!S!c!R!d!E!e!T!f|g^h');
  });

  it('round-trips through the parser with custom delimiters', () => {
    const enc = { field: '#', component: '^', repetition: '~', escape: '\\', subcomponent: '&' };
    const text = 'x#y|z^w\\v';
    const m = parseMessage(Buffer.from(`MSH#^~\\&#A#B#C#D#2024##ADT^A01#1#P#2.5.1\rNTE#1##${escapeValue(text, enc)}`));
    assert.deepEqual(m.segments[1]!.fields[3], [[[text]]]);
  });
});
