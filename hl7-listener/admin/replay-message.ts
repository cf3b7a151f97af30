/**
 * `POST /admin/hl7/messages/:id/$replay`: applies a failed message again (after its mapping or a table was
 * fixed), exactly as first received. Success replaces the record (status applied, the new ACK, which a re-sent
 * copy of the message then gets); a new failure updates its error. An applied message is never replayed (409).
 */
import type { Context } from 'koa';
import { FhirError, sendJson, type Engine } from '../../server/engine/index.ts';
import { handleMessage, type MapMessage } from '../handle-message.ts';
import { findMessage } from './read-message.ts';

export async function replayMessage(ctx: Context, engine: Engine, map?: MapMessage): Promise<void> {
  const record = await findMessage(engine, ctx.params.id!);
  if (record.status !== 'failed') throw FhirError.of('conflict', 'conflict', `HL7 message ${record._id} was already applied`, 'id');
  const { record: after } = await handleMessage(engine, { bytes: Buffer.from(record.raw, 'base64'), peer: record.peer }, record, map);
  const { _id, status, ackCode, ack, error, resources, replays } = after;
  sendJson(ctx, 200, { id: _id, status, ackCode, ack, error, resources, replays });
}
