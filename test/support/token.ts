/**
 * Access tokens for tests, got the way a client gets them: `POST /oauth2/token` with client_credentials.
 *
 *   const { http } = useTestServer();
 *   const auth = await bootstrapToken(http);          // 'Bearer eyJ...'
 *   await http.get('/fhir/Patient').set('authorization', auth);
 */
import assert from 'node:assert/strict';
import type { Http } from './in-process-server.ts';
import { TEST_BOOTSTRAP_CLIENT_ID, TEST_BOOTSTRAP_CLIENT_SECRET } from './in-process-server.ts';

export function basicAuth(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/** A Bearer header value for a client_credentials token of a client_secret_basic client. */
export async function clientToken(http: Http, clientId: string, secret: string, scope = 'system/*.*'): Promise<string> {
  const res = await http
    .post('/oauth2/token')
    .set('authorization', basicAuth(clientId, secret))
    .type('form')
    .send({ grant_type: 'client_credentials', scope });
  assert.equal(res.status, 200, `token request failed: ${JSON.stringify(res.body)}`);
  return `Bearer ${(res.body as { access_token: string }).access_token}`;
}

/** A Bearer header value for the in-process test server's bootstrap admin client (`system/*.*`, admin). */
export function bootstrapToken(http: Http, scope = 'system/*.*'): Promise<string> {
  return clientToken(http, TEST_BOOTSTRAP_CLIENT_ID, TEST_BOOTSTRAP_CLIENT_SECRET, scope);
}
