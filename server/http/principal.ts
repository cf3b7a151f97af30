/**
 * The principal of a request, set by the bearer-token check (server/auth/authenticate.ts) before any route runs
 * and read by the handlers, which hand it to the read and write paths.
 */
import type { Context } from 'koa';
import { unauthorized } from '../errors/fhir-error.ts';
import type { Principal } from '../engine/principal.ts';

const KEY = 'fhirlinePrincipal';

export function setPrincipal(ctx: Context, principal: Principal): void {
  (ctx.state as Record<string, unknown>)[KEY] = principal;
}

/** The request's principal; a route reached without one is refused (never served as unrestricted). */
export function principalOf(ctx: Context): Principal {
  const principal = (ctx.state as Record<string, unknown>)[KEY] as Principal | undefined;
  if (!principal) throw unauthorized('This request carries no access token');
  return principal;
}
