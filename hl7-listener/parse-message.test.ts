import assert from 'node:assert/strict';
import { HL7Message } from 'hl7v2';
import { parseMessage, Hl7ParseError } from './parse-message.ts';
import type { Hl7Message } from './message.ts';

const MSH = 'MSH|^~\\&|LAB|HOSP|FHIRLINE|HOSP|20240102120000+0100||ADT^A01^ADT_A01|MSG0001|P|2.5.1';

function parse(text: string): Hl7Message {
  return parseMessage(Buffer.from(text, 'utf8'));
}

function field(message: Hl7Message, segment: string, n: number) {
  return message.segments.find((s) => s.name === segment)?.fields[n];
}

function latin1Frame(): Buffer {
  // MSH-18 "8859/1" (HL7 table 0211), PID-5 "Müller^Zoë" in ISO-8859-1 bytes (ü = 0xFC, ë = 0xEB).
  return Buffer.concat([
    Buffer.from(`${MSH}||||||8859/1\rPID|1||123||M`, 'latin1'),
    Buffer.from([0xfc]),
    Buffer.from('ller^Zo', 'latin1'),
    Buffer.from([0xeb]),
  ]);
}

describe('hl7v2 package behaviour the adapter relies on or works around', () => {
  it('resolves \\F\\ \\S\\ \\T\\ \\R\\ \\E\\ in a value (v2.5 chapter 2.7.1)', () => {
    const m = HL7Message.parse(`${MSH}\rNTE|1||a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f`);
    assert.equal(m.getSegment('NTE')!.field(3).getValue(1), 'a|b^c&d~e\\f');
  });

  it('decodes ISO-8859-1 bytes as UTF-8 despite MSH-18 8859/1 (worked around: the adapter decodes)', () => {
    const value = HL7Message.parse(latin1Frame()).getSegment('PID')!.field(5).getValue(1);
    assert.equal(value, 'M\ufffdller');
  });

  it('does not split LF-separated segments (worked around: the adapter normalises to CR)', () => {
    const m = HL7Message.parse(`${MSH}\nPID|1||123`);
    assert.equal(m.getSegment('PID'), undefined);
  });

  it('rewrites typed values: a year-precision DTM gains a month and day (worked around: a text-only dictionary)', () => {
    const m = HL7Message.parse(`${MSH}\rPID|1||123||Doe||1980`);
    assert.notEqual(String(m.getSegment('PID')!.field(7).getValue(1)), '1980');
  });

  it('ignores a custom escape character (worked around: the adapter swaps it with \\)', () => {
    const m = HL7Message.parse('MSH|^~!&|A|B|C|D|2024||ADT^A01|1|P|2.5.1\rNTE|1||a!F!b');
    assert.equal(m.getSegment('NTE')!.field(3).getValue(1), 'a!F!b');
  });

  it('crashes with a TypeError on a bare "MSH" (worked around: the adapter checks MSH-1/MSH-2 first)', () => {
    assert.throws(() => HL7Message.parse('MSH'), TypeError);
  });
});

