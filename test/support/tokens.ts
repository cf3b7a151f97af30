/**
 * Tests reach the server as clients do: the bootstrap admin client (BOOTSTRAP_CLIENT_ID/SECRET, client_credentials,
 * `system/*.*`) gets a token at the token endpoint, and requests carry it as `Authorization: Bearer`. The in-process
 * helpers (in-process-server.ts) and the child server (child-server.ts) do this for every test; a test that wants
 * to be anonymous, or another principal, says so.
 */
export const TEST_ADMIN = { clientId: 'test-admin', clientSecret: 'test-admin-secret-not-for-production' };

/** The environment that makes a server create or update the test admin client at start. */
export const TEST_ADMIN_ENV: Record<string, string> = {
  BOOTSTRAP_CLIENT_ID: TEST_ADMIN.clientId,
  BOOTSTRAP_CLIENT_SECRET: TEST_ADMIN.clientSecret,
};

export function basicAuthorization(clientId: string, clientSecret: string): string {
  // RFC 6749 §2.3.1: both form-urlencoded before base64.
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

/** `Bearer <token>` for the test admin client from a running server's token endpoint (`origin/oauth2/token`). */
export async function adminAuthorization(origin: string, scope = 'system/*.*'): Promise<string> {
  const res = await fetch(`${origin}/oauth2/token`, {
    method: 'POST',
    headers: {
      authorization: basicAuthorization(TEST_ADMIN.clientId, TEST_ADMIN.clientSecret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`the test admin client got no token (${res.status}): ${text}`);
  return `Bearer ${(JSON.parse(text) as { access_token: string }).access_token}`;
}

/** The `Authorization` header each server origin's requests carry in fhir-requests.ts (set by child-server.ts). */
const byOrigin = new Map<string, string>();

export function rememberAuthorization(origin: string, authorization: string): void {
  byOrigin.set(origin, authorization);
}

export function authorizationFor(url: string): Record<string, string> {
  const authorization = byOrigin.get(new URL(url).origin);
  return authorization ? { authorization } : {};
}
