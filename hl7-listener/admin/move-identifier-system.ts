/**
 * `POST /admin/hl7/identifier-systems/$move` with `{"from": "<placeholder system>", "to": "<real system>"}`:
 * once a placeholder authority (../mapping/placeholder-systems.ts) gets its real system in HL7_SENDERS, new
 * messages use the real one; this moves what was stored before, so one patient does not become two. Every
 * resource holding an identifier of `from` gets a new version through the write path (updateResource, as
 * `PUT [type]/[id]` does: validated, indexed, in history, with an outbox event), compare-and-swap on the version
 * read, retried on a concurrent write. Answers the counts.
 */
import type { Context } from 'koa';
import { badRequest, FhirError } from '../../server/errors/fhir-error.ts';
import { isJsonObject, parseFhirJson, type JsonValue } from '../../server/fhir-json/fhir-json.ts';
import { readJsonBody } from '../../server/http/body.ts';
import { sendJson } from '../../server/http/respond.ts';
import { currentDocument, updateResource } from '../../server/repository/write-path.ts';
import { escapeRegex } from '../../server/search/split-values.ts';
import type { Services } from '../../server/services.ts';
import type { ResourceDocument } from '../../server/store/documents.ts';
import { isPlaceholderSystem } from '../mapping/placeholder-systems.ts';

const ATTEMPTS = 5;
const URI = /^[a-z][a-z0-9+.-]*:\S+$/i;

export async function moveIdentifierSystem(ctx: Context, services: Services): Promise<void> {
  const body = await readJsonBody(ctx, services.config.maxBodyBytes);
  const { from, to } = isJsonObject(body) ? body : {};
  if (typeof from !== 'string' || !isPlaceholderSystem(from)) throw badRequest('from must be a placeholder identifier system (GET /admin/hl7/unmapped-authorities)', 'from');
  if (typeof to !== 'string' || !URI.test(to) || to === from) throw badRequest('to must be an absolute URI other than from', 'to');
  // The stored JSON text is compact (server/fhir-json/), so an identifier of `from` contains exactly this.
  const needle = { $regex: escapeRegex(`"system":${JSON.stringify(from)}`) };
  const candidates = await services.store.find<ResourceDocument>('resources', { deleted: false, content: needle });
  let updated = 0;
  let retried = 0;
  for (const candidate of candidates) {
    let doc: ResourceDocument | undefined = candidate;
    for (let attempt = 1; doc?.content; attempt++) {
      const resource = parseFhirJson(doc.content);
      if (!replaceSystem(resource, from, to)) break;
      try {
        await updateResource(services, doc.resourceType, doc.id, resource, { ifMatch: doc.versionId });
        updated++;
        break;
      } catch (err) {
        if (!(err instanceof FhirError && (err.kind === 'precondition-failed' || err.kind === 'conflict')) || attempt === ATTEMPTS) throw err;
        retried++;
        doc = await currentDocument(services.store, doc.resourceType, doc.id);
      }
    }
  }
  sendJson(ctx, 200, { from, to, examined: candidates.length, updated, retried });
}

/** Every `system: from` of an object that also has a `value` (an Identifier, wherever it sits) becomes `to`. */
function replaceSystem(value: JsonValue, from: string, to: string): boolean {
  let changed = false;
  if (Array.isArray(value)) {
    for (const v of value) changed = replaceSystem(v, from, to) || changed;
  } else if (isJsonObject(value)) {
    const object = value;
    if (object.system === from && 'value' in object) {
      object.system = to;
      changed = true;
    }
    for (const v of Object.values(object)) if (typeof v === 'object') changed = replaceSystem(v, from, to) || changed;
  }
  return changed;
}
