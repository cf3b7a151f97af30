import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { Hl7ParseError, packageSegments } from './parse-message.ts';
import { splitSegments } from './split-segments.ts';

const FIXTURES = new URL('../fixtures/hl7/', import.meta.url);
const MSH = 'MSH|^~\\&|LAB|HOSP|FHIRLINE|HOSP|20240102120000+0100||ORU^R01^ORU_R01|MSG0001|P|2.5.1';

/** What the package path answers: the segments, or the parse error (code, text, location). */
function viaPackage(prepared: string, charset = 'utf8', swap?: string): unknown {
  try {
    return packageSegments(prepared, charset, swap);
  } catch (e) {
    return e instanceof Hl7ParseError ? { code: e.code, text: e.message, location: e.location } : { thrown: String(e) };
  }
}

/** splitSegments with the segment ID check parseMessage applies to it; undefined when it declines. */
function viaSplit(prepared: string, charset = 'utf8', swap?: string): unknown {
  const segments = splitSegments(prepared, charset, swap);
  if (!segments) return undefined;
  const bad = segments.findIndex((s) => !/^[A-Z][A-Z0-9]{2}$/.test(s.name));
  if (bad < 0) return segments;
  return {
    code: '100',
    text: `segment ${bad + 1} has no valid segment ID`,
    location: { segment: segments[bad]!.name.slice(0, 3), sequence: bad + 1 },
  };
}

/** Small deterministic generator (mulberry32), so a failure names a reproducible case. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  'A',
  'b1',
  ' ',
  '|',
  '^',
  '~',
  '&',
  '\\',
  '""',
  '\\F\\',
  '\\S\\',
  '\\T\\',
  '\\R\\',
  '\\E\\',
  '\\X41\\',
  '\\X\\',
  '\\xZZ\\',
  '\\C41\\',
  '\\M0041\\',
  '\\MAB\\',
  '\\Zfoo\\',
  '\\H\\',
  '\n',
  '\r',
  '\r\n',
  '\x1c',
  '\x0b',
  'é',
  '😀',
  'toString',
  'PID',
  'OBX',
  'MSH|^~\\&|',
  'nte',
];

function generated(next: () => number): string {
  let text = MSH;
  const n = Math.floor(next() * 40);
  for (let i = 0; i < n; i++) text += PIECES[Math.floor(next() * PIECES.length)];
  return text;
}

describe('splitSegments: the same segments as the hl7v2 package path, or declines', () => {
  it('on every fixture message', () => {
    for (const name of readdirSync(FIXTURES).filter((f) => f.endsWith('.hl7'))) {
      const prepared = readFileSync(new URL(name, FIXTURES), 'latin1')
        .split(/\r\n|\r|\n/)
        .filter((l) => l.trim() !== '')
        .join('\r');
      const split = viaSplit(prepared);
      assert.notEqual(split, undefined, name);
      assert.deepEqual(split, viaPackage(prepared), name);
    }
  });

  it('on escapes, nulls, hex values, empty and trailing fields, repeated MSH, line breaks and odd segment IDs', () => {
    const cases = [
      `${MSH}\rNTE|1||a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f \\X41\\ end`,
      `${MSH}\rNTE|1||\\X4869\\|\\x\\|""|""^""&""~""`,
      `${MSH}\rPID|1||123^^^A&1.2&ISO~456||Doe^John^^^^^L||||||||||||\rPV1`,
      `${MSH}\rOBX|1|ST|||a~b~~|||||`,
      `${MSH}\r${MSH}\rNTE|||x`,
      `${MSH}\r\nPID|1\n|2\rpid|1\rP1D|1\rPI|1`,
      `${MSH}\rNTE|1||before\x1cafter\rPID|1`,
      `${MSH}\rtoString\rNTE|1`,
    ];
    for (const prepared of cases) assert.deepEqual(viaSplit(prepared), viaPackage(prepared), JSON.stringify(prepared));
  });

  it('declines what only the package can answer: bad \\M sequences, inherited segment IDs, an unreadable header or repeated delimiters', () => {
    for (const prepared of ['MSH|^~^&|A', `${MSH}\rNTE|1||\\MAB\\`, `${MSH}\rtoString|1`, `${MSH}\r__proto__|1`, 'MSH', 'MSH|^~']) {
      assert.equal(splitSegments(prepared, 'utf8', undefined), undefined, prepared);
    }
  });

  it('with a custom escape character swapped back, and ISO-8859-1 hex values', () => {
    const prepared = 'MSH#$%\\@#LAB#HOSP#F#H#2024##ADT$A01#42#P#2.5.1\rPID#1##1$$$AUTH@1.2.3@ISO%2##a\\F\\b!c\\XE9\\';
    assert.deepEqual(viaSplit(prepared, 'latin1', '!'), viaPackage(prepared, 'latin1', '!'));
  });

  it('on 5,000 generated messages, taking the fast path for most of them', () => {
    const next = random(20240601);
    let declined = 0;
    for (let i = 0; i < 5000; i++) {
      const prepared = generated(next);
      const split = viaSplit(prepared);
      if (split === undefined) declined++;
      else assert.deepEqual(split, viaPackage(prepared), `case ${i}: ${JSON.stringify(prepared)}`);
    }
    assert.ok(declined < 2500, `declined ${declined}`);
  });
});
