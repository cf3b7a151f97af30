/**
 * The message model from prepared text (parse-message.ts: decoded, escape character swapped to `\`, formatting
 * dropped), without building the `hl7v2` package's object tree. It reproduces, value for value, what
 * parse-message.ts reads from `HL7Message.parse` with its text-only dictionary: the same line and delimiter
 * splitting (hl7-message.js parse/parseRaw, hl7-segment.js, hl7-field.js, hl7-repetition.js,
 * hl7-component.js, hl7-sub-component.js of hl7v2 1.8.0) and the package's own `hl7UnEscape` per value.
 * Where the package would throw (a bad `\M..\` sequence, a segment ID that names an Object.prototype member,
 * a header it cannot read) this answers undefined and the caller parses with the package, so errors stay
 * exactly as they were. Compared with the package on fixtures and generated messages by split-segments.test.ts.
 */
import { hl7UnEscape, type HL7Message } from 'hl7v2';
import iconv from 'iconv-lite';
import { HL7_NULL, type Component, type Field, type Repetition, type Segment } from './message.ts';

const CR = '\r';
const VT = '\x0b';
const FS = '\x1c';

interface Delimiters {
  fieldSeparator: string;
  componentSeparator: string;
  repetitionSeparator: string;
  escapeCharacter: string;
  subComponentSeparator: string;
}

/** The delimiters as the package reads them (parseRaw): from the first line of the text it is given. */
function delimitersOf(text: string): Delimiters | undefined {
  const cr = text.indexOf(CR);
  let header = text.substring(0, cr < 0 ? text.length : cr);
  if (header.startsWith(VT)) header = header.substring(1);
  if (!header.startsWith('MSH')) return undefined;
  const fieldSeparator = header[3];
  const encoding = fieldSeparator === undefined ? undefined : header.split(fieldSeparator)[1];
  // Distinct delimiters (parse-message.ts checks them in the frame) let toField split in one pass.
  if (
    fieldSeparator === undefined ||
    encoding === undefined ||
    encoding.length < 4 ||
    new Set([fieldSeparator, ...encoding.slice(0, 4)]).size !== 5
  )
    return undefined;
  return {
    fieldSeparator,
    componentSeparator: encoding[0]!,
    repetitionSeparator: encoding[1]!,
    escapeCharacter: encoding[2]!,
    subComponentSeparator: encoding[3]!,
  };
}

/** Segments with their fields (index 0 unused), or undefined when the package path must decide. */
export function splitSegments(prepared: string, charset: string, swap: string | undefined): Segment[] | undefined {
  const delimiters = delimitersOf(prepared);
  if (!delimiters) return undefined;
  let data = prepared.startsWith(VT) ? prepared.substring(1) : prepared;
  const fs = data.indexOf(FS);
  if (fs >= 0) data = data.substring(0, fs);
  const segments: Segment[] = [];
  try {
    for (const line of data.replaceAll(`${CR}\n`, CR).split(CR)) {
      if (!line) continue;
      const parts = line.split(delimiters.fieldSeparator);
      const name = parts[0]!;
      if (name === 'MSH') parts[0] = delimiters.fieldSeparator;
      else parts.shift();
      // The package looks the segment up in an empty object: an inherited member (toString, ...) makes it throw.
      if (parts.length > 0 && ({} as Record<string, unknown>)[name] !== undefined) return undefined;
      const fields: Field[] = [[]];
      for (let i = 0; i < parts.length; i++) fields[i + 1] = toField(parts[i]!, delimiters, charset, swap);
      segments.push({ name, fields });
    }
  } catch {
    return undefined;
  }
  return segments;
}

/**
 * One field: what splitting on the repetition, component and subcomponent separators in turn gives (an empty
 * component is one empty subcomponent either way), in one pass over the text.
 */
function toField(text: string, d: Delimiters, charset: string, swap: string | undefined): Field {
  const component = d.componentSeparator.charCodeAt(0);
  const subcomponent = d.subComponentSeparator.charCodeAt(0);
  const repetitions: Repetition[] = [];
  let components: Component[] = [];
  let subs: string[] = [];
  let start = 0;
  // The regular expression engine skips the text between delimiters natively: an embedded document of
  // megabytes (OBX-5 ED) is crossed in a few milliseconds instead of a JS loop over every character.
  const next = delimiterPattern(d);
  next.lastIndex = 0;
  for (;;) {
    const found = next.exec(text);
    const i = found ? found.index : text.length;
    const c = found ? text.charCodeAt(i) : -1;
    subs.push(toText(text.slice(start, i), d, charset, swap));
    start = i + 1;
    if (c === subcomponent) continue;
    components.push(subs);
    subs = [];
    if (c === component) continue;
    repetitions.push(components);
    components = [];
    if (c === -1) break;
  }
  const empty = repetitions.length === 1 && repetitions[0]!.every((c) => c.every((s) => s === ''));
  return empty ? [] : repetitions;
}

const patterns = new Map<string, RegExp>();

/** A global regular expression matching any of the repetition, component and subcomponent separators. */
function delimiterPattern(d: Delimiters): RegExp {
  const key = d.repetitionSeparator + d.componentSeparator + d.subComponentSeparator;
  let pattern = patterns.get(key);
  if (!pattern) {
    pattern = new RegExp(`[${key.replace(/[\\\]^-]/g, '\\$&')}]`, 'g');
    patterns.set(key, pattern);
  }
  return pattern;
}

/** One subcomponent as parse-message.ts toText makes it from the package's value. */
function toText(sub: string, d: Delimiters, charset: string, swap: string | undefined): string {
  if (sub === '') return '';
  // The package's unescaping only acts on `\` sequences and `""`: any other value comes back unchanged.
  // It reads nothing from the message but the five delimiters.
  const value = sub.includes('\\') || sub === HL7_NULL ? hl7UnEscape(sub, d as unknown as HL7Message) : sub;
  if (value === null) return HL7_NULL;
  if (Buffer.isBuffer(value)) return iconv.decode(value, charset);
  return swap ? swapChars(value, swap) : value;
}

/** Exchanges `\` and `other` (parse-message.ts swaps them back in every value). */
export function swapChars(text: string, other: string): string {
  let out = '';
  for (const c of text) out += c === '\\' ? other : c === other ? '\\' : c;
  return out;
}
