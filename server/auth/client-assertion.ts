/**
 * `private_key_jwt` client authentication as SMART Backend Services requires
 * (https://hl7.org/fhir/smart-app-launch/backend-services.html#request-access-token): an RS384 or ES384 JWT whose
 * `iss` = `sub` = client_id, `aud` = the token endpoint, `exp` at most five minutes ahead, and a `jti` never seen
 * before, verified with a key from the client's `jwks` or its `jwks_uri`.
 */
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { DuplicateKeyError } from '../store/port.ts';
import type { ClientDocument } from './documents.ts';
import type { AuthContext } from './context.ts';
import { OAuthError } from './oauth-error.ts';

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const ALGORITHMS = ['RS384', 'ES384'] as const;
const MAX_LIFETIME_SECONDS = 300;
/** A jwks_uri is fetched again after this, or at once (at most every 10 s) when no key matches the `kid`. */
const JWKS_CACHE_MS = 5 * 60_000;

type Jwk = Record<string, unknown>;
const fetched = new Map<string, { keys: Jwk[]; at: number }>();

/** The client_id an assertion claims (its `iss`), before it is verified, to find the client. */
export function assertionIssuer(assertion: string): string | undefined {
  const payload = jwt.decode(assertion);
  return payload && typeof payload === 'object' && typeof payload.iss === 'string' ? payload.iss : undefined;
}

export async function verifyClientAssertion(context: AuthContext, client: ClientDocument, assertion: string): Promise<void> {
  const fail = (why: string) => new OAuthError('invalid_client', `Client assertion refused: ${why}`);
  const decoded = jwt.decode(assertion, { complete: true });
  if (!decoded || typeof decoded.payload !== 'object') throw fail('not a JWT');
  const alg = decoded.header.alg as (typeof ALGORITHMS)[number];
  if (!ALGORITHMS.includes(alg)) throw fail('alg must be RS384 or ES384');
  const keys = await candidateKeys(client, decoded.header.kid, alg);
  if (keys.length === 0) throw fail('no registered key matches its kid and alg');
  let payload: jwt.JwtPayload | undefined;
  for (const key of keys) {
    try {
      const p = jwt.verify(assertion, key, {
        algorithms: [alg],
        audience: context.urls.token,
        issuer: client._id,
        subject: client._id,
        clockTimestamp: Math.floor(context.now() / 1000),
      });
      if (typeof p === 'object') payload = p;
      break;
    } catch (err) {
      if (!(err instanceof jwt.JsonWebTokenError) || err.message !== 'invalid signature') {
        throw fail((err as Error).message);
      }
    }
  }
  if (!payload) throw fail('invalid signature');
  const now = Math.floor(context.now() / 1000);
  if (typeof payload.exp !== 'number') throw fail('exp is missing');
  if (payload.exp - now > MAX_LIFETIME_SECONDS) throw fail('exp is more than five minutes ahead');
  if (typeof payload.jti !== 'string' || payload.jti === '') throw fail('jti is missing');
  const { assertionJtis } = context.collections;
  try {
    await assertionJtis.write([
      assertionJtis.insert({ _id: `${client._id} ${payload.jti}`, expires: new Date(payload.exp * 1000).toISOString() }),
    ]);
  } catch (err) {
    if (err instanceof DuplicateKeyError) throw fail('its jti was used before (a replay)');
    throw err;
  }
}

async function candidateKeys(client: ClientDocument, kid: string | undefined, alg: string): Promise<KeyObject[]> {
  const pick = (keys: Jwk[]) =>
    keys.filter(
      (k) => (kid === undefined || k.kid === kid) && (k.alg === undefined || k.alg === alg) && k.kty === (alg === 'RS384' ? 'RSA' : 'EC'),
    );
  let keys = client.jwks ? pick(client.jwks.keys) : [];
  if (!client.jwks && client.jwks_uri) {
    keys = pick(await fetchJwks(client.jwks_uri, false));
    if (keys.length === 0) keys = pick(await fetchJwks(client.jwks_uri, true));
  }
  return keys.flatMap((k) => {
    try {
      return [createPublicKey({ key: publicPart(k) as JsonWebKey, format: 'jwk' })];
    } catch {
      return [];
    }
  });
}

/** Only the public members are ever used, even when a client registers a private JWK by mistake. */
function publicPart(k: Jwk): Jwk {
  return k.kty === 'RSA' ? { kty: k.kty, n: k.n, e: k.e } : { kty: k.kty, crv: k.crv, x: k.x, y: k.y };
}

async function fetchJwks(uri: string, again: boolean): Promise<Jwk[]> {
  const cached = fetched.get(uri);
  const age = cached ? Date.now() - cached.at : Infinity;
  if (cached && age < (again ? 10_000 : JWKS_CACHE_MS)) return cached.keys;
  try {
    const res = await fetch(uri, { signal: AbortSignal.timeout(5_000), headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`status ${res.status}`);
    const body = (await res.json()) as { keys?: unknown };
    if (!Array.isArray(body.keys)) throw new Error('no keys array');
    const keys = body.keys.filter((k): k is Jwk => typeof k === 'object' && k !== null);
    fetched.set(uri, { keys, at: Date.now() });
    return keys;
  } catch (err) {
    throw new OAuthError('invalid_client', `Could not read the client's jwks_uri: ${(err as Error).message}`);
  }
}
