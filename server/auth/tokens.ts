/**
 * Issuing tokens: the access token (a JWT with what the bearer check needs), the OpenID Connect id_token
 * (https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html#scopes-for-requesting-identity-data), and
 * refresh tokens (random, stored hashed, one family per grant), plus revoking them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ClientDocument, UserDocument } from './documents.ts';
import { sha256Hex, type RefreshTokenDocument } from './auth-collections.ts';
import { nowSeconds, type AuthContext } from './context.ts';

/** The claims of Fhirline's access tokens beside the registered ones (iss, aud, sub, exp, iat, jti). */
export interface AccessClaims {
  iss: string;
  aud: string;
  /** The user id, or the client id for a client acting for itself. */
  sub: string;
  client_id: string;
  scope: string;
  jti: string;
  iat: number;
  exp: number;
  /** Who `sub` is. */
  kind: 'user' | 'client';
  patient?: string;
  encounter?: string;
  fhirUser?: string;
  role?: string;
  /** The grant's family: revoking it (reused code or refresh token) kills this token too. */
  fam?: string;
}

/** What one grant gives, whichever grant type produced it. */
export interface Issue {
  client: ClientDocument;
  user?: UserDocument;
  scope: string;
  patient?: string;
  encounter?: string;
  nonce?: string;
  /** The grant's family (codes and refresh tokens); a new refresh token joins it. */
  family?: string;
  /** When the family was first granted, seconds; default now. */
  familyIssued?: number;
  /** The most a refreshed token may get; default `scope`. */
  familyScope?: string;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  patient?: string;
  encounter?: string;
  id_token?: string;
  refresh_token?: string;
  [extra: string]: unknown;
}

/** Online access lives with the session it was granted in; a shift is long enough. */
const ONLINE_MAX_SECONDS = 12 * 3600;

export async function issueTokens(context: AuthContext, issue: Issue): Promise<TokenResponse> {
  const now = nowSeconds(context);
  const lifetime = context.config.accessTokenSeconds;
  const scopes = issue.scope.split(/\s+/).filter(Boolean);
  const offline = scopes.includes('offline_access');
  const online = scopes.includes('online_access');
  const withRefresh = issue.user !== undefined && (offline || online);
  const family = issue.family ?? (withRefresh ? randomUUID() : undefined);
  const claims: AccessClaims = {
    iss: context.urls.issuer,
    aud: context.urls.audience,
    sub: issue.user?._id ?? issue.client._id,
    client_id: issue.client._id,
    scope: issue.scope,
    jti: randomUUID(),
    iat: now,
    exp: now + lifetime,
    kind: issue.user ? 'user' : 'client',
    ...(issue.patient !== undefined && { patient: issue.patient }),
    ...(issue.encounter !== undefined && { encounter: issue.encounter }),
    ...(issue.user && { fhirUser: issue.user.fhirUser, role: issue.user.role }),
    ...(family !== undefined && { fam: family }),
  };
  const response: TokenResponse = {
    access_token: await context.keys.sign({ ...claims }),
    token_type: 'Bearer',
    expires_in: lifetime,
    scope: issue.scope,
    ...(issue.patient !== undefined && { patient: issue.patient }),
    ...(issue.encounter !== undefined && { encounter: issue.encounter }),
  };
  if (issue.user && scopes.includes('openid') && scopes.includes('fhirUser')) {
    response.id_token = await context.keys.sign({
      iss: context.urls.issuer,
      sub: issue.user._id,
      aud: issue.client._id,
      iat: now,
      exp: now + lifetime,
      fhirUser: `${context.config.baseUrl}/${issue.user.fhirUser}`,
      ...(issue.nonce !== undefined && { nonce: issue.nonce }),
    });
  }
  if (withRefresh && family !== undefined) {
    const seconds = online ? Math.min(context.config.refreshTokenSeconds, ONLINE_MAX_SECONDS) : context.config.refreshTokenSeconds;
    const refresh = randomBytes(32).toString('base64url');
    const doc: RefreshTokenDocument = {
      _id: sha256Hex(refresh),
      family,
      clientId: issue.client._id,
      userId: issue.user!._id,
      scope: issue.familyScope ?? issue.scope,
      ...(issue.patient !== undefined && { patient: issue.patient }),
      ...(issue.encounter !== undefined && { encounter: issue.encounter }),
      familyIssued: issue.familyIssued ?? now,
      expires: new Date((now + seconds) * 1000).toISOString(),
      used: false,
    };
    await context.collections.refreshTokens.write([context.collections.refreshTokens.insert(doc)]);
    response.refresh_token = refresh;
  }
  return response;
}

/** Every token of a grant stops working: refresh tokens can no longer be used, access tokens fail the bearer check. */
export async function revokeFamily(context: AuthContext, family: string): Promise<void> {
  const { revocations } = context.collections;
  const until = context.now() + Math.max(context.config.refreshTokenSeconds, context.config.accessTokenSeconds) * 1000;
  await revocations.write([revocations.replace({ _id: `family:${family}`, expires: new Date(until).toISOString() })]);
  context.cache.invalidate({ family });
}

/** One access token stops working (RFC 7009). */
export async function revokeAccessToken(context: AuthContext, claims: AccessClaims): Promise<void> {
  const { revocations } = context.collections;
  await revocations.write([revocations.replace({ _id: `jti:${claims.jti}`, expires: new Date(claims.exp * 1000).toISOString() })]);
  context.cache.invalidate({ jti: claims.jti });
}

export async function familyRevoked(context: AuthContext, family: string): Promise<boolean> {
  return (await context.collections.revocations.count({ _id: `family:${family}` })) > 0;
}

/** The claims of a valid Fhirline access token (signature, key, issuer, audience, expiry), else undefined. */
export async function verifyAccessToken(context: AuthContext, token: string): Promise<AccessClaims | undefined> {
  const payload = await context.keys.verify(token, { issuer: context.urls.issuer, audience: context.urls.audience });
  if (!payload) return undefined;
  const p = payload as Partial<AccessClaims>;
  if (typeof p.jti !== 'string' || typeof p.sub !== 'string' || typeof p.client_id !== 'string' || typeof p.scope !== 'string') {
    return undefined;
  }
  if (p.kind !== 'user' && p.kind !== 'client') return undefined;
  if (typeof p.iat !== 'number') return undefined;
  return p as AccessClaims;
}
