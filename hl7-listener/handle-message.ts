/**
 * One received frame, from bytes to ACK: parse -> dedupe -> map -> one transaction that also writes the archive
 * record -> ACK. AA/CA is built before the write but only returned once the unit is durable (Store.write
 * resolves then), so an acknowledged message is always stored, and a message whose unit failed (crash, conflict)
 * has no record and is applied when the sender retries. A re-sent message (same MSH-3, MSH-4, MSH-10) is
 * answered with the ACK stored for it and never applied again.
 */
import type { Engine, EntryResult, JsonValue } from '../server/engine/index.ts';
import { ackFailure } from './ack-code.ts';
import { ackWanted, buildAck, headerFromRaw, headerOf, type AckError, type AckHeader, type AckOutcome } from './ack.ts';
import { archiveOf, archiveOperation, archiveUrl, messageKey, unparsedKey, type Hl7MessageDocument } from './archive.ts';
import type { MappingContext } from './mapping/context.ts';
import type { TransactionEntry } from './mapping/entries.ts';
import { MappingError } from './mapping/errors.ts';
import { mapMessage } from './mapping/index.ts';
import { profileFor, readSenderProfiles, type SenderProfiles } from './mapping/senders.ts';
import { keepEncountersNewer } from './encounter-order.ts';
import { mergeIntoStoredPatients } from './merge-patients.ts';
import { authoritiesOf, authorityOperations, placeholderSystemsIn, warnUnmapped } from './unmapped-authorities.ts';
import type { Hl7Message } from './message.ts';
import { frameText, Hl7ParseError, parseFrame } from './parse-message.ts';
import { HL7_LISTENER } from './principal.ts';

type BaseRecord = Pick<
  Hl7MessageDocument,
  | '_id'
  | 'raw'
  | 'text'
  | 'peer'
  | 'sendingApplication'
  | 'sendingFacility'
  | 'controlId'
  | 'messageType'
  | 'receivedAt'
  | 'replays'
  | 'replayedAt'
>;

export interface Received {
  bytes: Buffer;
  /** The peer's address (socket.remoteAddress). */
  peer: string;
}

export interface Handled {
  /** The ACK to send; undefined when MSH-15 asked for none in this case. */
  ack?: string;
  record: Hl7MessageDocument;
  /** The message had been received before: `ack` is the one sent then. */
  duplicate: boolean;
}

/** What a mapping answers: its entries, or (hl7-listener/mapping/index.ts MappingResult) ok/entries or the error. */
export type MapOutcome = TransactionEntry[] | { ok: true; entries: TransactionEntry[] } | { ok: false; error: MappingError };
export type MapMessage = (message: Hl7Message, context: MappingContext) => MapOutcome;

/** Explicit cache: the HL7_SENDERS file, read and checked once per path (the listener reads it at start). */
const profilesByPath = new Map<string, SenderProfiles>();

export function senderProfiles(path: string | undefined): SenderProfiles {
  const key = path ?? '';
  let profiles = profilesByPath.get(key);
  if (!profiles) {
    profiles = readSenderProfiles(path);
    profilesByPath.set(key, profiles);
  }
  return profiles;
}

