/**
 * Parser adapter: MLLP frame bytes -> the message model (message.ts), on the `hl7v2` package.
 *
 * The package splits segments, fields, repetitions, components and subcomponents and resolves the escape
 * sequences (HL7 v2.5 chapter 2.7); split-segments.ts gives the same result without the package's object
 * tree, for a fraction of the CPU, and leaves to the package what it does not reproduce. Where the package is
 * wrong (pinned by parse-message.test.ts) this adapter works around it:
 * - MSH-18: it looks the charset up under the HL7 name in iconv ("8859/1" is unknown there) and so decodes
 *   ISO-8859-1 as UTF-8; we decode the bytes ourselves with its own HL7 -> iconv table.
 * - It splits segments on CR only; LF and CRLF separated files are normalised to CR first.
 * - Its typed decoding rewrites values (a DTM `2024` becomes `20240101`, SI fields become numbers); we pass a
 *   dictionary where every field is plain text, so mappings see the sender's exact string and precision.
 * - Its unescaping knows only `\` as the escape character; for a custom one (MSH-2) we swap the two characters
 *   before parsing and swap them back in every value.
 * - `\H\` / `\N\` (highlighting) became the letters H and N, `\.br\` stayed: formatting has no place in a FHIR
 *   string, so highlighting is dropped and `.br`/`.sp` become line breaks (HL7 v2.5 chapter 2.7.6).
 * - `""` becomes JavaScript null and `\X..\` filling a whole value a Buffer: mapped back to the model's `'""'`
 *   and to text in the message's character set.
 */
import { HL7Message, dictionaries, HL7Dictionary } from 'hl7v2';
import type { HL7Field } from 'hl7v2';
import iconv from 'iconv-lite';
import { HL7_NULL, type Field, type Hl7Message, type Segment } from './message.ts';
import { splitSegments, swapChars } from './split-segments.ts';

/** Where a fault sits (ERR-2, HL7 v2.5 chapter 2.15.5.2): segment id, its sequence, field position. */
export interface ErrorLocation {
  segment: string;
  sequence: number;
  field?: number;
  component?: number;
}

/** A frame we cannot read at all: answered AR with this HL7 table 0357 code and location. */
export class Hl7ParseError extends Error {
  constructor(
    readonly code: '100' | '101' | '102' | '103' | '207',
    message: string,
    readonly location?: ErrorLocation,
  ) {
    super(message);
    this.name = 'Hl7ParseError';
  }
}

/**
 * Every field, component and subcomponent typed `ST` and `ST` made composite: the package then splits down to
 * subcomponents and never converts a value (see the file comment).
 */
const TEXT_DICTIONARY = new HL7Dictionary({ segments: {}, types: { ST: { desc: 'text', fields: {} } } as never, messages: {} });
const TEXT_DICTIONARIES = Object.fromEntries(Object.keys(dictionaries).map((version) => [version, TEXT_DICTIONARY]));

const DEFAULT_CHARSET = 'utf8';

export function parseMessage(bytes: Buffer): Hl7Message {
  return parseFrame(bytes).message;
}

/** The message and the frame's text (what frameText answers for it), decoded once. */
export function parseFrame(frame: Buffer): { message: Hl7Message; text: string } {
  const bytes = withoutBom(frame);
  const header = readHeaderLine(bytes);
  const { fieldSeparator: f, encodingCharacters } = checkDelimiters(header);
  const [component, repetition, escape, subcomponent] = [...encodingCharacters];
  const charset = charsetOf(header.split(f)[17] ?? '', repetition!, component!);
  const text = decodeText(bytes, charset);

  const swap = escape === '\\' ? undefined : escape!;
  const prepared = dropFormatting(swap ? swapChars(text, swap) : text, [f, component!, repetition!, subcomponent!]);
  const split = splitSegments(prepared, charset, swap);
  if (split) split.forEach((segment, index) => checkSegmentId(segment.name, index));
  const segments = split ?? packageSegments(prepared, charset, swap);
  const msh = segments[0]!;
  msh.fields[1] = [[[f]]];
  msh.fields[2] = [[[encodingCharacters]]];
  const message: Hl7Message = {
    segments,
    encoding: { field: f, component: component!, repetition: repetition!, escape: escape!, subcomponent: subcomponent! },
  };
  requireHeaderField(msh, 9, 'MSH-9 message type');
  requireHeaderField(msh, 10, 'MSH-10 message control id');
  return { message, text };
}

/** Segments through the `hl7v2` package: the reference splitSegments reproduces, and the path for what it declines. */
export function packageSegments(prepared: string, charset: string, swap: string | undefined): Segment[] {
  let parsed: HL7Message;
  try {
    parsed = HL7Message.parse(prepared, { dictionaries: TEXT_DICTIONARIES });
  } catch (e) {
    throw new Hl7ParseError('207', `unreadable message: ${(e as Error).message}`);
  }
  return parsed.segments.map((segment, index) => {
    checkSegmentId(segment.segmentType, index);
    const fields: Field[] = [[]];
    segment.fields.forEach((field, i) => {
      fields[i + 1] = field ? toField(field, charset, swap) : [];
    });
    return { name: segment.segmentType, fields };
  });
}

function checkSegmentId(name: string, index: number): void {
  if (!/^[A-Z][A-Z0-9]{2}$/.test(name)) {
    throw new Hl7ParseError('100', `segment ${index + 1} has no valid segment ID`, { segment: name.slice(0, 3), sequence: index + 1 });
  }
}

