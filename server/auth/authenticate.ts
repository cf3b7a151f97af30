/**
 * The bearer check (https://www.rfc-editor.org/rfc/rfc6750): every request outside the open paths needs a valid
 * access token, whose principal (with its compiled access) is set for the routes. Default-deny: any path not
 * listed as open, including features' routers and unknown URLs, is checked.
 */
import type { Context, Middleware } from 'koa';
import { FhirError } from '../errors/fhir-error.ts';
import type { Principal } from '../engine/principal.ts';
import { setPrincipal } from '../http/principal.ts';
import { sendJson } from '../http/respond.ts';
import { compileAccess } from '../access/compile-access.ts';
import { liveClient } from './auth-collections.ts';
import type { AuthContext } from './context.ts';
import { verifyAccessToken, type AccessClaims } from './tokens.ts';
import type { CachedToken } from './token-cache.ts';

const REALM = 'Bearer realm="fhirline"';

const DISCOVERY = new Set(['/.well-known/smart-configuration', '/.well-known/openid-configuration'].flatMap((p) => [p, `/fhir${p}`]));

/** Paths served without a token: discovery, the OAuth endpoints and pages, the probes. */
export function isOpenPath(method: string, path: string): boolean {
  // Koa's router matches case-insensitively and with a trailing slash: compare the same way.
  const p = path.toLowerCase().replace(/\/+$/, '') || '/';
  if (p === '/healthz' || p === '/readyz') return true;
  if (p === '/oauth2' || p.startsWith('/oauth2/')) return true;
  if (DISCOVERY.has(p)) return true;
  return (method === 'GET' || method === 'HEAD') && p === '/fhir/metadata';
}

/** Why a token was refused, for `error_description`; or the principal. */
export type TokenCheck = { principal: Principal; claims?: AccessClaims } | { refused: string };

export async function checkAccessToken(context: AuthContext, token: string): Promise<TokenCheck> {
  const now = context.now();
  const cached = context.cache.get(token, now);
  if (cached) return { principal: cached.principal };
  const claims = await verifyAccessToken(context, token);
  if (!claims) return { refused: 'The access token is malformed, expired, not signed by this server or not for this audience' };
  const revokedIds = [`jti:${claims.jti}`, ...(claims.fam ? [`family:${claims.fam}`] : [])];
  if ((await context.collections.revocations.count({ _id: { $in: revokedIds } })) > 0) return { refused: 'The access token was revoked' };
  const client = await liveClient(context.collections, claims.client_id);
  if (!client) return { refused: 'The client of this access token no longer exists' };
  let principal: Principal;
  if (claims.kind === 'user') {
    const user = await context.collections.users.findOne({ _id: claims.sub });
    if (!user || user.deleted || !user.active) return { refused: 'The user of this access token is deactivated or deleted' };
    if (user.tokensNotBefore !== undefined && claims.iat < user.tokensNotBefore) return { refused: 'The access token was revoked' };
    const access = await compileAccess(
      { store: context.store, baseUrl: context.config.baseUrl },
      {
        scope: claims.scope,
        clientScope: client.scope,
        role: user.role,
        fhirUser: user.fhirUser,
        patient: claims.patient,
        admin: user.role === 'admin',
      },
    );
    principal = {
      kind: 'user',
      name: `user/${user.username}`,
      access,
      clientId: client._id,
      userId: user._id,
      role: user.role,
      fhirUser: user.fhirUser,
      scope: claims.scope,
      ...context_(claims),
    };
  } else {
    const access = await compileAccess(
      { store: context.store, baseUrl: context.config.baseUrl },
      { scope: claims.scope, clientScope: client.scope, admin: client.admin },
    );
    principal = { kind: 'client', name: `client/${client._id}`, access, clientId: client._id, scope: claims.scope, ...context_(claims) };
  }
  const entry: CachedToken = {
    principal,
    jti: claims.jti,
    clientId: claims.client_id,
    expires: claims.exp * 1000,
    recheck: now + context.cache.recheckMs,
    ...(claims.fam !== undefined && { family: claims.fam }),
    ...(claims.kind === 'user' && { userId: claims.sub }),
  };
  context.cache.set(token, entry);
  return { principal, claims };
}

function context_(claims: AccessClaims): Pick<Principal, 'patient' | 'encounter'> {
  return {
    ...(claims.patient !== undefined && { patient: `Patient/${claims.patient}` }),
    ...(claims.encounter !== undefined && { encounter: `Encounter/${claims.encounter}` }),
  };
}

/** The token of `Authorization: Bearer <token>`; `null` when none was sent, `''` when the header is malformed. */
export function bearerToken(ctx: Context): string | null {
  const header = ctx.get('authorization');
  if (!header) return null;
  const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  return m ? m[1] : '';
}

function refuse(ctx: Context, description: string | undefined): void {
  // RFC 6750 §3.1: no error code when the request carried no token at all.
  const challenge = description === undefined ? REALM : `${REALM}, error="invalid_token", error_description="${description}"`;
  ctx.set('WWW-Authenticate', challenge);
  const err = FhirError.of('unauthorized', 'login', description ?? 'This request needs an access token (Authorization: Bearer ...)');
  sendJson(ctx, 401, err.outcome);
}

export function authenticate(context: AuthContext): Middleware {
  return async (ctx, next) => {
    if (isOpenPath(ctx.method, ctx.path)) return next();
    const token = bearerToken(ctx);
    if (token === null) return refuse(ctx, undefined);
    if (token === '') return refuse(ctx, 'The Authorization header is not the word Bearer and a token');
    const check = await checkAccessToken(context, token);
    if ('refused' in check) return refuse(ctx, check.refused);
    setPrincipal(ctx, check.principal);
    return next();
  };
}

/** For tests and the bench only: every request runs as `principal`, no token checked. No setting exposes it. */
export function bypassAuthentication(principal: Principal): Middleware {
  return async (ctx, next) => {
    setPrincipal(ctx, principal);
    await next();
  };
}
