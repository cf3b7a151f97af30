/**
 * `POST /admin/hl7/identifier-systems/$move` with `{"from": "<placeholder system>", "to": "<real system>"}`:
 * once a placeholder authority (../mapping/placeholder-systems.ts) gets its real system in HL7_SENDERS, new
 * messages use the real one; this moves what was stored before, so one patient does not become two. Every
 * resource with an identifier of `from` (a system search `identifier=from|`) gets a new version through the
 * engine, as `PUT [type]/[id]` with `If-Match` on the version read (validated, indexed, in history, with an
 * outbox event), retried on a concurrent write. Answers the counts.
 */
import type { Context } from 'koa';
import {
  badRequest,
  FhirError,
  isJsonObject,
  readJsonBody,
  sendJson,
  type Engine,
  type JsonObject,
  type JsonValue,
} from '../../server/engine/index.ts';
import { tokenParameter } from '../mapping/entries.ts';
import { isPlaceholderSystem } from '../mapping/placeholder-systems.ts';
import { HL7_LISTENER } from '../principal.ts';

const ATTEMPTS = 5;
const PAGE = 200;
const URI = /^[a-z][a-z0-9+.-]*:\S+$/i;

export async function moveIdentifierSystem(ctx: Context, engine: Engine): Promise<void> {
  const body = await readJsonBody(ctx, engine.config.maxBodyBytes);
  const { from, to } = isJsonObject(body) ? body : {};
  if (typeof from !== 'string' || !isPlaceholderSystem(from))
    throw badRequest('from must be a placeholder identifier system (GET /admin/hl7/unmapped-authorities)', 'from');
  if (typeof to !== 'string' || !URI.test(to) || to === from) throw badRequest('to must be an absolute URI other than from', 'to');
  let examined = 0;
  let updated = 0;
  let retried = 0;
  // Keyset pages: a moved resource no longer matches, and the next page starts after the last one shown.
  for (let query = matching(from); query;) {
    const page = await engine.search(HL7_LISTENER, undefined, query);
    for (const entry of page.entry ?? []) {
      const found = entry.resource as unknown as JsonObject | undefined;
      if (found?.resourceType === 'OperationOutcome' || !found) continue;
      examined++;
      const outcome = await move(engine, found, from, to);
      if (outcome.updated) updated++;
      retried += outcome.retried;
    }
    const next = page.link?.find((l) => l.relation === 'next')?.url;
    // The next link repeats the search with its page token.
    query = next ? new URL(next).search.slice(1) : '';
  }
  sendJson(ctx, 200, { from, to, examined, updated, retried });
}

/** `identifier=system|` (any value of the system), escaped as the mappings' conditional URLs are. */
const matching = (system: string) => `identifier=${tokenParameter(system, '')}&_count=${PAGE}`;

async function move(engine: Engine, found: JsonObject, from: string, to: string): Promise<{ updated: boolean; retried: number }> {
  let resource = found;
  for (let attempt = 1; ; attempt++) {
    if (!replaceSystem(resource, from, to)) return { updated: false, retried: attempt - 1 };
    const { resourceType, id, meta } = resource;
    const url = `${String(resourceType)}/${String(id)}`;
    try {
      await engine.transaction(HL7_LISTENER, [
        { resource, request: { method: 'PUT', url, ifMatch: `W/"${String((meta as JsonObject).versionId)}"` } },
      ]);
      return { updated: true, retried: attempt - 1 };
    } catch (err) {
      if (!(err instanceof FhirError && (err.kind === 'precondition-failed' || err.kind === 'conflict')) || attempt === ATTEMPTS) throw err;
      resource = await engine.read(HL7_LISTENER, String(resourceType), String(id));
    }
  }
}

/** Every `system: from` of an object that also has a `value` (an Identifier, wherever it sits) becomes `to`. */
function replaceSystem(value: JsonValue, from: string, to: string): boolean {
  let changed = false;
  if (Array.isArray(value)) {
    for (const v of value) changed = replaceSystem(v, from, to) || changed;
  } else if (isJsonObject(value)) {
    if (value.system === from && 'value' in value) {
      value.system = to;
      changed = true;
    }
    for (const v of Object.values(value)) if (typeof v === 'object') changed = replaceSystem(v, from, to) || changed;
  }
  return changed;
}