/** The frame as text for people (the archive): decoded per MSH-18 when readable, else byte for byte. */
export function frameText(frame: Buffer): string {
  const bytes = withoutBom(frame);
  try {
    const header = readHeaderLine(bytes);
    const { fieldSeparator: f, encodingCharacters } = checkDelimiters(header);
    return decodeText(bytes, charsetOf(header.split(f)[17] ?? '', encodingCharacters[1]!, encodingCharacters[0]!));
  } catch {
    return bytes.toString('latin1');
  }
}

/** A UTF-8 byte order mark before MSH (files saved by editors, sent as they are) is not part of the message. */
function withoutBom(bytes: Buffer): Buffer {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
}

/** Segments separated by CR whatever the sender used (CR, LF, CRLF), blank lines dropped. */
function decodeText(bytes: Buffer, charset: string): string {
  return iconv
    .decode(bytes, charset)
    .split(/\r\n|\r|\n/)
    .filter((line) => line.trim() !== '')
    .join('\r');
}

/** The MSH line, read byte for byte (its delimiters and MSH-18 are ASCII in every supported character set). */
function readHeaderLine(bytes: Buffer): string {
  let end = bytes.length;
  for (const terminator of [0x0d, 0x0a]) {
    const i = bytes.indexOf(terminator);
    if (i >= 0 && i < end) end = i;
  }
  const line = bytes.toString('latin1', 0, end);
  if (!line.startsWith('MSH'))
    throw new Hl7ParseError('100', 'the message does not start with an MSH segment', { segment: 'MSH', sequence: 1 });
  return line;
}

/** MSH-1 and MSH-2 (HL7 v2.5 chapter 2.5.4): five distinct, non-alphanumeric delimiters. */
function checkDelimiters(header: string): { fieldSeparator: string; encodingCharacters: string } {
  const fieldSeparator = header[3] ?? '';
  if (!fieldSeparator || /[A-Za-z0-9\s]/.test(fieldSeparator)) {
    throw new Hl7ParseError('102', 'MSH-1 field separator is missing or invalid', { segment: 'MSH', sequence: 1, field: 1 });
  }
  const encodingCharacters = header.slice(4).split(fieldSeparator)[0] ?? '';
  const chars = [fieldSeparator, ...encodingCharacters.slice(0, 4)];
  // HL7 v2.7 adds a fifth (truncation) character; the first four are the ones that structure the message.
  const valid =
    encodingCharacters.length >= 4 &&
    encodingCharacters.length <= 5 &&
    new Set(chars).size === 5 &&
    !chars.some((c) => /[A-Za-z0-9\s]/.test(c));
  if (!valid) throw new Hl7ParseError('102', 'MSH-2 encoding characters are invalid', { segment: 'MSH', sequence: 1, field: 2 });
  return { fieldSeparator, encodingCharacters: encodingCharacters.slice(0, 4) };
}

/** MSH-18 (HL7 table 0211), first repetition; empty means the default, which we take as UTF-8 (ASCII is a subset). */
function charsetOf(msh18: string, repetition: string, component: string): string {
  const name = (msh18.split(repetition)[0] ?? '').split(component)[0]!.trim();
  if (name === '') return DEFAULT_CHARSET;
  const mapped = (HL7Message.encodingMapping as Record<string, string>)[name.toUpperCase()] ?? name;
  if (!iconv.encodingExists(mapped)) {
    throw new Hl7ParseError('103', `MSH-18 character set ${name} is not supported`, { segment: 'MSH', sequence: 1, field: 18 });
  }
  return mapped;
}

/** Drops `\H\` `\N\` and formatting commands, `\.br\` and `\.sp\` becoming line breaks (chapter 2.7.6). */
function dropFormatting(text: string, separators: string[]): string {
  const notSeparator = separators.map((c) => `\\${c}`).join('');
  const sequence = new RegExp(`\\\\([^\\\\\\r${notSeparator}]*)\\\\`, 'g');
  return text.replace(sequence, (match, body: string) => {
    if (body === 'H' || body === 'N') return '';
    if (/^\.(br|sp\d*)$/.test(body)) return '\n';
    if (/^\.(fi|nf|in[+-]?\d*|ti[+-]?\d*|sk\d*|ce)$/.test(body)) return '';
    return match;
  });
}

function toField(field: HL7Field, charset: string, swap: string | undefined): Field {
  const repetitions = field.repetitions.map((rep) =>
    (rep.components ?? []).map((component) => {
      const subs = component.subComponents ?? [];
      return subs.length === 0 ? [''] : subs.map((sub) => toText(sub?.value, charset, swap));
    }),
  );
  const empty = repetitions.length === 1 && repetitions[0]!.every((c) => c.every((s) => s === ''));
  return empty ? [] : repetitions;
}

function toText(value: unknown, charset: string, swap: string | undefined): string {
  if (value === null) return HL7_NULL;
  if (value === undefined) return '';
  // Bytes of a whole-value \X..\ are data as sent, never swapped.
  if (Buffer.isBuffer(value)) return iconv.decode(value, charset);
  const text = String(value);
  return swap ? swapChars(text, swap) : text;
}

function requireHeaderField(msh: Segment, n: number, what: string): void {
  const value = msh.fields[n]?.[0]?.[0]?.[0] ?? '';
  if (value === '' || value === HL7_NULL) throw new Hl7ParseError('101', `${what} is required`, { segment: 'MSH', sequence: 1, field: n });
}
