/**
 * The archive record of a received message (collection `hl7messages`, server/store/documents.ts) and the
 * store operations that write it. A record's id is derived from the sender (MSH-3, MSH-4) and MSH-10, so a
 * re-sent message finds it; inserting it fails when it exists, which is what makes a message apply once.
 */
import { hash, randomUUID } from 'node:crypto';
import type { Hl7MessageDocument } from '../server/store/documents.ts';
import type { WriteOperation } from '../server/store/port.ts';
import type { AckHeader } from './ack.ts';

export const ARCHIVE = 'hl7messages' as const;

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
export function archiveOperation(record: Hl7MessageDocument, replayOf?: Hl7MessageDocument): WriteOperation {
  if (!replayOf) return { op: 'insert', collection: ARCHIVE, doc: record };
  return { op: 'replace', collection: ARCHIVE, doc: record, expect: { _id: replayOf._id, status: 'failed', replays: replayOf.replays } };
}
