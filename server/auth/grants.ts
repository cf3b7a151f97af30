/**
 * The token endpoint's grants (https://www.rfc-editor.org/rfc/rfc6749#section-4): client_credentials (SMART
 * Backend Services and the bootstrap client), authorization_code with PKCE S256
 * (https://www.rfc-editor.org/rfc/rfc7636) and refresh_token with rotation and reuse detection
 * (https://datatracker.ietf.org/doc/html/draft-ietf-oauth-security-topics#section-4.14.2).
 */
import { createHash, randomUUID } from 'node:crypto';
import { PreconditionFailedError } from '../store/port.ts';
import { grantScopes } from '../access/grant-scopes.ts';
import type { ClientDocument, UserDocument } from './documents.ts';
import { sha256Hex } from './auth-collections.ts';
import type { AuthContext } from './context.ts';
import { OAuthError } from './oauth-error.ts';
import { familyRevoked, issueTokens, revokeFamily, type TokenResponse } from './tokens.ts';

const CODE_MAX_MS = 60_000;
const scopesOf = (s: string) => s.split(/\s+/).filter(Boolean);

function allowGrant(client: ClientDocument, grant: ClientDocument['grant_types'][number]): void {
  if (!client.grant_types.includes(grant)) throw new OAuthError('unauthorized_client', `This client is not registered for ${grant}`);
}

export async function clientCredentials(context: AuthContext, client: ClientDocument, form: URLSearchParams): Promise<TokenResponse> {
  allowGrant(client, 'client_credentials');
  if (client.token_endpoint_auth_method === 'none')
    throw new OAuthError('unauthorized_client', 'A public client cannot use client_credentials');
  const requested = form.get('scope') ?? client.scope;
  const scope = grantScopes(requested, client.scope);
  if (scope === '') throw new OAuthError('invalid_scope', 'None of the requested scopes is allowed for this client');
  return issueTokens(context, { client, scope });
}

export async function authorizationCode(context: AuthContext, client: ClientDocument, form: URLSearchParams): Promise<TokenResponse> {
  allowGrant(client, 'authorization_code');
  const code = form.get('code');
  const verifier = form.get('code_verifier');
  const redirectUri = form.get('redirect_uri');
  if (!code) throw new OAuthError('invalid_request', 'code is missing');
  if (!verifier) throw new OAuthError('invalid_request', 'code_verifier is missing (PKCE is required)');
  if (!redirectUri) throw new OAuthError('invalid_request', 'redirect_uri is missing');
  const { codes } = context.collections;
  const doc = await codes.findOne({ _id: sha256Hex(code) });
  const bad = new OAuthError('invalid_grant', 'The authorization code is invalid, expired, used or not issued to this client');
  if (!doc) throw bad;
  if (doc.used) {
    // RFC 6749 §4.1.2: a code used twice revokes what its first use issued.
    if (doc.family) await revokeFamily(context, doc.family);
    throw bad;
  }
  const expires = Date.parse(doc.expires);
  // A code lives at most 60 s (SMART App Launch): one that claims longer is refused like an expired one.
  if (doc.clientId !== client._id || !(expires > context.now()) || expires - context.now() > CODE_MAX_MS) throw bad;
  if (doc.redirectUri !== redirectUri) throw new OAuthError('invalid_grant', 'redirect_uri differs from the authorization request');
  if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier) || s256(verifier) !== doc.codeChallenge) {
    throw new OAuthError('invalid_grant', 'code_verifier does not match the code_challenge');
  }
  const family = randomUUID();
  try {
    await codes.write([codes.replace({ ...doc, used: true, family }, { used: false })]);
  } catch (err) {
    if (!(err instanceof PreconditionFailedError)) throw err;
    const winner = await codes.findOne({ _id: doc._id });
    if (winner?.family) await revokeFamily(context, winner.family);
    throw bad;
  }
  const user = await activeUser(context, doc.userId);
  if (!user) throw bad;
  const scope = grantScopes(doc.scope, client.scope);
  return issueTokens(context, {
    client,
    user,
    scope,
    family,
    ...(doc.patient !== undefined && { patient: doc.patient }),
    ...(doc.encounter !== undefined && { encounter: doc.encounter }),
    ...(doc.nonce !== undefined && { nonce: doc.nonce }),
  });
}

export async function refreshToken(context: AuthContext, client: ClientDocument, form: URLSearchParams): Promise<TokenResponse> {
  const token = form.get('refresh_token');
  if (!token) throw new OAuthError('invalid_request', 'refresh_token is missing');
  const { refreshTokens } = context.collections;
  const doc = await refreshTokens.findOne({ _id: sha256Hex(token) });
  const bad = new OAuthError('invalid_grant', 'The refresh token is invalid, expired, revoked or not issued to this client');
  if (!doc || doc.clientId !== client._id) throw bad;
  if (doc.used) {
    await revokeFamily(context, doc.family);
    throw bad;
  }
  if (Date.parse(doc.expires) <= context.now() || (await familyRevoked(context, doc.family))) throw bad;
  const user = await activeUser(context, doc.userId);
  if (!user || (user.tokensNotBefore !== undefined && doc.familyIssued < user.tokensNotBefore)) throw bad;
  const requested = form.get('scope');
  let scope = doc.scope;
  if (requested !== null) {
    // RFC 6749 §6: a refresh may ask for less, never for a scope not originally granted.
    const widened = scopesOf(requested).filter((s) => grantScopes(s, doc.scope) === '');
    if (widened.length > 0) throw new OAuthError('invalid_scope', `Not originally granted: ${widened.join(' ')}`);
    scope = grantScopes(requested, doc.scope);
  }
  scope = grantScopes(scope, client.scope);
  try {
    await refreshTokens.write([refreshTokens.replace({ ...doc, used: true }, { used: false })]);
  } catch (err) {
    if (!(err instanceof PreconditionFailedError)) throw err;
    await revokeFamily(context, doc.family);
    throw bad;
  }
  return issueTokens(context, {
    client,
    user,
    scope,
    family: doc.family,
    familyIssued: doc.familyIssued,
    familyScope: doc.scope,
    ...(doc.patient !== undefined && { patient: doc.patient }),
    ...(doc.encounter !== undefined && { encounter: doc.encounter }),
  });
}

async function activeUser(context: AuthContext, userId: string): Promise<UserDocument | undefined> {
  const user = await context.collections.users.findOne({ _id: userId });
  return user && user.active && !user.deleted ? user : undefined;
}

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}
