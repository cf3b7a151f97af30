import assert from 'node:assert/strict';
import { ackWanted, buildAck, headerFromRaw, headerOf } from './ack.ts';
import { parseMessage } from './parse-message.ts';
import type { Hl7Message } from './message.ts';

const NOW = new Date('2024-03-04T05:06:07Z');
const ORIGINAL = 'MSH|^~\\&|LAB|HOSP^1.2.3^ISO|FHIRLINE|MAIN|20240101||ORU^R01^ORU_R01|CTRL-7|P|2.5.1';

function ackOf(incoming: string, outcome: 'accept' | 'error' | 'reject', error?: Parameters<typeof buildAck>[2]): Hl7Message {
  const text = buildAck(headerOf(parseMessage(Buffer.from(incoming))), outcome, error, NOW, 'ACK-1');
  return parseMessage(Buffer.from(text));
}

const at = (m: Hl7Message, segment: string, n: number) => m.segments.find((s) => s.name === segment)?.fields[n];

describe('buildAck (HL7 v2.5 chapter 2.9, MSA, ERR)', () => {
  it('original mode AA: sender and receiver swapped, MSH-9 ACK^<trigger>^ACK, new MSH-10, same version, MSA-2 = incoming MSH-10', () => {
    const ack = ackOf(ORIGINAL, 'accept');
    assert.deepEqual(at(ack, 'MSH', 3), [[['FHIRLINE']]]);
    assert.deepEqual(at(ack, 'MSH', 4), [[['MAIN']]]);
    assert.deepEqual(at(ack, 'MSH', 5), [[['LAB']]]);
    assert.deepEqual(at(ack, 'MSH', 6), [[['HOSP'], ['1.2.3'], ['ISO']]]);
    assert.deepEqual(at(ack, 'MSH', 7), [[['20240304050607+0000']]]);
    assert.deepEqual(at(ack, 'MSH', 9), [[['ACK'], ['R01'], ['ACK']]]);
    assert.deepEqual(at(ack, 'MSH', 10), [[['ACK-1']]]);
    assert.deepEqual(at(ack, 'MSH', 12), [[['2.5.1']]]);
    assert.deepEqual(at(ack, 'MSA', 1), [[['AA']]]);
    assert.deepEqual(at(ack, 'MSA', 2), [[['CTRL-7']]]);
    assert.equal(
      ack.segments.some((s) => s.name === 'ERR'),
      false,
    );
  });

  it('original mode AE and AR carry an ERR with the table 0357 code, ERR-2 location and escaped text', () => {
    const ack = ackOf(ORIGINAL, 'error', {
      code: '103',
      text: 'OBX-8 H|X not in table',
      location: { segment: 'OBX', sequence: 2, field: 8 },
    });
    assert.deepEqual(at(ack, 'MSA', 1), [[['AE']]]);
    assert.deepEqual(at(ack, 'ERR', 2), [[['OBX'], ['2'], ['8'], ['1']]]);
    assert.deepEqual(at(ack, 'ERR', 3), [[['103'], ['Table value not found'], ['HL70357']]]);
    assert.deepEqual(at(ack, 'ERR', 4), [[['E']]]);
    assert.deepEqual(at(ack, 'ERR', 8), [[['OBX-8 H|X not in table']]]);
    const reject = ackOf(ORIGINAL, 'reject', { code: '200', text: 'ORU^R01 not supported' });
    assert.deepEqual(at(reject, 'MSA', 1), [[['AR']]]);
    assert.deepEqual(at(reject, 'ERR', 3), [[['200'], ['Unsupported message type'], ['HL70357']]]);
    assert.deepEqual(at(reject, 'ERR', 8), [[['ORU^R01 not supported']]]);
  });

  it('enhanced mode (MSH-15/MSH-16 filled, chapter 2.9.3) answers CA / CE / CR', () => {
    const enhanced = `${ORIGINAL}|||AL|NE`;
    assert.deepEqual(at(ackOf(enhanced, 'accept'), 'MSA', 1), [[['CA']]]);
    assert.deepEqual(at(ackOf(enhanced, 'error', { code: '207', text: 'x' }), 'MSA', 1), [[['CE']]]);
    assert.deepEqual(at(ackOf(`${ORIGINAL}||||AL`, 'reject', { code: '200', text: 'x' }), 'MSA', 1), [[['CR']]]);
  });

  it('MSH-15 (table 0155) NE/ER/SU decide whether an accept acknowledgement is sent', () => {
    const header = (msh15: string) => headerOf(parseMessage(Buffer.from(`${ORIGINAL}|||${msh15}`)));
    assert.equal(ackWanted(header('AL'), 'accept'), true);
    assert.equal(ackWanted(header('NE'), 'accept'), false);
    assert.equal(ackWanted(header('ER'), 'accept'), false);
    assert.equal(ackWanted(header('ER'), 'error'), true);
    assert.equal(ackWanted(header('SU'), 'reject'), false);
    assert.equal(ackWanted(headerOf(parseMessage(Buffer.from(ORIGINAL))), 'accept'), true);
  });

  it('echoes custom encoding characters and escapes with them', () => {
    const text = buildAck(
      headerOf(parseMessage(Buffer.from('MSH#$%!@#LAB#H#F#M#2024##ADT$A08#C1#P#2.4'))),
      'error',
      { code: '101', text: 'PID-3#missing' },
      NOW,
      'A1',
    );
    assert.ok(text.startsWith('MSH#$%!@#F#M#LAB#H#'), text);
    assert.match(text, /\rMSA#AE#C1/);
    // v2.4 (before 2.5): everything in ERR-1 (ELD).
    const ack = parseMessage(Buffer.from(text));
    assert.deepEqual(at(ack, 'ERR', 1), [[[''], [''], [''], ['101', 'Required field missing', 'HL70357']]]);
  });

  it('answers a frame with a broken MSH with what it can echo (MSA-2 from the raw MSH-10)', () => {
    const header = headerFromRaw(Buffer.from('MSH|^~|LAB|HOSP|X|Y|2024||ADT^A01|RAW-9|P|2.5.1'));
    const ack = parseMessage(
      Buffer.from(
        buildAck(header, 'reject', { code: '102', text: 'MSH-2 invalid', location: { segment: 'MSH', sequence: 1, field: 2 } }, NOW, 'A2'),
      ),
    );
    assert.deepEqual(at(ack, 'MSA', 1), [[['AR']]]);
    assert.deepEqual(at(ack, 'MSA', 2), [[['RAW-9']]]);
    assert.deepEqual(at(ack, 'MSH', 5), [[['LAB']]]);
    assert.deepEqual(at(ack, 'ERR', 2), [[['MSH'], ['1'], ['2'], ['1']]]);
  });
});