/** `replayOf`: a failed record re-applied by `$replay` (no dedupe; the record is replaced). */
export async function handleMessage(
  engine: Engine,
  received: Received,
  replayOf?: Hl7MessageDocument,
  map: MapMessage = mapMessage,
): Promise<Handled> {
  const receivedAt = replayOf?.receivedAt ?? new Date().toISOString();
  let message: Hl7Message;
  let decoded: string;
  try {
    ({ message, text: decoded } = parseFrame(received.bytes));
  } catch (e) {
    const error: AckError =
      e instanceof Hl7ParseError
        ? { code: e.code, text: e.message, ...(e.location && { location: e.location }) }
        : { code: '207', text: 'unreadable message' };
    const header = headerFromRaw(received.bytes);
    const base = baseRecord(replayOf?._id ?? unparsedKey(), received, frameText(received.bytes), header, '', receivedAt, replayOf);
    return fail(engine, base, header, 'reject', error, replayOf);
  }
  const header = headerOf(message);
  const id = messageKey(header);
  if (!replayOf) {
    const existing = await archiveOf(engine).findOne({ _id: id });
    if (existing) return { ack: existing.ack, record: existing, duplicate: true };
  }
  const base = baseRecord(id, received, decoded, header, messageTypeOf(message), receivedAt, replayOf);
  const sender = `${header.sendingApplication}^${header.sendingFacility}`;

  let entries: TransactionEntry[];
  let placeholders: string[];
  try {
    const context: MappingContext = {
      sender: { application: header.sendingApplication, facility: header.sendingFacility },
      profile: profileFor(senderProfiles(engine.config.hl7Senders), header.sendingApplication, header.sendingFacility),
      source: archiveUrl(engine.config.baseUrl, id),
    };
    const result = map(message, context);
    if (!Array.isArray(result) && !result.ok) throw result.error;
    entries = await mergeIntoStoredPatients(engine, await keepEncountersNewer(engine, Array.isArray(result) ? result : result.entries));
    placeholders = placeholderSystemsIn(entries);
  } catch (e) {
    const { outcome, error } = ackFailure(e);
    return fail(engine, base, header, outcome, error, replayOf);
  }

  const ack = buildAck(header, 'accept');
  const record: Hl7MessageDocument = { ...base, status: 'applied', ackCode: ackCodeOf(ack), ack, resources: [] };
  // The record as committed (the last unit the transaction tried is the one that succeeded): no read back.
  let stored = record;
  try {
    await engine.transaction(HL7_LISTENER, entries as unknown as JsonValue[], {
      extra: (results) => {
        stored = { ...record, resources: resourcesOf(results) };
        return [
          archiveOperation(archiveOf(engine), stored, replayOf),
          ...authorityOperations(authoritiesOf(engine), id, sender, receivedAt, placeholders),
        ];
      },
    });
  } catch (e) {
    const concurrent = await duplicateOf(engine, id, replayOf);
    if (concurrent) return concurrent;
    const { outcome, error } = ackFailure(e);
    return fail(engine, base, header, outcome, error, replayOf);
  }
  warnUnmapped(engine.logger, sender, placeholders);
  return { ack: ackWanted(header, 'accept') ? ack : undefined, record: stored, duplicate: false };
}

/** Records a failed message in the error queue (status `failed`) and answers AE/AR or CE/CR. */
async function fail(
  engine: Engine,
  base: BaseRecord,
  header: AckHeader,
  outcome: AckOutcome,
  error: AckError,
  replayOf: Hl7MessageDocument | undefined,
): Promise<Handled> {
  const ack = buildAck(header, outcome, error);
  const record: Hl7MessageDocument = { ...base, status: 'failed', ackCode: ackCodeOf(ack), ack, error, resources: [] };
  // Never the error text: it may quote values of the message (patient data).
  const at =
    error.location &&
    [error.location.segment, error.location.sequence, error.location.field, error.location.component]
      .filter((p) => p !== undefined)
      .join('.');
  engine.logger.warn('hl7 message failed', {
    controlId: header.controlId,
    messageType: base.messageType,
    sender: `${header.sendingApplication}^${header.sendingFacility}`,
    ackCode: record.ackCode,
    errorCode: error.code,
    ...(at && { location: at }),
  });
  try {
    const archive = archiveOf(engine);
    await archive.write([archiveOperation(archive, record, replayOf)]);
  } catch (e) {
    const concurrent = await duplicateOf(engine, record._id, replayOf);
    if (concurrent) return concurrent;
    throw e;
  }
  return { ack: ackWanted(header, outcome) ? ack : undefined, record, duplicate: false };
}

/** After a unit failed: did a concurrent copy of the message (another connection) get recorded first? */
async function duplicateOf(engine: Engine, id: string, replayOf: Hl7MessageDocument | undefined): Promise<Handled | undefined> {
  if (replayOf) return undefined;
  const existing = await archiveOf(engine).findOne({ _id: id });
  return existing ? { ack: existing.ack, record: existing, duplicate: true } : undefined;
}

function baseRecord(
  id: string,
  received: Received,
  text: string,
  header: AckHeader,
  messageType: string,
  receivedAt: string,
  replayOf: Hl7MessageDocument | undefined,
): BaseRecord {
  return {
    _id: id,
    raw: received.bytes.toString('base64'),
    text,
    peer: received.peer,
    sendingApplication: header.sendingApplication,
    sendingFacility: header.sendingFacility,
    controlId: header.controlId,
    messageType,
    receivedAt,
    replays: replayOf ? replayOf.replays + 1 : 0,
    ...(replayOf && { replayedAt: new Date().toISOString() }),
  };
}

function messageTypeOf(message: Hl7Message): string {
  const msh9 = message.segments[0]?.fields[9]?.[0] ?? [];
  return [msh9[0]?.[0] ?? '', msh9[1]?.[0] ?? ''].filter(Boolean).join('^');
}

function ackCodeOf(ack: string): string {
  return /\rMSA.(\w\w)/.exec(ack)?.[1] ?? '';
}

function resourcesOf(results: ReadonlyMap<number, EntryResult>): string[] {
  const ids = new Set<string>();
  for (const result of results.values()) {
    const doc = result.doc;
    if (doc && !result.error) ids.add(`${doc.resourceType}/${doc.id}`);
  }
  return [...ids];
}
