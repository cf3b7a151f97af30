/**
 * Tests reach the server as clients do: the test admin client (BOOTSTRAP_CLIENT_ID/SECRET: client_credentials,
 * `system/*.*`, admin) gets a token at `POST /oauth2/token`, and requests carry it as `Authorization: Bearer`. The
 * in-process helpers (in-process-server.ts) and child servers (child-server.ts) do this for every test; a test that
 * wants to be anonymous, or another principal, says so.
 *
 *   const { http } = useTestServer();
 *   const auth = await clientToken(http, id, secret, 'system/Patient.rs');   // 'Bearer eyJ...'
 *   await anonymous.get('/fhir/Patient').set('authorization', auth);
 */
import assert from 'node:assert/strict';
import type { Http } from './in-process-server.ts';

export const TEST_ADMIN = { clientId: 'test-admin', clientSecret: 'test-admin-secret-0123456789' };

/** The environment that makes a server create or update the test admin client at start. */
export const TEST_ADMIN_ENV: Record<string, string> = {
  BOOTSTRAP_CLIENT_ID: TEST_ADMIN.clientId,
  BOOTSTRAP_CLIENT_SECRET: TEST_ADMIN.clientSecret,
};

/** client_secret_basic (RFC 6749 §2.3.1: both parts form-urlencoded before base64). */
export function basicAuth(clientId: string, secret: string): string {
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}

/** A Bearer header value for a client_credentials token of a client_secret_basic client, in process. */
export async function clientToken(http: Http, clientId: string, secret: string, scope = 'system/*.*'): Promise<string> {
  const res = await http
    .post('/oauth2/token')
    .set('authorization', basicAuth(clientId, secret))
    .type('form')
    .send({ grant_type: 'client_credentials', scope });
  assert.equal(res.status, 200, `token request failed: ${JSON.stringify(res.body)}`);
  return `Bearer ${(res.body as { access_token: string }).access_token}`;
}

/** A Bearer header value for the test admin client (`system/*.*`, admin), in process. */
export function bootstrapToken(http: Http, scope = 'system/*.*'): Promise<string> {
  return clientToken(http, TEST_ADMIN.clientId, TEST_ADMIN.clientSecret, scope);
}

/** The same from a running server's token endpoint, over the network (child servers). */
export async function adminAuthorization(origin: string, scope = 'system/*.*'): Promise<string> {
  const res = await fetch(`${origin}/oauth2/token`, {
    method: 'POST',
    headers: {
      authorization: basicAuth(TEST_ADMIN.clientId, TEST_ADMIN.clientSecret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`the test admin client got no token (${res.status}): ${text}`);
  return `Bearer ${(JSON.parse(text) as { access_token: string }).access_token}`;
}

/** The `Authorization` header requests to each server origin carry in fhir-requests.ts (set by child-server.ts). */
const byOrigin = new Map<string, string>();

export function rememberAuthorization(origin: string, authorization: string): void {
  byOrigin.set(origin, authorization);
}

export function authorizationFor(url: string): Record<string, string> {
  const authorization = byOrigin.get(new URL(url).origin);
  return authorization ? { authorization } : {};
}