describe('parseMessage: frame bytes -> message model', () => {
  it('resolves every escape sequence of v2.5 chapter 2.7 with the message delimiters', () => {
    const m = parse(`${MSH}\rNTE|1||a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f \\X41\\ end`);
    assert.deepEqual(field(m, 'NTE', 3), [[['a|b^c&d~e\\f A end']]]);
  });

  it('decodes a whole-value \\X..\\ as text of the message character set', () => {
    const m = parse(`${MSH}\rNTE|1||\\X4869\\`);
    assert.deepEqual(field(m, 'NTE', 3), [[['Hi']]]);
  });

  it('drops highlighting \\H\\ \\N\\ and turns \\.br\\ into a line break (chapter 2.7.6), \\E\\H\\E\\ stays literal', () => {
    const m = parse(`${MSH}\rNTE|1||a\\.br\\b \\H\\bold\\N\\ \\E\\H\\E\\`);
    assert.deepEqual(field(m, 'NTE', 3), [[['a\nb bold \\H\\']]]);
  });

  it('honours custom encoding characters (MSH-1, MSH-2) for splitting and escaping', () => {
    const m = parse('MSH#$%!@#LAB#HOSP#F#H#2024##ADT$A01#42#P#2.5.1\rPID#1##1$$$AUTH@1.2.3@ISO%2##a!F!b!S!c!T!d!R!e!E!f\\g');
    assert.deepEqual(m.encoding, { field: '#', component: '$', repetition: '%', escape: '!', subcomponent: '@' });
    assert.deepEqual(field(m, 'PID', 3), [[['1'], [''], [''], ['AUTH', '1.2.3', 'ISO']], [['2']]]);
    assert.deepEqual(field(m, 'PID', 5), [[['a#b$c@d%e!f\\g']]]);
    assert.deepEqual(field(m, 'MSH', 10), [[['42']]]);
  });

  it('keeps repetitions, components and subcomponents in HL7 numbering', () => {
    const m = parse(`${MSH}\rPID|1||123^^^HOSP&1.2.3&ISO^MR~456^^^SSA||Doe^John^Q`);
    assert.deepEqual(field(m, 'PID', 3), [
      [['123'], [''], [''], ['HOSP', '1.2.3', 'ISO'], ['MR']],
      [['456'], [''], [''], ['SSA']],
    ]);
    assert.deepEqual(field(m, 'PID', 5), [[['Doe'], ['John'], ['Q']]]);
    assert.deepEqual(field(m, 'MSH', 9), [[['ADT'], ['A01'], ['ADT_A01']]]);
  });

  it('distinguishes an empty field ([]) from the HL7 null "" (v2.5 chapter 2.5.3)', () => {
    const m = parse(`${MSH}\rPID|1||123||Doe|||""`);
    assert.deepEqual(field(m, 'PID', 6), []);
    assert.deepEqual(field(m, 'PID', 8), [[['""']]]);
  });

  it('keeps timestamps exactly as sent: precision and UTC offset', () => {
    const m = parse(`${MSH}\rPID|1||123||Doe||1980\rOBX|1|NM|x||12.50||||||F|||20240101120000.1234-0500`);
    assert.deepEqual(field(m, 'PID', 7), [[['1980']]]);
    assert.deepEqual(field(m, 'OBX', 14), [[['20240101120000.1234-0500']]]);
    assert.deepEqual(field(m, 'OBX', 5), [[['12.50']]]);
    assert.deepEqual(field(m, 'MSH', 7), [[['20240102120000+0100']]]);
  });

  for (const [name, separator] of [
    ['CR', '\r'],
    ['LF', '\n'],
    ['CRLF', '\r\n'],
  ] as const) {
    it(`splits segments separated by ${name}, ignoring blank lines`, () => {
      const m = parse([MSH, 'PID|1||123', '', 'PV1|1|I', ''].join(separator));
      assert.deepEqual(
        m.segments.map((s) => s.name),
        ['MSH', 'PID', 'PV1'],
      );
      assert.deepEqual(field(m, 'PV1', 2), [[['I']]]);
    });
  }

  it('decodes ISO-8859-1 bytes to Unicode when MSH-18 is 8859/1', () => {
    const m = parseMessage(latin1Frame());
    assert.deepEqual(field(m, 'PID', 5), [[['Müller'], ['Zoë']]]);
  });

  it('decodes UTF-8 when MSH-18 is empty or UNICODE UTF-8', () => {
    const plain = parseMessage(Buffer.from(`${MSH}\rPID|1||123||Müller`, 'utf8'));
    assert.deepEqual(field(plain, 'PID', 5), [[['Müller']]]);
    const declared = parseMessage(Buffer.from(`${MSH}||||||UNICODE UTF-8\rPID|1||123||Ærø`, 'utf8'));
    assert.deepEqual(field(declared, 'PID', 5), [[['Ærø']]]);
  });

  it('rejects an unknown MSH-18 character set with 0357 code 103 at MSH-18', () => {
    assertParseError(() => parse(`${MSH}||||||KLINGON\rPID|1`), '103', { segment: 'MSH', sequence: 1, field: 18 });
  });

  it('rejects a frame that does not start with MSH: code 100 (segment sequence error)', () => {
    assertParseError(() => parse('PID|1||123'), '100', { segment: 'MSH', sequence: 1 });
    assertParseError(() => parse(''), '100', { segment: 'MSH', sequence: 1 });
  });

  it('rejects broken MSH-1/MSH-2 delimiters: code 102 at the field', () => {
    assertParseError(() => parse('MSH'), '102', { segment: 'MSH', sequence: 1, field: 1 });
    assertParseError(() => parse('MSH|^~|A|B'), '102', { segment: 'MSH', sequence: 1, field: 2 });
    assertParseError(() => parse('MSH|^^\\&|A|B'), '102', { segment: 'MSH', sequence: 1, field: 2 });
  });

  it('rejects a header without MSH-9 or MSH-10: code 101 (required field missing)', () => {
    assertParseError(() => parse('MSH|^~\\&|A|B|C|D|2024||ADT^A01'), '101', { segment: 'MSH', sequence: 1, field: 10 });
    assertParseError(() => parse('MSH|^~\\&|A|B|C|D|2024|||1|P|2.5.1'), '101', { segment: 'MSH', sequence: 1, field: 9 });
  });

  it('rejects a segment whose ID is not three letters or digits: code 100 with its sequence', () => {
    assertParseError(() => parse(`${MSH}\rPID|1\rgarbage here`), '100', { segment: 'gar', sequence: 3 });
  });
});

function assertParseError(run: () => unknown, code: string, location: object): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof Hl7ParseError, String(e));
    assert.equal(e.code, code);
    assert.deepEqual(e.location, location);
    return true;
  });
}
