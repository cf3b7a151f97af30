/**
 * The OAuth endpoints on `/oauth2`: token (RFC 6749), introspection (RFC 7662), revocation (RFC 7009) and the
 * JWKS. They are open (no bearer token); the callers of token, introspect and revoke authenticate as clients.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { FhirError } from '../errors/fhir-error.ts';
import { readFormBody } from '../http/body.ts';
import type { ClientDocument } from './documents.ts';
import { liveClient, sha256Hex } from './auth-collections.ts';
import { checkAccessToken } from './authenticate.ts';
import { authenticateClient } from './client-auth.ts';
import type { AuthContext } from './context.ts';
import { authorizationCode, clientCredentials, refreshToken } from './grants.ts';
import { OAuthError, oauthAnswer } from './oauth-error.ts';
import { familyRevoked, revokeAccessToken, revokeFamily, verifyAccessToken } from './tokens.ts';

/** Token requests are small; a larger body is refused before it is read. */
const MAX_FORM_BYTES = 64 * 1024;

async function form(ctx: Context): Promise<URLSearchParams> {
  try {
    return new URLSearchParams(await readFormBody(ctx, MAX_FORM_BYTES));
  } catch (err) {
    if (err instanceof FhirError) throw new OAuthError('invalid_request', err.message);
    throw err;
  }
}

export function oauthRouter(context: AuthContext): Router {
  const router = new Router({ prefix: '/oauth2' });

  router.post('/token', (ctx) =>
    oauthAnswer(ctx, async () => {
      const params = await form(ctx);
      const grantType = params.get('grant_type');
      if (!grantType) throw new OAuthError('invalid_request', 'grant_type is missing');
      if (!['client_credentials', 'authorization_code', 'refresh_token'].includes(grantType)) {
        throw new OAuthError('unsupported_grant_type', `grant_type '${grantType}' is not supported`);
      }
      const client = await authenticateClient(context, ctx, params);
      if (grantType === 'client_credentials') return clientCredentials(context, client, params);
      if (grantType === 'authorization_code') return authorizationCode(context, client, params);
      return refreshToken(context, client, params);
    }),
  );

  /** Introspection and revocation: the caller authenticates as a client and names a `token`. */
  const tokenCall = (run: (caller: ClientDocument, token: string) => Promise<unknown>) => (ctx: Context) =>
    oauthAnswer(ctx, async () => {
      const params = await form(ctx);
      const caller = await authenticateClient(context, ctx, params);
      const token = params.get('token');
      if (!token) throw new OAuthError('invalid_request', 'token is missing');
      return run(caller, token);
    });
  router.post(
    '/introspect',
    tokenCall((caller, token) => introspect(context, caller._id, caller.admin, token)),
  );
  router.post(
    '/revoke',
    tokenCall(async (caller, token) => {
      await revoke(context, caller._id, token);
      return {};
    }),
  );

  router.get('/jwks', async (ctx) => {
    ctx.set('Cache-Control', 'max-age=300');
    ctx.type = 'application/jwk-set+json';
    ctx.body = await context.keys.jwks();
  });

  return router;
}

/**
 * RFC 7662: `active` and the token's claims, to its own client or an admin client; any other caller learns only
 * `active: false`, so that clients cannot probe each other's tokens.
 */
async function introspect(context: AuthContext, callerId: string, callerAdmin: boolean, token: string): Promise<Record<string, unknown>> {
  const check = await checkAccessToken(context, token);
  if (!('refused' in check)) {
    const claims = check.claims ?? (await verifyAccessToken(context, token));
    if (claims && (claims.client_id === callerId || callerAdmin)) {
      return {
        active: true,
        token_type: 'Bearer',
        scope: claims.scope,
        client_id: claims.client_id,
        sub: claims.sub,
        iss: claims.iss,
        aud: claims.aud,
        exp: claims.exp,
        iat: claims.iat,
        jti: claims.jti,
        ...(check.principal.kind === 'user' && { username: check.principal.name.slice('user/'.length) }),
        ...(claims.patient !== undefined && { patient: claims.patient }),
        ...(claims.encounter !== undefined && { encounter: claims.encounter }),
        ...(claims.fhirUser !== undefined && { fhirUser: claims.fhirUser }),
      };
    }
    return { active: false };
  }
  const refresh = await context.collections.refreshTokens.findOne({ _id: sha256Hex(token) });
  if (!refresh || refresh.used || Date.parse(refresh.expires) <= context.now()) return { active: false };
  if (refresh.clientId !== callerId && !callerAdmin) return { active: false };
  if ((await familyRevoked(context, refresh.family)) || !(await liveClient(context.collections, refresh.clientId)))
    return { active: false };
  return {
    active: true,
    token_type: 'refresh_token',
    scope: refresh.scope,
    client_id: refresh.clientId,
    sub: refresh.userId,
    exp: Math.floor(Date.parse(refresh.expires) / 1000),
  };
}

/**
 * RFC 7009: a refresh token revokes its whole family; an access token only itself. A token of another client,
 * unknown or already invalid is answered 200 all the same (§2.2).
 */
async function revoke(context: AuthContext, callerId: string, token: string): Promise<void> {
  const refresh = await context.collections.refreshTokens.findOne({ _id: sha256Hex(token) });
  if (refresh) {
    if (refresh.clientId === callerId) await revokeFamily(context, refresh.family);
    return;
  }
  const claims = await verifyAccessToken(context, token);
  if (claims && claims.client_id === callerId) await revokeAccessToken(context, claims);
}
