/** `GET /admin/hl7/messages/:id`: one archived message with its ACK, outcome and the resources it wrote. */
import type { Context } from 'koa';
import { FhirError } from '../../server/errors/fhir-error.ts';
import type { Services } from '../../server/services.ts';
import { sendJson } from '../../server/http/respond.ts';
import type { Hl7MessageDocument } from '../../server/store/documents.ts';
import { ARCHIVE } from '../archive.ts';

export async function findMessage(services: Services, id: string): Promise<Hl7MessageDocument> {
  const record = await services.store.findOne<Hl7MessageDocument>(ARCHIVE, { _id: String(id) });
  if (!record) throw FhirError.of('not-found', 'not-found', `no archived HL7 message ${id}`, 'id');
  return record;
}

export async function readMessage(ctx: Context, services: Services): Promise<void> {
  const { _id, raw, ...rest } = await findMessage(services, ctx.params.id!);
  void raw;
  sendJson(ctx, 200, { id: _id, ...rest });
}
