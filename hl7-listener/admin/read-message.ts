/** `GET /admin/hl7/messages/:id`: one archived message with its ACK, outcome and the resources it wrote. */
import type { Context } from 'koa';
import { notFound, sendJson, type Engine } from '../../server/engine/index.ts';
import { archiveOf, type Hl7MessageDocument } from '../archive.ts';

export async function findMessage(engine: Engine, id: string): Promise<Hl7MessageDocument> {
  const record = await archiveOf(engine).findOne({ _id: String(id) });
  if (!record) throw notFound(`no archived HL7 message ${id}`, 'id');
  return record;
}

export async function readMessage(ctx: Context, engine: Engine): Promise<void> {
  const { _id, raw, ...rest } = await findMessage(engine, ctx.params.id!);
  void raw;
  sendJson(ctx, 200, { id: _id, ...rest });
}
