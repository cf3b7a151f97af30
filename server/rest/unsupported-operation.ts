/**
 * Any `$operation` the route table does not serve (https://hl7.org/fhir/R4/operations.html), at system, type or
 * instance level: named as not supported, rather than read as a resource type or id.
 */
import type { Context } from 'koa';
import { notSupported } from '../errors/fhir-error.ts';

export async function unsupportedOperation(ctx: Context): Promise<never> {
  const name = `$${(ctx.params as { operation: string }).operation}`;
  throw notSupported(`Operation '${name}' is not supported`, name);
}
