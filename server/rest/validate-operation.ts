/**
 * `POST [type]/$validate` and `POST [type]/[id]/$validate` (https://hl7.org/fhir/R4/resource-operation-validate.html):
 * the body is the resource, or a Parameters resource with a `resource` parameter. The validation is performed
 * and nothing is written: 200 with an OperationOutcome listing every error, or "All OK". As HAPI does, a body we
 * cannot even read is a 400.
 */
import type { Context } from 'koa';
import { isJsonObject, shown, stringifyFhirJson, type JsonValue } from '../fhir-json/fhir-json.ts';
import { readJsonBody } from '../http/body.ts';
import { sendJson } from '../http/respond.ts';
import { assertResourceType, assertValidId } from '../validation/id-rule.ts';
import { allOk } from '../errors/outcome.ts';
import { badRequest } from '../errors/fhir-error.ts';
import { requireWriteScope } from '../access/enforce.ts';
import type { CallerServices } from '../services.ts';

export async function validateOperation(ctx: Context, { config, preparer, access }: CallerServices): Promise<void> {
  const { type, id } = ctx.params as { type: string; id?: string };
  assertResourceType(type);
  requireWriteScope(access, type);
  if (id !== undefined) assertValidId(id);
  const resource = resourceOf(await readJsonBody(ctx, config.maxBodyBytes));
  if (!isJsonObject(resource)) throw badRequest('The body must be a JSON object (a FHIR resource, or Parameters holding one)');
  if (resource.resourceType !== type) {
    throw badRequest(`The resourceType ('${shown(resource.resourceType)}') does not match the URL ('${type}')`, 'resourceType');
  }
  // In a prepare worker: a costly resource holds one of them, not the thread that answers every request.
  const failure = await preparer.validate(stringifyFhirJson(resource));
  sendJson(ctx, 200, failure ? failure.outcome : allOk('All OK'));
}

function resourceOf(body: JsonValue): JsonValue {
  if (isJsonObject(body) && body.resourceType === 'Parameters') {
    const params = Array.isArray(body.parameter) ? body.parameter : [];
    const param = params.find((p) => isJsonObject(p) && p.name === 'resource') as { resource?: JsonValue } | undefined;
    if (!param?.resource)
      throw badRequest('Parameters must hold the resource to validate in a parameter named "resource"', 'Parameters.parameter');
    return param.resource;
  }
  return body;
}
