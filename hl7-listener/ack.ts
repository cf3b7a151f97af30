/**
 * Acknowledgements (HL7 v2.5 chapter 2.9 and 2.14.9, MSA; ERR chapter 2.15.5). Original mode answers AA/AE/AR;
 * when the sender fills MSH-15 or MSH-16 it asked for enhanced mode and gets the accept acknowledgement CA/CE/CR
 * (chapter 2.9.3), which we send only after the message is durably stored, so it also means "committed".
 * MSH-15 NE/ER/SU says when an accept acknowledgement is wanted at all.
 */
import { randomUUID } from 'node:crypto';
import { escapeValue } from './escape-value.ts';
import type { Hl7Message } from './message.ts';
import type { ErrorLocation } from './parse-message.ts';

export type AckOutcome = 'accept' | 'error' | 'reject';

/** An ERR segment: HL7 table 0357 code, a text for people, where the fault is. */
export interface AckError {
  code: string;
  text: string;
  location?: ErrorLocation;
}

/** What of the incoming MSH an acknowledgement echoes; `headerOf` reads it from a parsed message. */
export interface AckHeader {
  encoding: Hl7Message['encoding'];
  sendingApplication: string;
  sendingFacility: string;
  receivingApplication: string;
  receivingFacility: string;
  trigger: string;
  controlId: string;
  processingId: string;
  version: string;
  acceptAckType: string;
  applicationAckType: string;
}

const DEFAULT_ENCODING: Hl7Message['encoding'] = { field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' };
const TABLE_0357_TEXT: Record<string, string> = {
  '100': 'Segment sequence error',
  '101': 'Required field missing',
  '102': 'Data type error',
  '103': 'Table value not found',
  '200': 'Unsupported message type',
  '201': 'Unsupported event code',
  '204': 'Unknown key identifier',
  '207': 'Application internal error',
};

/** Reads the fields an ACK needs from a parsed message (raw component strings: they are re-escaped on output). */
export function headerOf(message: Hl7Message): AckHeader {
  const msh = message.segments[0]!;
  const v = (n: number, c = 1) => msh.fields[n]?.[0]?.[c - 1]?.[0] ?? '';
  const hd = (n: number) => (msh.fields[n]?.[0] ?? []).map((c) => c[0] ?? '');
  return {
    encoding: message.encoding,
    sendingApplication: joinComponents(hd(3), message.encoding),
    sendingFacility: joinComponents(hd(4), message.encoding),
    receivingApplication: joinComponents(hd(5), message.encoding),
    receivingFacility: joinComponents(hd(6), message.encoding),
    trigger: v(9, 2),
    controlId: v(10),
    processingId: v(11),
    version: v(12, 1),
    acceptAckType: v(15),
    applicationAckType: v(16),
  };
}

/**
 * The best we can echo when the frame could not be parsed: MSH fields split on the default or given field
 * separator, so a sender can still match MSA-2 to what it sent.
 */
export function headerFromRaw(bytes: Buffer): AckHeader {
  const line = bytes.toString('latin1').split(/\r|\n/)[0] ?? '';
  const f = line.startsWith('MSH') && line[3] && !/[A-Za-z0-9\s]/.test(line[3]) ? line[3] : '|';
  const fields = line.split(f);
  const get = (n: number) => (line.startsWith('MSH') ? (fields[n - 1] ?? '') : '');
  return {
    encoding: DEFAULT_ENCODING,
    sendingApplication: get(3),
    sendingFacility: get(4),
    receivingApplication: get(5),
    receivingFacility: get(6),
    trigger: '',
    controlId: get(10),
    processingId: get(11),
    version: '',
    acceptAckType: '',
    applicationAckType: '',
  };
}

export function isEnhancedMode(header: AckHeader): boolean {
  return header.acceptAckType !== '' || header.applicationAckType !== '';
}

/** MSH-15 (HL7 table 0155): AL always, NE never, ER only on error/reject, SU only on success. Empty = original mode: always. */
export function ackWanted(header: AckHeader, outcome: AckOutcome): boolean {
  switch (header.acceptAckType) {
    case 'NE':
      return false;
    case 'ER':
      return outcome !== 'accept';
    case 'SU':
      return outcome === 'accept';
    default:
      return true;
  }
}

export function ackCode(header: AckHeader, outcome: AckOutcome): string {
  const prefix = isEnhancedMode(header) ? 'C' : 'A';
  return prefix + { accept: 'A', error: 'E', reject: 'R' }[outcome];
}

/** The ACK text, segments separated by CR (chapter 2.5.1), ready for MLLP framing. */
export function buildAck(
  header: AckHeader,
  outcome: AckOutcome,
  error?: AckError,
  now = new Date(),
  controlId: string = randomUUID(),
): string {
  const enc = header.encoding;
  const f = enc.field;
  const esc = (s: string) => escapeValue(s, enc);
  const version = header.version || '2.5.1';
  const msh = [
    'MSH',
    enc.component + enc.repetition + enc.escape + enc.subcomponent,
    header.receivingApplication || 'FHIRLINE',
    header.receivingFacility,
    header.sendingApplication,
    header.sendingFacility,
    timestamp(now),
    '',
    ['ACK', esc(header.trigger), 'ACK'].join(enc.component),
    esc(controlId),
    header.processingId || 'P',
    esc(version),
  ];
  const segments = [msh.join(f), ['MSA', ackCode(header, outcome), esc(header.controlId)].join(f)];
  if (error) segments.push(errSegment(error, version, enc));
  return segments.join('\r');
}

/**
 * ERR (chapter 2.15.5): from v2.5 on, ERR-2 location (ERL), ERR-3 code (CWE, table 0357), ERR-4 severity, ERR-8
 * user message; before 2.5, ERR-1 (ELD: segment^sequence^field^code&text&HL70357) carries all of it.
 */
function errSegment(error: AckError, version: string, enc: Hl7Message['encoding']): string {
  const esc = (s: string) => escapeValue(s, enc);
  const loc = error.location;
  const codeText = TABLE_0357_TEXT[error.code] ?? 'Error';
  if (versionBefore25(version)) {
    const eld = [loc?.segment ?? '', loc?.sequence ?? '', loc?.field ?? '', [error.code, esc(codeText), 'HL70357'].join(enc.subcomponent)];
    return ['ERR', eld.join(enc.component)].join(enc.field);
  }
  const erl = loc
    ? [esc(loc.segment), loc.sequence, loc.field ?? '', loc.field !== undefined ? 1 : '', loc.component ?? '']
        .join(enc.component)
        .replace(new RegExp(`\\${enc.component}+$`), '')
    : '';
  const hl7Code = [error.code, esc(codeText), 'HL70357'].join(enc.component);
  return ['ERR', '', erl, hl7Code, 'E', '', '', '', esc(error.text)].join(enc.field);
}

function versionBefore25(version: string): boolean {
  const [major, minor] = version.split('.').map(Number);
  return major === 2 && (minor ?? 0) < 5;
}

function joinComponents(components: string[], enc: Hl7Message['encoding']): string {
  return components
    .map((c) => escapeValue(c, enc))
    .join(enc.component)
    .replace(new RegExp(`\\${enc.component}+$`), '');
}

/** DTM in UTC with its offset (chapter 2.A.22). */
function timestamp(now: Date): string {
  return now.toISOString().replace(/[-:T]/g, '').slice(0, 14) + '+0000';
}
