/**
 * The archive record of a received message (the listener's own collection `hl7messages`) and the operations
 * that write it. A record's id is derived from the sender (MSH-3, MSH-4) and MSH-10, so a
 * re-sent message finds it; inserting it fails when it exists, which is what makes a message apply once.
 */
import { hash, randomUUID } from 'node:crypto';
import type { CollectionSpec, Engine, FeatureCollection, StoredDocument, WriteOperation } from '../server/engine/index.ts';
import type { AckHeader } from './ack.ts';

export const ARCHIVE = 'hl7messages';

/** The archive collection and its index: the error queue and the applied messages, newest first. */
export const ARCHIVE_COLLECTION: CollectionSpec = { name: ARCHIVE, indexes: [['status', 'receivedAt']] };

export function archiveOf(engine: Engine): FeatureCollection<Hl7MessageDocument> {
  return engine.collection<Hl7MessageDocument>(ARCHIVE);
}

/**
 * Collection `hl7messages`: every HL7 v2 message received over MLLP (this file). `_id` is derived
 * from the sender (MSH-3, MSH-4) and MSH-10, so a re-sent message finds its record and gets the same ACK; a
 * frame too broken to name its sender gets an id of its own.
 */
export interface Hl7MessageDocument extends StoredDocument {
  _id: string;
  /** The frame's bytes, base64: replayed exactly as received. */
  raw: string;
  /** The message text decoded (MSH-18), segments separated by CR. */
  text: string;
  peer: string;
  sendingApplication: string;
  sendingFacility: string;
  controlId: string;
  /** MSH-9, e.g. `ORU^R01`. */
  messageType: string;
  /** ISO 8601 instant of the first receipt. */
  receivedAt: string;
  /** `applied` (AA/CA), `failed` (AE/AR: the error queue). */
  status: 'applied' | 'failed';
  /** MSA-1 of the ACK sent and the ACK itself, sent again unchanged to a re-sent message. */
  ackCode: string;
  ack: string;
  error?: { code: string; text: string; location?: { segment: string; sequence: number; field?: number; component?: number } };
  /** `Type/id` of every resource the message wrote. */
  resources: string[];
  /** Times it was applied again through `$replay`, and when last. */
  replays: number;
  replayedAt?: string;
}

/** Same sender and MSH-10 -> same id (HL7 v2.5 chapter 2.10.1: MSH-10 is unique per sending system). */
export function messageKey(header: Pick<AckHeader, 'sendingApplication' | 'sendingFacility' | 'controlId'>): string {
  const source = `${header.sendingApplication}\u0000${header.sendingFacility}\u0000${header.controlId}`;
  return hash('sha256', source, 'hex').slice(0, 40);
}

/** A frame too broken to name its sender and MSH-10 is never a duplicate of anything. */
export function unparsedKey(): string {
  return `unparsed-${randomUUID()}`;
}

/** The URI of an archived message, for `meta.source` of what it produced. */
export function archiveUrl(baseUrl: string, id: string): string {
  return new URL(`/admin/hl7/messages/${id}`, baseUrl).href;
}

/**
 * First write of a record: an insert, failing the unit if the id exists (a concurrent duplicate). A replay
 * replaces the failed record it was started from, only if nobody changed it meanwhile.
 */
export function archiveOperation(
  archive: FeatureCollection<Hl7MessageDocument>,
  record: Hl7MessageDocument,
  replayOf?: Hl7MessageDocument,
): WriteOperation {
  if (!replayOf) return archive.insert(record);
  return archive.replace(record, { _id: replayOf._id, status: 'failed', replays: replayOf.replays });
}
